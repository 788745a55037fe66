import type { Timeouts } from '../../plan/types.js';

/**
 * MySQL/MariaDB bound a metadata-lock wait with lock_wait_timeout, in whole seconds (MariaDB refuses
 * fractions [E]; its default is 1 day, MySQL's 1 year). The plan's budget is rounded up to a second;
 * the runner sets it for the session (what MariaDB's ALTER TABLE … WAIT n does for one statement) and
 * retries on error 1205 with backoff. Statements run without a statement timeout: an index build or
 * a rebuild lasts as long as the table needs.
 */
export function mysqlDdlTimeouts(lockTimeoutMs: number, retries: number): Timeouts {
  return {
    lockTimeoutMs: lockWaitSeconds(lockTimeoutMs) * 1000,
    retries,
    initialBackoffMs: 500,
    maxBackoffMs: 30_000,
    statementTimeoutMs: 0,
  };
}

/** lock_wait_timeout for a budget in ms: whole seconds, at least 1. */
export function lockWaitSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
