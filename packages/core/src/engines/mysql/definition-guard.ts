import type { Checkpoint } from '../../plan/types.js';
import type { ColumnSchema, TableRef } from '../../schema/snapshot.js';
import { quoteLiteral } from './quote.js';

/**
 * MODIFY restates a column's whole definition; what it does not repeat (a COMMENT, ON UPDATE, a
 * collation other than the table's) is silently dropped. The snapshot does not hold those, so the
 * step before a MODIFY checks the server: the column is exactly the type liveshift will restate,
 * with no comment, no extra attribute and the table's collation.
 */
export function definitionGuardSql(ref: TableRef, col: ColumnSchema, printedType: string): string {
  const where = (alias: string) => `${alias}.TABLE_SCHEMA = ${quoteLiteral(ref.schema)} AND ${alias}.TABLE_NAME = ${quoteLiteral(ref.name)}`;
  return (
    `(SELECT COUNT(*) FROM information_schema.COLUMNS c WHERE ${where('c')} AND c.COLUMN_NAME = ${quoteLiteral(col.name)} AND c.COLUMN_TYPE = ${quoteLiteral(printedType)} ` +
    `AND c.COLUMN_COMMENT = '' AND c.EXTRA = '' AND (c.COLLATION_NAME IS NULL OR c.COLLATION_NAME = (SELECT t.TABLE_COLLATION FROM information_schema.TABLES t WHERE ${where('t')})))`
  );
}

export function definitionGuard(ref: TableRef, col: ColumnSchema, printedType: string): Checkpoint {
  return {
    description: `column ${col.name} is ${printedType} with no comment, no ON UPDATE or other extra attribute, and the table's collation (what MODIFY will restate)`,
    sql: `SELECT ${definitionGuardSql(ref, col, printedType)}`,
    expected: 1,
  };
}
