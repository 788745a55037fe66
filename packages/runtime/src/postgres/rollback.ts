import type pg from 'pg';
import type { Step } from '@liveshift/core';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError, describeDatabaseError } from '../errors.js';
import { DEPLOYED_ENV, parseRelease, type WaitingForRelease } from '../release-gate.js';
import { executeStatements } from './execute-ddl.js';
import { stepLabel } from './execute-step.js';
import type { IndexLocation } from './invalid-index.js';
import { DEFAULT_TIMEOUTS } from './lock-retry.js';

export type RollbackOutcome = { rolledBack: true; message: string } | { rolledBack: false; waitingFor: WaitingForRelease };

export interface RollbackContext {
  /** The release the operator confirms is live (already resolved from --deployed / LIVESHIFT_DEPLOYED). */
  deployed: string | undefined;
  log: (message: string) => void;
}

/** Indexes a rollback may rebuild CONCURRENTLY: the ones the forward step dropped. */
function indexesDroppedBy(step: Pick<Step, 'changes'>): IndexLocation[] {
  return step.changes.flatMap((change) => (change.op === 'drop_index' ? [{ schema: change.table.schema, name: change.index }] : []));
}

/** Undoes one step as its plan says; refuses irreversible ones. No ordering or state rules here. */
export async function executeRollback(client: pg.ClientBase, step: Step, context: RollbackContext): Promise<RollbackOutcome> {
  const label = `rollback of ${stepLabel(step)}`;
  const rollback = step.rollback;
  switch (rollback.kind) {
    case 'irreversible':
      throw new LiveshiftError(
        `${stepLabel(step)} cannot be rolled back: ${rollback.reason}\n  data that would be lost: ${rollback.dataLost}\n  only a restore from backup undoes it`,
        EXIT_BAD_INPUT,
        { step: step.n },
      );
    case 'none':
      context.log(`${label}: nothing to undo: ${rollback.reason}`);
      return { rolledBack: true, message: `nothing to undo: ${rollback.reason}` };
    case 'deploy': {
      // the database may only be taken back once the older application is what is running
      const confirmed = context.deployed;
      if (confirmed === undefined || parseRelease(confirmed, '--deployed') > parseRelease(rollback.release, `${label}: release`)) {
        return { rolledBack: false, waitingFor: { step: step.n, release: rollback.release, instruction: rollback.instruction } };
      }
      const message = `release ${rollback.release} confirmed live (${confirmed}): ${rollback.instruction}`;
      context.log(`${label}: ${message}`);
      return { rolledBack: true, message };
    }
    case 'sql':
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
      context.log(`${label}: done${rollback.note ? ` (${rollback.note})` : ''}`);
      return { rolledBack: true, message: 'rolled back' };
  }
}

/** What the operator must do before a deploy rollback can be recorded. */
export function rollbackWaitingMessage(waiting: WaitingForRelease): string {
  return (
    `rolling back step ${waiting.step} needs the application back on release ${waiting.release}: ${waiting.instruction}\n` +
    `  once it is deployed, confirm it with --deployed ${waiting.release} (or ${DEPLOYED_ENV}=${waiting.release}) and run the rollback again`
  );
}
