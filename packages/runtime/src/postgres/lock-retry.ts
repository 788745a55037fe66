import type { Timeouts } from '@liveshift/core';
import { EXIT_BAD_INPUT, LiveshiftError, sqlState } from '../errors.js';
import { retryLockWaits, type LockRetryContext, type LockWaitRules } from '../lock-retry.js';

/**
 * The lock-queue rule (reference/locks.md §1.5): a statement waiting for a strong lock blocks every
 * query queued behind it, so it must give up quickly (lock_timeout), let the queue drain, and try
 * again later, rather than wait.
 */

const LOCK_NOT_AVAILABLE = '55P03';
const DEADLOCK_DETECTED = '40P01';

export function isLockNotAvailable(error: unknown): boolean {
  return sqlState(error) === LOCK_NOT_AVAILABLE;
}

/** Errors after which the same work can simply be tried again. */
export function isRetryableLockError(error: unknown): boolean {
  const state = sqlState(error);
  return state === LOCK_NOT_AVAILABLE || state === DEADLOCK_DETECTED;
}

/** A duration for SET lock_timeout / statement_timeout, validated because SET takes no parameters. */
export function durationSetting(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new LiveshiftError(`invalid timeout ${ms}: expected whole milliseconds >= 0`, EXIT_BAD_INPUT);
  return `'${ms}ms'`;
}

export { DEFAULT_TIMEOUTS, backoffMs, sleep, type LockRetryContext } from '../lock-retry.js';

/**
 * Runs `attempt` until it succeeds, retrying with backoff when it fails with a lock timeout
 * (or a deadlock); after `timeouts.retries` retries it gives up with a LiveshiftError.
 * `attempt` must leave nothing behind when it fails (roll back its transaction).
 */
export function withLockRetry<T>(context: LockRetryContext, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
  return retryLockWaits(context, postgresLockWaits(context.timeouts), attempt);
}

function postgresLockWaits(timeouts: Timeouts): LockWaitRules {
  return {
    retryReason: (error) =>
      !isRetryableLockError(error) ? undefined : isLockNotAvailable(error) ? `lock not granted within lock_timeout ${timeouts.lockTimeoutMs}ms` : 'deadlock detected, transaction rolled back',
    budget: `lock_timeout ${timeouts.lockTimeoutMs}ms`,
    blockerHint: 'A long-running transaction probably holds a conflicting lock (see pg_stat_activity and pg_blocking_pids())',
  };
}
