import type { TableRef } from '../../schema/snapshot.js';

/** Always-backquoted identifier: safe for mixed case, spaces, backquotes and reserved words. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error(`identifier ${JSON.stringify(name)} contains a NUL byte`);
  return `\`${name.replace(/`/g, '``')}\``;
}

/** `database`.`table` (a MySQL database is what a PostgreSQL schema is to a snapshot). */
export function qualify(ref: TableRef): string {
  return `${quoteIdent(ref.schema)}.${quoteIdent(ref.name)}`;
}

/**
 * A string literal for catalog lookups ('' doubling). A backslash means something different with and
 * without NO_BACKSLASH_ESCAPES in sql_mode, so names containing one are refused rather than guessed.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('string literal contains a NUL byte');
  if (value.includes('\\')) throw new Error(`${JSON.stringify(value)} contains a backslash, whose meaning in a MySQL string literal depends on sql_mode; rename it`);
  return `'${value.replace(/'/g, "''")}'`;
}
