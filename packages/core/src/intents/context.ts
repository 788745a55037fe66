import type { EngineInfo, SchemaSnapshot, TableRef, TableSchema } from '../schema/snapshot.js';
import { findTable } from '../schema/snapshot.js';
import { PlanningError } from '../errors.js';
import { displayName } from '../engines/postgres/quote.js';
import { isSmallTable, plannedRows } from '../engines/postgres/size.js';

export interface ResolvedOptions {
  sync: 'app' | 'trigger';
  batchSize: number;
  pauseMs: number;
  lockTimeoutMs: number;
  retries: number;
  smallTableBytes: number;
}

/** What every recipe gets: the target table as it is before this intent, and the knobs. */
export interface RecipeContext {
  snapshot: SchemaSnapshot;
  engine: EngineInfo;
  ref: TableRef;
  table: TableSchema;
  /** schema.table, unquoted, for lock claims and messages. */
  tableName: string;
  options: ResolvedOptions;
  small: boolean;
  rows: number;
  /** The input the intent came from, for error messages. */
  statement: string;
}

export function resolveTable(snapshot: SchemaSnapshot, table: string | TableRef, statement: string): TableRef {
  if (typeof table !== 'string') {
    if (!findTable(snapshot, table)) throw unknownTable(snapshot, displayName(table), statement);
    return table;
  }
  if (findTable(snapshot, { schema: 'public', name: table })) return { schema: 'public', name: table };
  const matches = snapshot.tables.filter((t) => t.name === table);
  if (matches.length === 1) return { schema: matches[0]!.schema, name: table };
  if (matches.length > 1) {
    throw new PlanningError(`table "${table}" exists in several schemas (${matches.map((m) => m.schema).join(', ')}); qualify it`, statement);
  }
  throw unknownTable(snapshot, table, statement);
}

function unknownTable(snapshot: SchemaSnapshot, name: string, statement: string): PlanningError {
  const known = snapshot.tables.map((t) => displayName(t)).slice(0, 10);
  return new PlanningError(
    `table "${name}" is not in the schema${known.length ? ` (tables: ${known.join(', ')}${snapshot.tables.length > 10 ? ', …' : ''})` : ' (it has no tables)'}`,
    statement,
  );
}

export function makeContext(snapshot: SchemaSnapshot, ref: TableRef, options: ResolvedOptions, statement: string): RecipeContext {
  const table = findTable(snapshot, ref)!;
  return {
    snapshot,
    engine: snapshot.engine,
    ref,
    table,
    tableName: displayName(ref),
    options,
    small: isSmallTable(table, options.smallTableBytes),
    rows: plannedRows(table),
    statement,
  };
}

export function requireColumn(ctx: RecipeContext, name: string) {
  const col = ctx.table.columns.find((c) => c.name === name);
  if (!col) {
    throw new PlanningError(
      `column "${name}" does not exist in ${ctx.tableName} (columns: ${ctx.table.columns.map((c) => c.name).join(', ')})`,
      ctx.statement,
    );
  }
  return col;
}

export function requireNoColumn(ctx: RecipeContext, name: string): void {
  if (ctx.table.columns.some((c) => c.name === name)) {
    throw new PlanningError(`column "${name}" already exists in ${ctx.tableName}`, ctx.statement);
  }
}

/** Relation names (tables, indexes) share one namespace per schema. */
export function requireFreeRelationName(ctx: RecipeContext, name: string): void {
  const taken = ctx.snapshot.tables.some(
    (t) => t.schema === ctx.ref.schema && (t.name === name || t.indexes.some((i) => i.name === name) || t.constraints.some((k) => k.name === name && (k.type === 'primary_key' || k.type === 'unique'))),
  );
  if (taken) throw new PlanningError(`a relation named "${name}" already exists in schema ${ctx.ref.schema}`, ctx.statement);
}

export function requireFreeConstraintName(ctx: RecipeContext, name: string): void {
  if (ctx.table.constraints.some((k) => k.name === name)) {
    throw new PlanningError(`constraint "${name}" already exists on ${ctx.tableName}`, ctx.statement);
  }
}
