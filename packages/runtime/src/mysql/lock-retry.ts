import type { Timeouts } from '@liveshift/core';
import { lockWaitSeconds } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError } from '../errors.js';
import { backoffMs, sleep } from '../postgres/lock-retry.js';
import { mysqlErrno, type MysqlConnection } from './connect.js';

/** ER_LOCK_WAIT_TIMEOUT: a metadata-lock wait past lock_wait_timeout (or WAIT n), or a row-lock wait past innodb_lock_wait_timeout. */
export const ER_LOCK_WAIT_TIMEOUT = 1205;
export const ER_LOCK_DEADLOCK = 1213;
/** MySQL's NOWAIT / SKIP LOCKED refusal. */
export const ER_LOCK_NOWAIT = 3572;

export function isMysqlLockTimeout(error: unknown): boolean {
  const errno = mysqlErrno(error);
  return errno === ER_LOCK_WAIT_TIMEOUT || errno === ER_LOCK_NOWAIT;
}

export function isRetryableMysqlLockError(error: unknown): boolean {
  return isMysqlLockTimeout(error) || mysqlErrno(error) === ER_LOCK_DEADLOCK;
}

/** Bounds the session's metadata-lock and row-lock waits (whole seconds; MariaDB refuses fractions). */
export async function setLockWaits(connection: MysqlConnection, timeouts: Timeouts): Promise<void> {
  const seconds = lockWaitSeconds(timeouts.lockTimeoutMs);
  await connection.query(`SET SESSION lock_wait_timeout = ${seconds}`);
  await connection.query(`SET SESSION innodb_lock_wait_timeout = ${seconds}`);
}

export interface MysqlRetryContext {
  timeouts: Timeouts;
  label: string;
  tables: string[];
  step?: number;
  log: (message: string) => void;
}

/**
 * The lock-queue rule on MySQL/MariaDB (locks.md §0.2, §3.3): an ALTER waiting for its exclusive
 * metadata lock blocks every later query on the table, so it gives up after lock_wait_timeout
 * (error 1205), lets the queue drain, and tries again after a backoff.
 */
export async function withMysqlLockRetry<T>(context: MysqlRetryContext, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
  const { timeouts, label, log } = context;
  const attempts = timeouts.retries + 1;
  const seconds = lockWaitSeconds(timeouts.lockTimeoutMs);
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!isRetryableMysqlLockError(error)) throw error;
      const reason = isMysqlLockTimeout(error) ? `lock not granted within lock_wait_timeout ${seconds}s (error 1205)` : 'deadlock detected, transaction rolled back (error 1213)';
      if (attemptNumber >= attempts) {
        const on = context.tables.length > 0 ? ` on ${context.tables.join(', ')}` : '';
        throw new LiveshiftError(
          `${label}: could not take its lock${on} within the budget: ${attempts} attempts of lock_wait_timeout ${seconds}s each (last: ${reason}). ` +
            'A long-running transaction probably holds the table\'s metadata lock (see information_schema.METADATA_LOCK_INFO or performance_schema.metadata_locks, and SHOW PROCESSLIST); ' +
            'nothing was left half-done: run the step again once it ends.',
          EXIT_FAILED,
          { step: context.step, cause: error },
        );
      }
      const wait = backoffMs(timeouts, attemptNumber);
      log(`${label}: ${reason} (attempt ${attemptNumber} of ${attempts}); retrying in ${wait}ms`);
      await sleep(wait);
    }
  }
}
