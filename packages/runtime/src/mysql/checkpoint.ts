import type { Checkpoint } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError } from '../errors.js';
import type { CheckpointResult } from '../postgres/checkpoint.js';
import { describeMysqlError, type MysqlConnection } from './connect.js';

/** MySQL returns booleans as 1/0: an expected true or false compares as such. */
function comparable(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value === null || value === undefined) return 'NULL';
  return String(value);
}

export async function evaluateMysqlCheckpoint(connection: MysqlConnection, checkpoint: Checkpoint): Promise<CheckpointResult> {
  const [rows] = await connection.query({ sql: checkpoint.sql, rowsAsArray: true });
  const first = (rows as unknown[][])[0];
  if (!first) return { met: false, actual: '(no rows)' };
  const actual = comparable(first[0]);
  return { met: actual === comparable(checkpoint.expected), actual };
}

export async function assertMysqlCheckpoint(connection: MysqlConnection, checkpoint: Checkpoint, label: string, step?: number): Promise<void> {
  let result: CheckpointResult;
  try {
    result = await evaluateMysqlCheckpoint(connection, checkpoint);
  } catch (error) {
    throw new LiveshiftError(`${label}: checkpoint "${checkpoint.description}" could not be evaluated: ${describeMysqlError(error)}\n  query: ${checkpoint.sql}`, EXIT_FAILED, { step, cause: error });
  }
  if (!result.met) {
    throw new LiveshiftError(`${label}: checkpoint not met: ${checkpoint.description}\n  query: ${checkpoint.sql}\n  expected: ${String(checkpoint.expected)}\n  actual: ${result.actual}`, EXIT_FAILED, { step });
  }
}
