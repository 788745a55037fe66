import { releaseIndex, releaseName, type Step } from '@liveshift/core';
import { EXIT_BAD_INPUT, EXIT_WAITING_FOR_RELEASE, LiveshiftError, errorMessage } from './errors.js';

/**
 * Application releases are confirmed by the operator, never guessed: `--deployed <release>` on the
 * CLI, or LIVESHIFT_DEPLOYED for migration files run by a framework's own runner (DESIGN §8).
 */

export const DEPLOYED_ENV = 'LIVESHIFT_DEPLOYED';

const FIRST_RELEASE = releaseName(0);

export interface WaitingForRelease {
  step: number;
  release: string;
  instruction: string;
}

/** The confirmed release: the explicit value, else LIVESHIFT_DEPLOYED, else none. */
export function confirmedRelease(deployed: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = deployed ?? env[DEPLOYED_ENV];
  if (value === undefined || value.trim() === '') return undefined;
  parseRelease(value, deployed === undefined ? DEPLOYED_ENV : '--deployed');
  return value.trim();
}

export function parseRelease(release: string, source: string): number {
  try {
    return releaseIndex(release);
  } catch (error) {
    throw new LiveshiftError(`${source}: ${errorMessage(error)}`, EXIT_BAD_INPUT, { cause: error });
  }
}

/** True when `confirmed` is `required` or a later release. */
export function isReleaseLive(required: string, confirmed: string | undefined): boolean {
  if (confirmed === undefined) return false;
  return parseRelease(confirmed, 'confirmed release') >= parseRelease(required, 'step release');
}

/**
 * Whether `step` may run with `confirmed` live (DESIGN §8: a step runs only when the confirmed
 * release is at or after its own). Database steps of the first release ship with the migration
 * itself, so they need no confirmation; an application step always needs an explicit one.
 */
export function releaseGate(step: Pick<Step, 'n' | 'kind' | 'deploy' | 'title' | 'instruction'>, confirmed: string | undefined): WaitingForRelease | undefined {
  const effective = confirmed ?? (step.kind === 'app' ? undefined : FIRST_RELEASE);
  if (isReleaseLive(step.deploy, effective)) return undefined;
  const instruction = step.instruction.trim() || databaseStepInstruction(step);
  return { step: step.n, release: step.deploy, instruction };
}

/** A database step of a later release runs once the application releases before it are everywhere. */
function databaseStepInstruction(step: Pick<Step, 'deploy'>): string {
  const previous = releaseName(parseRelease(step.deploy, 'step release') - 1);
  return `nothing to deploy for it; confirm it once every application instance runs ${previous} or later`;
}

/** For migration files run by a framework: stop the runner (exit 3) with the step's instruction. */
export function waitingForReleaseError(waiting: WaitingForRelease): LiveshiftError {
  return new LiveshiftError(waitingMessage(waiting), EXIT_WAITING_FOR_RELEASE, { step: waiting.step });
}

export function waitingMessage(waiting: WaitingForRelease): string {
  return (
    `step ${waiting.step} waits for release ${waiting.release} to be live: ${waiting.instruction}\n` +
    `  once it is deployed, confirm it with --deployed ${waiting.release} (or ${DEPLOYED_ENV}=${waiting.release}) and run again`
  );
}
