import type { Checkpoint } from '../../plan/types.js';
import type { TableRef } from '../../schema/snapshot.js';
import { quoteLiteral } from './quote.js';

/** Checkpoint queries against information_schema: each returns one integer, compared as text. */
const inTable = (ref: TableRef) => `TABLE_SCHEMA = ${quoteLiteral(ref.schema)} AND TABLE_NAME = ${quoteLiteral(ref.name)}`;
const column = (ref: TableRef, name: string) => `FROM information_schema.COLUMNS WHERE ${inTable(ref)} AND COLUMN_NAME = ${quoteLiteral(name)}`;

export function columnExists(ref: TableRef, name: string, exists: boolean): Checkpoint {
  return { description: `column ${name} ${exists ? 'exists' : 'is gone'}`, sql: `SELECT COUNT(*) ${column(ref, name)}`, expected: exists ? 1 : 0 };
}

export function columnNotNull(ref: TableRef, name: string, notNull: boolean): Checkpoint {
  return {
    description: `column ${name} is ${notNull ? 'NOT NULL' : 'nullable'}`,
    sql: `SELECT COUNT(*) ${column(ref, name)} AND IS_NULLABLE = ${quoteLiteral(notNull ? 'NO' : 'YES')}`,
    expected: 1,
  };
}

/** `printed` as COLUMN_TYPE shows it (see column-type.ts). */
export function columnTypeIs(ref: TableRef, name: string, printed: string): Checkpoint {
  return { description: `column ${name} is ${printed}`, sql: `SELECT COUNT(*) ${column(ref, name)} AND COLUMN_TYPE = ${quoteLiteral(printed)}`, expected: 1 };
}

export function indexExists(ref: TableRef, name: string, exists: boolean): Checkpoint {
  return {
    description: `index ${name} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT COUNT(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS WHERE ${inTable(ref)} AND INDEX_NAME = ${quoteLiteral(name)}`,
    expected: exists ? 1 : 0,
  };
}

export function constraintExists(ref: TableRef, name: string, type: 'FOREIGN KEY' | 'CHECK' | 'UNIQUE', exists: boolean): Checkpoint {
  return {
    description: `${type} constraint ${name} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ${quoteLiteral(ref.schema)} AND TABLE_NAME = ${quoteLiteral(ref.name)} AND CONSTRAINT_NAME = ${quoteLiteral(name)} AND CONSTRAINT_TYPE = ${quoteLiteral(type)}`,
    expected: exists ? 1 : 0,
  };
}

/**
 * Whether the column has a default. MariaDB prints "no default" on a nullable column as the string
 * NULL (a literal 'NULL' default prints quoted); MySQL gives SQL NULL for both no default and DEFAULT NULL.
 */
export function columnHasDefault(ref: TableRef, name: string, has: boolean, flavour: 'mysql' | 'mariadb'): Checkpoint {
  const set = flavour === 'mariadb' ? "COLUMN_DEFAULT IS NOT NULL AND COLUMN_DEFAULT <> 'NULL'" : 'COLUMN_DEFAULT IS NOT NULL';
  return {
    description: `column ${name} ${has ? 'has a default' : 'has no default'}`,
    sql: `SELECT COUNT(*) ${column(ref, name)} AND ${has ? '' : 'NOT '}(${set})`,
    expected: 1,
  };
}

/** A base table (or, with view, a view) of that name exists or not. */
export function relationExists(ref: TableRef, exists: boolean, kind: 'table' | 'view' = 'table'): Checkpoint {
  return {
    description: `${kind} ${ref.schema}.${ref.name} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT COUNT(*) FROM information_schema.TABLES WHERE ${inTable(ref)} AND TABLE_TYPE = ${quoteLiteral(kind === 'view' ? 'VIEW' : 'BASE TABLE')}`,
    expected: exists ? 1 : 0,
  };
}

const INTEGER_TYPE = /^(tinyint|smallint|mediumint|int|integer|bigint)\b/i;
const TEXT_TYPE = /^(char|varchar|tinytext|text|mediumtext|longtext)\b/i;

/**
 * The column's default is `expr`, where both servers print it predictably: an integer literal on an
 * integer column, a plain quoted string on a character column (MariaDB prints the literal as written,
 * MySQL the bare value). Anything else is checked only for having a default (columnHasDefault).
 */
export function columnDefaultIs(ref: TableRef, name: string, columnType: string, expr: string, flavour: 'mysql' | 'mariadb'): Checkpoint {
  const integer = /^-?\d+$/.test(expr) && INTEGER_TYPE.test(columnType);
  const text = /^'[^'\\]*'$/.test(expr) && TEXT_TYPE.test(columnType);
  if (!integer && !text) return columnHasDefault(ref, name, true, flavour);
  const shown = text && flavour === 'mysql' ? expr.slice(1, -1) : expr;
  return { description: `column ${name} defaults to ${expr}`, sql: `SELECT COUNT(*) ${column(ref, name)} AND COLUMN_DEFAULT = ${quoteLiteral(shown)}`, expected: 1 };
}
