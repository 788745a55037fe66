import type { EngineName, MysqlFlavour, Step } from '@liveshift/core';
import type { EngineSession, SessionStepContext } from '../engine-session.js';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError } from '../errors.js';
import { DEFAULT_TIMEOUTS } from '../lock-retry.js';
import { executeRollbackWith, stepLabel } from '../rollback.js';
import { connectMysql, describeMysqlError, type MysqlConnection } from './connect.js';
import { assertMysqlCheckpoint, evaluateMysqlCheckpoint } from './checkpoint.js';
import { executeMysqlStatements } from './execute-ddl.js';
import { introspectMysql, mysqlEngineInfo } from './introspect.js';
import { runMysqlBackfill } from './backfill.js';
import { ensureMysqlStateTable, markMysqlStepRunning, readMysqlStepStates, setMysqlStepStatus } from './state.js';

/**
 * A mysql2 connection seen as an EngineSession (MySQL or MariaDB, as the server says). The plan lock
 * is GET_LOCK, released with the connection if the runner dies; DDL runs under lock_wait_timeout with
 * retries; backfills go by primary-key ranges. There is no `observe` inside a DDL step: MySQL commits
 * DDL on its own, so its metadata locks are observed from another session while it runs.
 */
export function mysqlSession(connection: MysqlConnection, engine: EngineName, options: { owned?: boolean } = {}): EngineSession & { connection: MysqlConnection } {
  const flavour: MysqlFlavour = engine === 'mysql' ? 'mysql' : 'mariadb';
  const run = async (step: Step, context: SessionStepContext) => {
    const label = stepLabel(step);
    const timeouts = step.timeouts ?? DEFAULT_TIMEOUTS;
    try {
      if (step.kind === 'backfill' && !step.backfill) throw new LiveshiftError(`${label} is a backfill step without a backfill specification`, EXIT_BAD_INPUT, { step: step.n });
      if (step.backfill) {
        await runMysqlBackfill(connection, step.backfill, { planId: context.planId, step: step.n, label, timeouts, log: context.log, onProgress: context.onProgress, estimatedRows: step.estimate?.rows, resumeFrom: context.resumeFrom });
      } else {
        await executeMysqlStatements(connection, step.sql, { label, step: step.n, timeouts, tables: step.lock.tables, log: context.log, flavour });
      }
      if (step.checkpoint) await assertMysqlCheckpoint(connection, step.checkpoint, label, step.n);
    } catch (error) {
      if (error instanceof LiveshiftError) throw error;
      throw new LiveshiftError(`${label} failed: ${describeMysqlError(error)}`, EXIT_FAILED, { step: step.n, cause: error });
    }
  };
  return {
    engine,
    connection,
    serverInfo: () => mysqlEngineInfo(connection),
    introspect: () => introspectMysql(connection),
    async withPlanLock(planId, work) {
      const name = `liveshift:${planId}`;
      const [rows] = await connection.query('SELECT GET_LOCK(?, 0) AS locked', [name]);
      if (Number((rows as { locked: unknown }[])[0]?.locked) !== 1) {
        throw new LiveshiftError(`another liveshift run is applying plan ${planId} on this database right now; wait for it to finish`, EXIT_FAILED);
      }
      try {
        return await work();
      } finally {
        await connection.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => {});
      }
    },
    ensureStateTable: () => ensureMysqlStateTable(connection),
    readStepStates: (planId) => readMysqlStepStates(connection, planId),
    markStepRunning: (planId, step, fresh) => markMysqlStepRunning(connection, planId, step, fresh),
    markStepDone: (planId, step) => setMysqlStepStatus(connection, planId, step, 'done'),
    markStepRolledBack: (planId, step) => setMysqlStepStatus(connection, planId, step, 'rolled_back'),
    executeDatabaseStep: run,
    async checkpointMet(checkpoint) {
      try {
        return (await evaluateMysqlCheckpoint(connection, checkpoint)).met;
      } catch {
        return false;
      }
    },
    executeRollback: (step, context) =>
      executeRollbackWith(step, context, async (rollback, label) => {
        try {
          await executeMysqlStatements(connection, rollback.sql, { label, step: step.n, timeouts: step.timeouts ?? DEFAULT_TIMEOUTS, tables: step.lock.tables, log: context.log, flavour });
        } catch (error) {
          if (error instanceof LiveshiftError) throw error;
          throw new LiveshiftError(`${label} failed: ${describeMysqlError(error)}`, EXIT_FAILED, { step: step.n, cause: error });
        }
      }),
    async close() {
      if (options.owned) await connection.end();
    },
  };
}

/** Opens a connection from a mysql:// or mariadb:// URL and asks the server which flavour it is. */
export async function openMysqlSession(url: string): Promise<EngineSession & { connection: MysqlConnection }> {
  const connection = await connectMysql(url);
  try {
    const info = await mysqlEngineInfo(connection);
    return mysqlSession(connection, info.name, { owned: true });
  } catch (error) {
    await connection.end().catch(() => {});
    throw error;
  }
}

/** A mysql2 connection (promise API) a framework already holds: the session borrows it. */
export function isMysqlConnection(value: unknown): value is MysqlConnection {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { query?: unknown; execute?: unknown; connection?: { config?: unknown } };
  return typeof v.query === 'function' && typeof v.execute === 'function' && typeof v.connection === 'object' && v.connection !== null && 'config' in v.connection;
}
