import type Database from 'better-sqlite3';
import type { Timeouts } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError } from '../errors.js';
import { backoffMs, sleep } from '../postgres/lock-retry.js';

/**
 * SQLite's bounded lock wait: busy_timeout makes a statement that finds the database locked wait
 * inside SQLite (up to lockTimeoutMs) before failing with SQLITE_BUSY; the whole transaction is then
 * rolled back and tried again after a backoff, up to `retries` times (a read-to-write upgrade
 * deadlock fails with SQLITE_BUSY at once, and only a retry resolves it).
 */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export interface BusyRetryContext {
  timeouts: Timeouts;
  label: string;
  step?: number;
  log: (message: string) => void;
}

export function setBusyTimeout(db: Database.Database, ms: number): void {
  if (!Number.isInteger(ms) || ms < 0) throw new LiveshiftError(`invalid busy timeout ${ms}: expected whole milliseconds >= 0`, EXIT_FAILED);
  db.pragma(`busy_timeout = ${ms}`);
}

export async function withBusyRetry<T>(db: Database.Database, context: BusyRetryContext, attempt: (attemptNumber: number) => T | Promise<T>): Promise<T> {
  const { timeouts, label, log } = context;
  const attempts = timeouts.retries + 1;
  for (let attemptNumber = 1; ; attemptNumber++) {
    setBusyTimeout(db, timeouts.lockTimeoutMs);
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (!isBusy(error)) throw error;
      if (attemptNumber >= attempts) {
        throw new LiveshiftError(
          `${label}: could not take the database write lock within the budget: ${attempts} attempts of busy_timeout ${timeouts.lockTimeoutMs}ms each (last: ${(error as Error).message}). ` +
            'Another connection holds a long write transaction (or, in rollback-journal mode, a long read); nothing was left half-done: run the step again once it ends.',
          EXIT_FAILED,
          { step: context.step, cause: error },
        );
      }
      const wait = backoffMs(timeouts, attemptNumber);
      log(`${label}: database busy after busy_timeout ${timeouts.lockTimeoutMs}ms (attempt ${attemptNumber} of ${attempts}); retrying in ${wait}ms`);
      await sleep(wait);
    }
  }
}
