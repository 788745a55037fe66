import type { Checkpoint } from '../../plan/types.js';
import type { TableRef } from '../../schema/snapshot.js';
import { qualify, quoteIdent, quoteLiteral } from './quote.js';

/** Checkpoint queries against the catalog: each returns one value, compared as text. */
const rel = (ref: TableRef) => `to_regclass(${quoteLiteral(qualify(ref))})`;
const att = (ref: TableRef, column: string) =>
  `FROM pg_catalog.pg_attribute WHERE attrelid = ${rel(ref)} AND attname = ${quoteLiteral(column)} AND NOT attisdropped`;

export function columnExists(ref: TableRef, column: string, exists: boolean): Checkpoint {
  return {
    description: `column ${column} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT count(*) ${att(ref, column)}`,
    expected: exists ? 1 : 0,
  };
}

export function columnNotNull(ref: TableRef, column: string, notNull: boolean): Checkpoint {
  return {
    description: `column ${column} is ${notNull ? 'NOT NULL' : 'nullable'}`,
    sql: `SELECT attnotnull ${att(ref, column)}`,
    expected: notNull,
  };
}

export function columnHasDefault(ref: TableRef, column: string, hasDefault: boolean): Checkpoint {
  return {
    description: `column ${column} ${hasDefault ? 'has' : 'has no'} default`,
    sql: `SELECT atthasdef ${att(ref, column)}`,
    expected: hasDefault,
  };
}

export function constraintState(ref: TableRef, name: string, state: 'validated' | 'not_valid' | 'absent'): Checkpoint {
  const where = `FROM pg_catalog.pg_constraint WHERE conrelid = ${rel(ref)} AND conname = ${quoteLiteral(name)}`;
  if (state === 'absent') return { description: `constraint ${name} is gone`, sql: `SELECT count(*) ${where}`, expected: 0 };
  return {
    description: `constraint ${name} exists${state === 'validated' ? ' and is validated' : ' (NOT VALID)'}`,
    sql: `SELECT coalesce(bool_and(convalidated), ${state === 'validated' ? 'false' : 'true'}) = ${state === 'validated'} AND count(*) = 1 ${where}`,
    expected: true,
  };
}

export function indexValid(ref: TableRef, index: string): Checkpoint {
  const idx = quoteLiteral(`${quoteIdent(ref.schema)}.${quoteIdent(index)}`);
  return {
    description: `index ${index} exists and is VALID (a failed CONCURRENTLY build leaves it INVALID)`,
    sql: `SELECT coalesce((SELECT indisvalid FROM pg_catalog.pg_index WHERE indexrelid = to_regclass(${idx})), false)`,
    expected: true,
  };
}

export function triggerExists(ref: TableRef, trigger: string, exists: boolean): Checkpoint {
  return {
    description: `trigger ${trigger} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgrelid = ${rel(ref)} AND tgname = ${quoteLiteral(trigger)}`,
    expected: exists ? 1 : 0,
  };
}

/** Whether a table (or any relation: a view counts) of that name exists. */
export function relationExists(ref: TableRef, exists: boolean, what = 'table'): Checkpoint {
  return {
    description: `${what} ${ref.schema}.${ref.name} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT ${rel(ref)} IS ${exists ? 'NOT ' : ''}NULL`,
    expected: true,
  };
}

export function columnType(ref: TableRef, column: string, type: string): Checkpoint {
  return { description: `column ${column} is ${type}`, sql: `SELECT format_type(atttypid, atttypmod) ${att(ref, column)}`, expected: type };
}
