import type pg from 'pg';
import type { Step } from '@liveshift/core';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError, describeDatabaseError } from '../errors.js';
import type { BackfillCursor } from '../state.js';
import { runBackfill, type BackfillProgressCallback } from './backfill.js';
import { assertCheckpoint } from './checkpoint.js';
import { executeStatements } from './execute-ddl.js';
import type { IndexLocation } from './invalid-index.js';
import { DEFAULT_TIMEOUTS } from './lock-retry.js';
import { stepLabel } from '../rollback.js';

/** Runs one database step (ddl, backfill, validate) and checks its checkpoint; no ordering or state rules. */

export interface DatabaseStepContext {
  planId: string;
  log: (message: string) => void;
  onProgress?: BackfillProgressCallback;
  /** Called with the step's own pg client inside its transaction (typed unknown to fit every engine's session). */
  observe?: (step: Step, client: pg.ClientBase) => Promise<void>;
  /** What an interrupted earlier run of a backfill left (nulls for a fresh start). */
  resumeFrom: { cursor: BackfillCursor | null; upperKey: string[] | null };
}

export { stepLabel } from '../rollback.js';

/** Indexes a non-transactional step builds, named by its declared changes: no SQL is parsed. */
export function indexesBuiltBy(step: Pick<Step, 'changes'>): IndexLocation[] {
  return step.changes.flatMap((change) =>
    change.op === 'add_index' ? [{ schema: change.table.schema, name: change.index.name }] : [],
  );
}

export async function executeDatabaseStep(client: pg.ClientBase, step: Step, context: DatabaseStepContext): Promise<void> {
  const label = stepLabel(step);
  const timeouts = step.timeouts ?? DEFAULT_TIMEOUTS;
  // errors of the caller's observe hook (test assertions) pass through unwrapped
  let observeFailure: { error: unknown } | undefined;
  const observe = context.observe;
  const observeStep =
    observe &&
    (async (session: pg.ClientBase) => {
      try {
        await observe(step, session);
      } catch (error) {
        observeFailure = { error };
        throw error;
      }
    });
  try {
    if (step.kind === 'backfill' && !step.backfill) {
      throw new LiveshiftError(`${label} is a backfill step without a backfill specification`, EXIT_BAD_INPUT, { step: step.n });
    }
    if (step.backfill) {
      await runBackfill(client, step.backfill, {
        planId: context.planId,
        step: step.n,
        label,
        timeouts,
        log: context.log,
        onProgress: context.onProgress,
        estimatedRows: step.estimate?.rows,
        resumeFrom: context.resumeFrom,
      });
    } else {
      await executeStatements(client, step.sql, step.transactional, {
        label,
        step: step.n,
        timeouts,
        tables: step.lock.tables,
        log: context.log,
        observe: observeStep,
        concurrentIndexes: step.transactional ? [] : indexesBuiltBy(step),
      });
    }
    if (step.checkpoint) await assertCheckpoint(client, step.checkpoint, label, step.n);
  } catch (error) {
    if (error instanceof LiveshiftError || (observeFailure && observeFailure.error === error)) throw error;
    throw new LiveshiftError(`${label} failed: ${describeDatabaseError(error)}`, EXIT_FAILED, { step: step.n, cause: error });
  }
}
