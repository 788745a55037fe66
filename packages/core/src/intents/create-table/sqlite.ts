import type { ColumnSchema, ConstraintSchema, SchemaSnapshot, TableRef } from '../../schema/snapshot.js';
import { findTable } from '../../schema/snapshot.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { CreateTableIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { displayName, quoteIdent } from '../../engines/sqlite/quote.js';
import { mentionedColumns } from '../../engines/sqlite/create-statement.js';
import { tableExists, writeStep } from '../../engines/sqlite/steps.js';
import { declaredType } from '../../engines/sqlite/types.js';
import { makeContext, resolveTable, type ResolvedOptions } from '../context.js';

/**
 * recipes.md I-27 on SQLite: a new table is one brief write transaction. Every constraint is
 * named (CONSTRAINT "…"), so the plan and the introspected schema agree on the names; primary key
 * columns are declared NOT NULL (SQLite would otherwise accept NULL in a non-INTEGER key).
 */
export function createTableRecipe(snapshot: SchemaSnapshot, intent: CreateTableIntent, options: ResolvedOptions, statement: string): { ref: TableRef; result: RecipeResult } {
  const ref: TableRef = typeof intent.table === 'string' ? { schema: 'main', name: intent.table } : intent.table;
  if (findTable(snapshot, ref)) throw new PlanningError(`table ${displayName(ref)} already exists`, statement);
  const pk = intent.primaryKey?.columns ?? [];
  const columns: ColumnSchema[] = intent.columns.map((c) => {
    if (c.identity) throw new PlanningError(`column "${c.name}": SQLite has no identity columns; declare it INTEGER PRIMARY KEY (the rowid) instead`, statement);
    if (/serial$/i.test(c.type)) throw new PlanningError(`column "${c.name}": ${c.type} is PostgreSQL's; on SQLite declare it INTEGER PRIMARY KEY`, statement);
    return { name: c.name, type: declaredType(snapshot.engine, c.type), nullable: c.nullable && !pk.includes(c.name), default: c.default ?? null };
  });
  const names = columns.map((c) => c.name);
  const known = (cols: string[], what: string) => {
    for (const c of cols) if (!names.includes(c)) throw new PlanningError(`${what} names column "${c}", which is not among the new table's columns (${names.join(', ')})`, statement);
    return cols;
  };
  const constraints: ConstraintSchema[] = [];
  const list = (cols: string[]) => cols.map(quoteIdent).join(', ');
  if (intent.primaryKey) {
    const cols = known(intent.primaryKey.columns, 'the primary key');
    constraints.push({ name: intent.primaryKey.name ?? `${ref.name}_pkey`, type: 'primary_key', columns: cols, definition: `PRIMARY KEY (${list(cols)})`, validated: true, references: null });
  }
  for (const u of intent.unique) {
    const cols = known(u.columns, 'a unique constraint');
    constraints.push({ name: u.name ?? derivedName([ref.name, ...cols], 'key'), type: 'unique', columns: cols, definition: `UNIQUE (${list(cols)})`, validated: true, references: null });
  }
  for (const check of intent.checks) {
    const cols = mentionedColumns(check.expr, names);
    constraints.push({ name: check.name ?? derivedName([ref.name, ...(cols.length === 1 ? cols : [])], 'check'), type: 'check', columns: cols, definition: `CHECK (${check.expr})`, validated: true, references: null });
  }
  for (const fk of intent.foreignKeys) {
    const cols = known(fk.columns, 'a foreign key');
    const self = (typeof fk.references.table === 'string' ? fk.references.table : fk.references.table.name) === ref.name;
    const parentRef = self ? ref : resolveTable(snapshot, fk.references.table, statement);
    const parentColumns = fk.references.columns ?? (self ? pk : findTable(snapshot, parentRef)!.constraints.find((k) => k.type === 'primary_key')?.columns);
    if (!parentColumns?.length) throw new PlanningError(`${displayName(parentRef)} has no primary key; name the referenced columns`, statement);
    const actions = `${fk.onDelete ? ` ON DELETE ${fk.onDelete.toUpperCase()}` : ''}${fk.onUpdate ? ` ON UPDATE ${fk.onUpdate.toUpperCase()}` : ''}`;
    constraints.push({
      name: fk.name ?? derivedName([ref.name, ...cols], 'fkey'),
      type: 'foreign_key',
      columns: cols,
      definition: `FOREIGN KEY (${list(cols)}) REFERENCES ${quoteIdent(parentRef.name)} (${list(parentColumns)})${actions}`,
      validated: true,
      references: { table: displayName(parentRef), columns: parentColumns },
    });
  }
  const twice = constraints.find((k, i) => constraints.findIndex((x) => x.name === k.name) !== i);
  if (twice) throw new PlanningError(`two constraints are named "${twice.name}"`, statement);
  const body = [
    ...columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}${c.default !== null ? ` DEFAULT ${c.default}` : ''}`),
    ...constraints.map((k) => `CONSTRAINT ${quoteIdent(k.name)} ${k.definition}`),
  ];
  // a context over the table-to-be, for the shared step builder
  const bare = { schema: ref.schema, name: ref.name, columns, indexes: [], constraints, triggers: [], rowEstimate: 0, sizeBytes: 0 };
  const ctx = makeContext({ ...snapshot, tables: [...snapshot.tables, bare] }, ref, options, statement);
  const step = writeStep(ctx, {
    title: `Create table ${ref.name}`,
    release: 0,
    sql: [`CREATE TABLE ${quoteIdent(ref.name)} (${body.join(', ')})`],
    rollback: { kind: 'sql', sql: [`DROP TABLE ${quoteIdent(ref.name)}`], transactional: true, note: 'while no application writes to it' },
    changes: [{ op: 'create_table', table: ref, columns, indexes: [], constraints }],
    checkpoint: tableExists(ref.name, true),
    caveats: ['A new, empty table: one brief write transaction.'],
  });
  return { ref, result: { steps: [step], warnings: [] } };
}
