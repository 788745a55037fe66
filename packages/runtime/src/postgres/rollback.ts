import type pg from 'pg';
import type { Step } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError, describeDatabaseError } from '../errors.js';
import { executeRollbackWith, type RollbackContext, type RollbackOutcome } from '../rollback.js';
import { executeStatements } from './execute-ddl.js';
import type { IndexLocation } from './invalid-index.js';
import { DEFAULT_TIMEOUTS } from './lock-retry.js';

/** Indexes a rollback may rebuild CONCURRENTLY: the ones the forward step dropped. */
function indexesDroppedBy(step: Pick<Step, 'changes'>): IndexLocation[] {
  return step.changes.flatMap((change) => (change.op === 'drop_index' ? [{ schema: change.table.schema, name: change.index }] : []));
}

/** Undoes one step on PostgreSQL; SQL rollbacks under lock_timeout with retries like forward steps. */
export async function executeRollback(client: pg.ClientBase, step: Step, context: RollbackContext): Promise<RollbackOutcome> {
  return executeRollbackWith(step, context, async (rollback, label) => {
    try {
      await executeStatements(client, rollback.sql, rollback.transactional, {
        label,
        step: step.n,
        timeouts: step.timeouts ?? DEFAULT_TIMEOUTS,
        tables: step.lock.tables,
        log: context.log,
        concurrentIndexes: rollback.transactional ? [] : indexesDroppedBy(step),
      });
    } catch (error) {
      if (error instanceof LiveshiftError) throw error;
      throw new LiveshiftError(`${label} failed: ${describeDatabaseError(error)}`, EXIT_FAILED, { step: step.n, cause: error });
    }
  });
}

export { rollbackWaitingMessage, type RollbackContext, type RollbackOutcome } from '../rollback.js';
