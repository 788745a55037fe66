import type Database from 'better-sqlite3';
import type { Step } from '@liveshift/core';
import type { EngineSession, SessionStepContext } from '../engine-session.js';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError, describeDatabaseError } from '../errors.js';
import { executeRollbackWith, stepLabel } from '../rollback.js';
import { DEFAULT_TIMEOUTS } from '../postgres/lock-retry.js';
import { runSqliteBackfill } from './backfill.js';
import { setBusyTimeout, withBusyRetry } from './busy-retry.js';
import { assertSqliteCheckpoint, evaluateSqliteCheckpoint } from './checkpoint.js';
import { executeSqliteStatements } from './execute-ddl.js';
import { introspectSqlite, sqliteEngineInfo } from './introspect.js';
import { journalMode } from './open.js';
import { ensureSqliteStateTable, markSqliteStepRunning, readSqliteStepStates, setSqliteStepStatus, withSqlitePlanLock } from './state.js';

/** busy_timeout for liveshift's own small writes (state rows, the plan lock). */
const STATE_BUSY_TIMEOUT_MS = 5000;

/**
 * An open better-sqlite3 Database seen as an EngineSession; `close` closes it only when the session
 * owns it. better-sqlite3 is synchronous: a statement waiting on busy_timeout blocks this thread,
 * which is why busy_timeout is bounded per attempt and the retries back off asynchronously.
 */
export function sqliteSession(db: Database.Database, options: { owned?: boolean } = {}): EngineSession & { db: Database.Database } {
  // a borrowed connection (a framework's) gets its own busy_timeout back after every step
  const baseline = options.owned ? STATE_BUSY_TIMEOUT_MS : Number(db.pragma('busy_timeout', { simple: true }));
  setBusyTimeout(db, baseline);
  const stateWrite = async (label: string, work: () => void) =>
    withBusyRetry(db, { timeouts: DEFAULT_TIMEOUTS, label, log: () => {} }, () => {
      work();
      setBusyTimeout(db, baseline);
    });
  return {
    engine: 'sqlite',
    db,
    serverInfo: async () => sqliteEngineInfo(db),
    introspect: async () => introspectSqlite(db),
    withPlanLock: (planId, work) => withSqlitePlanLock(db, planId, work),
    ensureStateTable: () => stateWrite('creating the state table', () => ensureSqliteStateTable(db)),
    readStepStates: async (planId) => readSqliteStepStates(db, planId),
    markStepRunning: (planId, step, fresh) => stateWrite('recording progress', () => markSqliteStepRunning(db, planId, step, fresh)),
    markStepDone: (planId, step) => stateWrite('recording progress', () => setSqliteStepStatus(db, planId, step, 'done')),
    markStepRolledBack: (planId, step) => stateWrite('recording progress', () => setSqliteStepStatus(db, planId, step, 'rolled_back')),
    executeDatabaseStep: (step, context) => executeSqliteStep(db, step, context, baseline),
    async checkpointMet(checkpoint) {
      try {
        return evaluateSqliteCheckpoint(db, checkpoint).met;
      } catch {
        return false;
      }
    },
    executeRollback: (step, context) =>
      executeRollbackWith(step, context, async (rollback, label) => {
        try {
          await executeSqliteStatements(db, rollback.sql, rollback.transactional, { label, step: step.n, timeouts: step.timeouts ?? DEFAULT_TIMEOUTS, log: context.log });
        } finally {
          setBusyTimeout(db, baseline);
        }
      }),
    async close() {
      if (options.owned) db.close();
    },
  };
}

async function executeSqliteStep(db: Database.Database, step: Step, context: SessionStepContext, baseline: number): Promise<void> {
  const label = stepLabel(step);
  const timeouts = step.timeouts ?? DEFAULT_TIMEOUTS;
  let observeFailure: { error: unknown } | undefined;
  const observe =
    context.observe &&
    (async (connection: Database.Database) => {
      try {
        await context.observe!(step, connection);
      } catch (error) {
        observeFailure = { error };
        throw error;
      }
    });
  try {
    if (step.kind === 'backfill' && !step.backfill) throw new LiveshiftError(`${label} is a backfill step without a backfill specification`, EXIT_BAD_INPUT, { step: step.n });
    if (step.backfill) {
      await runSqliteBackfill(db, step.backfill, { planId: context.planId, step: step.n, label, timeouts, log: context.log, onProgress: context.onProgress, estimatedRows: step.estimate?.rows, resumeFrom: context.resumeFrom });
    } else {
      context.log(`${label}: ${journalNote(db)}`);
      await executeSqliteStatements(db, step.sql, step.transactional, { label, step: step.n, timeouts, log: context.log, observe });
    }
    setBusyTimeout(db, baseline);
    if (step.checkpoint) assertSqliteCheckpoint(db, step.checkpoint, label, step.n);
  } catch (error) {
    setBusyTimeout(db, baseline);
    if (error instanceof LiveshiftError || (observeFailure && observeFailure.error === error)) throw error;
    throw new LiveshiftError(`${label} failed: ${describeDatabaseError(error)}`, EXIT_FAILED, { step: step.n, cause: error });
  }
}

/** The journal mode is the application's choice, reported, never changed: it decides whether readers wait. */
function journalNote(db: Database.Database): string {
  const mode = journalMode(db);
  return mode === 'wal'
    ? 'journal_mode is wal: readers go on while this step holds the database write lock; writers wait'
    : `journal_mode is ${mode} (rollback journal): writers wait while this step holds the write lock, and readers too while it commits`;
}
