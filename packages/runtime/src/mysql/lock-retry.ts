import type { Timeouts } from '@liveshift/core';
import { lockWaitSeconds } from '@liveshift/core';
import { retryLockWaits, type LockRetryContext } from '../lock-retry.js';
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

export type MysqlRetryContext = LockRetryContext;

/**
 * The lock-queue rule on MySQL/MariaDB (locks.md §0.2, §3.3): an ALTER waiting for its exclusive
 * metadata lock blocks every later query on the table, so it gives up after lock_wait_timeout
 * (error 1205), lets the queue drain, and tries again after a backoff.
 */
export function withMysqlLockRetry<T>(context: MysqlRetryContext, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
  const seconds = lockWaitSeconds(context.timeouts.lockTimeoutMs);
  return retryLockWaits(
    context,
    {
      retryReason: (error) =>
        !isRetryableMysqlLockError(error) ? undefined : isMysqlLockTimeout(error) ? `lock not granted within lock_wait_timeout ${seconds}s (error 1205)` : 'deadlock detected, transaction rolled back (error 1213)',
      budget: `lock_wait_timeout ${seconds}s`,
      blockerHint:
        "A long-running transaction probably holds the table's metadata lock (see information_schema.METADATA_LOCK_INFO or performance_schema.metadata_locks, and SHOW PROCESSLIST)",
    },
    attempt,
  );
}
