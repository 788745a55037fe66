import type { Timeouts } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError } from './errors.js';

/**
 * The lock-queue rule, whatever the engine (reference/locks.md §0, §1.5): a statement waiting for
 * a strong lock blocks every query queued behind it, so it gives up after a short wait (PostgreSQL
 * lock_timeout, MySQL lock_wait_timeout, SQLite busy_timeout), lets the queue drain, and tries
 * again after a backoff, rather than wait. Each engine says which errors mean "try again".
 */

/** Used for statements of steps that carry no timeouts of their own (backfills, checkpoints), on every engine. */
export const DEFAULT_TIMEOUTS: Timeouts = {
  lockTimeoutMs: 2000,
  retries: 10,
  initialBackoffMs: 250,
  maxBackoffMs: 5000,
  statementTimeoutMs: 0,
};

/** Wait before retry k (k from 1): min(maxBackoffMs, initialBackoffMs * 2^(k-1)). */
export function backoffMs(timeouts: Timeouts, retry: number): number {
  return Math.min(timeouts.maxBackoffMs, timeouts.initialBackoffMs * 2 ** (retry - 1));
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

/** How one engine reads its lock errors. */
export interface LockWaitRules {
  /** Why the attempt may be retried ("lock not granted within lock_timeout 2000ms"), or undefined when it may not. */
  retryReason(error: unknown): string | undefined;
  /** One attempt's budget, for the final message: "lock_timeout 2000ms". */
  budget: string;
  /** Where the operator looks for the blocker. */
  blockerHint: string;
}

/**
 * Runs `attempt` until it succeeds, retrying with backoff when the engine's rules call its error
 * retryable (a lock wait timeout, a deadlock); after `timeouts.retries` retries it gives up with a
 * LiveshiftError. `attempt` must leave nothing behind when it fails (roll back its transaction).
 */
export async function retryLockWaits<T>(context: LockRetryContext, rules: LockWaitRules, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
  const { timeouts, label, log } = context;
  const attempts = timeouts.retries + 1;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      const reason = rules.retryReason(error);
      if (reason === undefined) throw error;
      if (attemptNumber >= attempts) {
        const on = context.tables.length > 0 ? ` on ${context.tables.join(', ')}` : '';
        throw new LiveshiftError(
          `${label}: could not take its lock${on} within the budget: ${attempts} attempts of ${rules.budget} each (last: ${reason}). ` +
            `${rules.blockerHint}; nothing was left half-done: run the step again once it ends.`,
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
