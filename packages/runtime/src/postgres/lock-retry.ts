import type { Timeouts } from '@liveshift/core';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError, sqlState } from '../errors.js';

/**
 * The lock-queue rule (reference/locks.md §1.5): a statement waiting for a strong lock blocks every
 * query queued behind it, so it must give up quickly (lock_timeout), let the queue drain, and try
 * again later, rather than wait.
 */

/** Used for statements of steps that carry no timeouts of their own (backfills, checkpoints). */
export const DEFAULT_TIMEOUTS: Timeouts = {
  lockTimeoutMs: 2000,
  retries: 10,
  initialBackoffMs: 250,
  maxBackoffMs: 5000,
  statementTimeoutMs: 0,
};

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

/** Wait before retry k (k from 1): min(maxBackoffMs, initialBackoffMs * 2^(k-1)). */
export function backoffMs(timeouts: Timeouts, retry: number): number {
  return Math.min(timeouts.maxBackoffMs, timeouts.initialBackoffMs * 2 ** (retry - 1));
}

/** A duration for SET lock_timeout / statement_timeout, validated because SET takes no parameters. */
export function durationSetting(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new LiveshiftError(`invalid timeout ${ms}: expected whole milliseconds >= 0`, EXIT_BAD_INPUT);
  return `'${ms}ms'`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface LockRetryContext {
  timeouts: Timeouts;
  /** e.g. "step 3 (Add display_name)", used in every message. */
  label: string;
  /** The tables whose locks the work waits for, for the final message. */
  tables: string[];
  step?: number;
  log: (message: string) => void;
}

/**
 * Runs `attempt` until it succeeds, retrying with backoff when it fails with a lock timeout
 * (or a deadlock); after `timeouts.retries` retries it gives up with a LiveshiftError.
 * `attempt` must leave nothing behind when it fails (roll back its transaction).
 */
export async function withLockRetry<T>(context: LockRetryContext, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
  const { timeouts, label, log } = context;
  const attempts = timeouts.retries + 1;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!isRetryableLockError(error)) throw error;
      const reason = isLockNotAvailable(error)
        ? `lock not granted within lock_timeout ${timeouts.lockTimeoutMs}ms`
        : 'deadlock detected, transaction rolled back';
      if (attemptNumber >= attempts) {
        const on = context.tables.length > 0 ? ` on ${context.tables.join(', ')}` : '';
        throw new LiveshiftError(
          `${label}: could not take its lock${on} within the budget: ${attempts} attempts of lock_timeout ${timeouts.lockTimeoutMs}ms each (last: ${reason}). ` +
            'A long-running transaction probably holds a conflicting lock (see pg_stat_activity and pg_blocking_pids()); ' +
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
