import type pg from 'pg';
import type { Checkpoint } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError, describeDatabaseError } from '../errors.js';

/** A step's proof of completion: its query's first value compared, as text, with the expected one. */

export interface CheckpointResult {
  met: boolean;
  /** The first column of the first row as text; "(no rows)" when the query returned none. */
  actual: string;
}

const NO_ROWS = '(no rows)';

/** Booleans compare equal whether written true/'true' or as PostgreSQL prints them, 't'. */
function asComparableText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  if (text === 't') return 'true';
  if (text === 'f') return 'false';
  return text;
}

export async function evaluateCheckpoint(client: Pick<pg.ClientBase, 'query'>, checkpoint: Checkpoint): Promise<CheckpointResult> {
  // rowMode array: the first column whatever its name
  const result = await client.query({ text: checkpoint.sql, rowMode: 'array' });
  const firstRow = result.rows[0] as unknown[] | undefined;
  if (!firstRow) return { met: false, actual: NO_ROWS };
  const actual = asComparableText(firstRow[0]);
  return { met: actual === asComparableText(checkpoint.expected), actual };
}

/** Throws a LiveshiftError (exit 1) unless the checkpoint holds. */
export async function assertCheckpoint(
  client: Pick<pg.ClientBase, 'query'>,
  checkpoint: Checkpoint,
  label: string,
  step?: number,
): Promise<void> {
  let result: CheckpointResult;
  try {
    result = await evaluateCheckpoint(client, checkpoint);
  } catch (error) {
    throw new LiveshiftError(
      `${label}: checkpoint "${checkpoint.description}" could not be evaluated: ${describeDatabaseError(error)}\n  query: ${checkpoint.sql}`,
      EXIT_FAILED,
      { step, cause: error },
    );
  }
  if (!result.met) {
    throw new LiveshiftError(
      `${label}: checkpoint not met: ${checkpoint.description}\n  query: ${checkpoint.sql}\n  expected: ${String(checkpoint.expected)}\n  actual: ${result.actual}`,
      EXIT_FAILED,
      { step },
    );
  }
}
