import type pg from 'pg';
import type { Timeouts } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError, describeDatabaseError, errorMessage } from '../errors.js';
import { dropIndexConcurrently, displayIndex, isInvalidIndex, type IndexLocation } from './invalid-index.js';
import { durationSetting, isRetryableLockError, withLockRetry } from './lock-retry.js';

export interface ExecuteStatementsOptions {
  /** e.g. "step 3 (Add display_name)", used in every message. */
  label: string;
  step?: number;
  timeouts: Timeouts;
  /** Tables the statements lock, for the message when the lock budget runs out. */
  tables: string[];
  log: (message: string) => void;
  /**
   * Called inside the transaction after the last statement, while its locks are still held
   * (transactional statements only); tests read pg_locks here.
   */
  observe?: (client: pg.ClientBase) => Promise<void>;
  /**
   * Indexes the statements build CONCURRENTLY. An INVALID index with one of these names is a
   * leftover of a failed build and is dropped before each attempt and after a failure.
   */
  concurrentIndexes?: IndexLocation[];
}

/**
 * Runs lock-taking statements with a bounded lock wait, retrying with backoff on lock timeout.
 * Transactional: all statements in one transaction, retried as a whole. Otherwise (CONCURRENTLY
 * and friends): one statement at a time, each retried on its own.
 */
export async function executeStatements(
  client: pg.ClientBase,
  statements: string[],
  transactional: boolean,
  options: ExecuteStatementsOptions,
): Promise<void> {
  if (statements.length === 0) return;
  if (transactional) await executeInTransaction(client, statements, options);
  else await executeOneByOne(client, statements, options);
}

async function executeInTransaction(client: pg.ClientBase, statements: string[], options: ExecuteStatementsOptions): Promise<void> {
  const { timeouts } = options;
  await withLockRetry(options, async () => {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = ${durationSetting(timeouts.lockTimeoutMs)}`);
      await client.query(`SET LOCAL statement_timeout = ${durationSetting(timeouts.statementTimeoutMs)}`);
      for (const statement of statements) await runStatement(client, statement, options);
      if (options.observe) await options.observe(client);
      await runStatement(client, 'COMMIT', options);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}

async function executeOneByOne(client: pg.ClientBase, statements: string[], options: ExecuteStatementsOptions): Promise<void> {
  const { timeouts } = options;
  // session-level: these statements cannot run inside a transaction block, so SET LOCAL is useless
  await client.query(`SET lock_timeout = ${durationSetting(timeouts.lockTimeoutMs)}`);
  await client.query(`SET statement_timeout = ${durationSetting(timeouts.statementTimeoutMs)}`);
  try {
    for (const statement of statements) {
      await withLockRetry(options, async (attempt) => {
        await dropInvalidLeftovers(client, options, attempt === 1 ? 'an earlier interrupted run' : 'the previous attempt');
        try {
          await runStatement(client, statement, options);
        } catch (error) {
          if (!isRetryableLockError(error)) await cleanUpAfterFailure(client, options, error);
          throw error;
        }
      });
    }
  } finally {
    await client.query('RESET lock_timeout').catch(() => {});
    await client.query('RESET statement_timeout').catch(() => {});
  }
}

/** Retryable lock errors pass through untouched for withLockRetry; anything else names its statement. */
async function runStatement(client: pg.ClientBase, statement: string, options: ExecuteStatementsOptions): Promise<void> {
  try {
    await client.query(statement);
  } catch (error) {
    if (isRetryableLockError(error)) throw error;
    throw new LiveshiftError(`${options.label} failed: ${describeDatabaseError(error)}\n  statement: ${statement}`, EXIT_FAILED, {
      step: options.step,
      cause: error,
    });
  }
}

async function dropInvalidLeftovers(client: pg.ClientBase, options: ExecuteStatementsOptions, leftBy: string): Promise<void> {
  for (const index of options.concurrentIndexes ?? []) {
    if (!(await isInvalidIndex(client, index))) continue;
    options.log(`${options.label}: dropping INVALID index ${displayIndex(index)} left by ${leftBy} (DROP INDEX CONCURRENTLY)`);
    await dropIndexConcurrently(client, index);
  }
}

/** After a non-retryable failure: leave no INVALID index behind, and say so if that fails too. */
async function cleanUpAfterFailure(client: pg.ClientBase, options: ExecuteStatementsOptions, failure: unknown): Promise<void> {
  try {
    await dropInvalidLeftovers(client, options, 'this failed build');
  } catch (cleanupError) {
    const names = (options.concurrentIndexes ?? []).map(displayIndex).join(', ');
    throw new LiveshiftError(
      `${errorMessage(failure)}\n  and the INVALID index left behind (${names}) could not be dropped: ${describeDatabaseError(cleanupError)}; ` +
        'drop it with DROP INDEX CONCURRENTLY before running the step again',
      EXIT_FAILED,
      { step: options.step, cause: failure },
    );
  }
}
