import type Database from 'better-sqlite3';
import type { Checkpoint } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError, describeDatabaseError } from '../errors.js';

/** The checkpoint query's first value compared, as text, with the expected one (SQLite booleans are 0/1). */
export function evaluateSqliteCheckpoint(db: Database.Database, checkpoint: Checkpoint): { met: boolean; actual: string } {
  const value = db.prepare(checkpoint.sql).pluck().get() as unknown;
  if (value === undefined) return { met: false, actual: '(no rows)' };
  const actual = value === null ? 'NULL' : String(value);
  const expected = typeof checkpoint.expected === 'boolean' ? (checkpoint.expected ? '1' : '0') : String(checkpoint.expected);
  return { met: actual === expected, actual };
}

export function assertSqliteCheckpoint(db: Database.Database, checkpoint: Checkpoint, label: string, step?: number): void {
  let result: { met: boolean; actual: string };
  try {
    result = evaluateSqliteCheckpoint(db, checkpoint);
  } catch (error) {
    throw new LiveshiftError(`${label}: checkpoint "${checkpoint.description}" could not be evaluated: ${describeDatabaseError(error)}\n  query: ${checkpoint.sql}`, EXIT_FAILED, { step, cause: error });
  }
  if (!result.met) {
    throw new LiveshiftError(
      `${label}: checkpoint not met: ${checkpoint.description} (expected ${String(checkpoint.expected)}, got ${result.actual})\n  query: ${checkpoint.sql}`,
      EXIT_FAILED,
      { step },
    );
  }
}
