import type { Timeouts } from '../../plan/types.js';

/**
 * SQLite's lock wait budget is busy_timeout: a statement that finds the database locked retries
 * inside SQLite for up to lockTimeoutMs, then fails with SQLITE_BUSY; the runner then backs off and
 * tries the whole transaction again (busy_timeout alone cannot resolve a read-to-write upgrade
 * deadlock: SQLite returns SQLITE_BUSY at once there, which the retry covers).
 */
export function busyTimeouts(lockTimeoutMs: number, retries: number): Timeouts {
  return {
    lockTimeoutMs,
    retries,
    initialBackoffMs: 100,
    maxBackoffMs: 5_000,
    // SQLite has no statement timeout; the runtime interrupts nothing
    statementTimeoutMs: 0,
  };
}
