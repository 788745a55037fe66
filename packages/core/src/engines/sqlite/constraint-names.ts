import type { ConstraintSchema, TableSchema } from '../../schema/snapshot.js';
import { derivedName } from '../postgres/quote.js';
import { parseCreateTable } from './create-statement.js';

/**
 * SQLite constraints need not have names; liveshift gives an unnamed one the name PostgreSQL would
 * (users_pkey, users_email_key, orders_user_id_fkey, orders_qty_check), derived from its table, so
 * plans can name every constraint. Introspection and recipes use this one rule.
 */
export function derivedConstraintName(table: string, type: ConstraintSchema['type'], columns: string[]): string {
  switch (type) {
    case 'primary_key':
      return `${table}_pkey`;
    case 'unique':
      return derivedName([table, ...columns], 'key');
    case 'foreign_key':
      return derivedName([table, ...columns], 'fkey');
    case 'check':
      return derivedName([table, ...(columns.length === 1 ? columns : [])], 'check');
  }
}

/** Constraints the CREATE TABLE text does not name: their names follow the table's (e.g. through a rename). */
export function unnamedConstraints(table: TableSchema): ConstraintSchema[] {
  if (!table.definition) return [];
  const parsed = parseCreateTable(table.definition);
  const named = new Set([...parsed.columns.flatMap((c) => c.clauses), ...parsed.constraints].flatMap((k) => (k.name ? [k.name] : [])));
  return table.constraints.filter((k) => !named.has(k.name));
}
