import type { TableRef } from '../../schema/snapshot.js';
import { PlanningError } from '../../errors.js';

/**
 * SQLite quoting: identifiers in double quotes (doubled inside), strings in single quotes. Plans
 * name tables unqualified: SQLite's CREATE INDEX and CREATE TRIGGER do not accept a schema on the
 * table name, and liveshift plans for the main database only.
 */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error(`identifier ${JSON.stringify(name)} contains a NUL byte`);
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('string literal contains a NUL byte');
  return `'${value.replace(/'/g, "''")}'`;
}

/** The table as step SQL names it: "users" (schema main, see above). */
export function tableSql(ref: TableRef): string {
  if (ref.schema !== 'main') throw new PlanningError(`SQLite plans cover the main database; ${ref.schema}.${ref.name} is in an attached database`);
  return quoteIdent(ref.name);
}

/** main.users, for lock claims and messages. */
export function displayName(ref: TableRef): string {
  return `${ref.schema}.${ref.name}`;
}
