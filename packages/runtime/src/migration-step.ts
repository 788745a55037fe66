import type { Plan } from '@liveshift/core';
import { applyPlan, rollbackPlanStep, type PlanTarget } from './apply.js';
import { EXIT_BAD_INPUT, EXIT_WAITING_FOR_RELEASE, LiveshiftError } from './errors.js';
import { DEPLOYED_ENV } from './release-gate.js';
import { stepLabel } from './rollback.js';

/**
 * What a migration file emitted for a framework runs: exactly one plan step, or an error that the
 * framework's runner shows and stops at. The runner orders the files; the runtime still records
 * each step in the database, so a re-run after a crash between the step and the runner's own
 * bookkeeping is a no-op, and a file run out of order is refused.
 */

export interface MigrationStepOptions {
  /** Where LIVESHIFT_DEPLOYED is read from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Messages for the operator; standard error by default. */
  log?: (message: string) => void;
  /** The runner's own command, for the "run again" line when a release is not confirmed: `npx knex migrate:up`. */
  rerunCommand?: { up: string; down: string };
}

/** "once it is live everywhere, run again with LIVESHIFT_DEPLOYED=A+1 npx knex migrate:up" */
function rerunLine(release: string, command: string | undefined, confirmed: 'deployed' | 'back on'): string {
  const what = confirmed === 'deployed' ? 'once it is live everywhere' : `once release ${release} is running again everywhere`;
  return `  ${what}, run again with ${DEPLOYED_ENV}=${release}${command ? `, e.g. ${DEPLOYED_ENV}=${release} ${command}` : ''}`;
}

/** `up`: runs step `n` (after checking the steps before it are done and its release is confirmed). */
export async function migrateStepUp(client: PlanTarget, plan: Plan, n: number, options: MigrationStepOptions = {}): Promise<void> {
  const result = await applyPlan(client, plan, { step: n, env: options.env, log: options.log, logWaiting: false });
  if (result.waitingFor) {
    const { step, release, instruction } = result.waitingFor;
    throw new LiveshiftError(
      `step ${step} waits for release ${release} to be live: ${instruction}\n${rerunLine(release, options.rerunCommand?.up, 'deployed')}`,
      EXIT_WAITING_FOR_RELEASE,
      { step },
    );
  }
}

/**
 * `down`: undoes step `n`. Past the point of no return it refuses, saying what was lost and that
 * only a restore brings it back; an application step waits until the older release is live again.
 */
export async function migrateStepDown(client: PlanTarget, plan: Plan, n: number, options: MigrationStepOptions = {}): Promise<void> {
  const step = plan.steps.find((s) => s.n === n);
  if (step?.rollback.kind === 'irreversible') {
    throw new LiveshiftError(
      `${stepLabel(step)} is past the point of no return and cannot be migrated down: ${step.rollback.reason}\n` +
        `  data lost: ${step.rollback.dataLost}\n` +
        '  only a restore from a backup taken before this step brings it back; the steps before it can still be rolled back once the restore is done',
      EXIT_BAD_INPUT,
      { step: n },
    );
  }
  const result = await rollbackPlanStep(client, plan, n, { env: options.env, log: options.log, logWaiting: false });
  if (result.waitingFor) {
    const { release, instruction } = result.waitingFor;
    throw new LiveshiftError(
      `rolling back step ${n} needs the application back on release ${release}: ${instruction}\n${rerunLine(release, options.rerunCommand?.down, 'back on')}`,
      EXIT_WAITING_FOR_RELEASE,
      { step: n },
    );
  }
}
