import type { Rollback, Step } from '@liveshift/core';
import { EXIT_BAD_INPUT, LiveshiftError } from './errors.js';
import { DEPLOYED_ENV, parseRelease, type WaitingForRelease } from './release-gate.js';

export type RollbackOutcome = { rolledBack: true; message: string } | { rolledBack: false; waitingFor: WaitingForRelease };

export interface RollbackContext {
  /** The release the operator confirms is live (already resolved from --deployed / LIVESHIFT_DEPLOYED). */
  deployed: string | undefined;
  log: (message: string) => void;
}

/** "step 3 (Backfill display_name)" */
export function stepLabel(step: Pick<Step, 'n' | 'title'>): string {
  return `step ${step.n} (${step.title})`;
}

/**
 * Undoes one step as its plan says, whatever the engine: refuses irreversible ones, waits for a
 * deploy rollback until the older release is live, and hands SQL rollbacks to the engine's
 * `runSql` (which bounds its lock waits like the forward step). No ordering or state rules here.
 */
export async function executeRollbackWith(
  step: Step,
  context: RollbackContext,
  runSql: (rollback: Extract<Rollback, { kind: 'sql' }>, label: string) => Promise<void>,
): Promise<RollbackOutcome> {
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
      await runSql(rollback, label);
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
