/**
 * How the CLI turns an error into a message and an exit code (DESIGN §8): 0 done, 1 failed,
 * 2 bad input, 3 waiting for a release. Core's PlanningError (2) and runtime's LiveshiftError
 * carry their own `exitCode`; anything else is a failure (1).
 */

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_WAITING = 3;

/** Bad flags or files the CLI itself detects. */
export class UsageError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function exitCodeOf(error: unknown): number {
  const code = typeof error === 'object' && error !== null ? (error as { exitCode?: unknown }).exitCode : undefined;
  return code === EXIT_FAILED || code === EXIT_BAD_INPUT || code === EXIT_WAITING ? code : EXIT_FAILED;
}

/** Hides the password of any URL in a message, whoever wrote the message. */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(/(password=)[^&\s]*/gi, '$1***');
}

/** The one line (or few) a user sees: no stack trace unless LIVESHIFT_DEBUG is set. */
export function describeError(error: unknown): string {
  const debug = process.env.LIVESHIFT_DEBUG && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  const message = error instanceof Error ? error.message : String(error);
  return redactSecrets(`${message}${debug}`);
}
