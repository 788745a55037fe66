/**
 * Exit codes shared by every surface (DESIGN §8): the CLI, emitted migration files and scripts
 * all map a LiveshiftError to the same process exit code.
 */
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_WAITING_FOR_RELEASE = 3;

export type LiveshiftExitCode = typeof EXIT_FAILED | typeof EXIT_BAD_INPUT | typeof EXIT_WAITING_FOR_RELEASE;

export interface LiveshiftErrorOptions {
  /** The plan step the error belongs to, when there is one. */
  step?: number;
  cause?: unknown;
}

/**
 * An error a user can act on. `exitCode`: 1 failed (database error, checkpoint not met),
 * 2 bad input (invalid plan, flag or request), 3 stopped waiting for a release to be confirmed.
 */
export class LiveshiftError extends Error {
  readonly step: number | undefined;

  constructor(
    message: string,
    readonly exitCode: LiveshiftExitCode,
    options: LiveshiftErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LiveshiftError';
    this.step = options.step;
  }
}

/** The SQLSTATE of a PostgreSQL error (pg's DatabaseError.code), or undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  // pg also puts Node socket codes (EPIPE, ECONNRESET) in `code`; only server errors carry a severity
  return typeof code === 'string' && typeof severity === 'string' ? code : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "message (SQLSTATE 23505)" — the SQLSTATE lets a user search the PostgreSQL docs. */
export function describeDatabaseError(error: unknown): string {
  const state = sqlState(error);
  const detail = typeof error === 'object' && error !== null ? (error as { detail?: unknown }).detail : undefined;
  const base = state ? `${errorMessage(error)} (SQLSTATE ${state})` : errorMessage(error);
  return typeof detail === 'string' && detail.length > 0 ? `${base}; ${detail}` : base;
}
