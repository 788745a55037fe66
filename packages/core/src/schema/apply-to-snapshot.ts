import type { SchemaChange, Step } from '../plan/types.js';
import { findTable, normalizeSnapshot, type SchemaSnapshot, type TableSchema } from './snapshot.js';

/**
 * The schema after `step`: each of the step's declared changes applied to a copy of `snapshot`.
 * Row estimates and sizes are carried over unchanged (a plan does not predict them).
 */
export function applyToSnapshot(snapshot: SchemaSnapshot, step: Pick<Step, 'changes' | 'n'>): SchemaSnapshot {
  const next: SchemaSnapshot = structuredClone(snapshot);
  for (const change of step.changes) applyChange(next, change, step.n);
  return normalizeSnapshot(next);
}

/** Applies every step in order; returns the snapshot after each (index i = after steps[i]). */
export function snapshotsAfterSteps(snapshot: SchemaSnapshot, steps: Pick<Step, 'changes' | 'n'>[]): SchemaSnapshot[] {
  const out: SchemaSnapshot[] = [];
  let current = snapshot;
  for (const step of steps) {
    current = applyToSnapshot(current, step);
    out.push(current);
  }
  return out;
}

function applyChange(snapshot: SchemaSnapshot, change: SchemaChange, stepN: number): void {
  if (change.op === 'add_enum_value') return applyEnumChange(snapshot, change, stepN);
  if (change.op === 'create_table' || change.op === 'drop_table' || change.op === 'rename_table') return applyTableChange(snapshot, change, stepN);
  const table = findTable(snapshot, change.table);
  const where = `step ${stepN}: ${change.op} on ${change.table.schema}.${change.table.name}`;
  if (!table) throw new Error(`${where}: table not in the snapshot`);
  const col = (name: string) => {
    const c = table.columns.find((x) => x.name === name);
    if (!c) throw new Error(`${where}: column "${name}" not in the snapshot`);
    return c;
  };
  const remove = <K extends 'indexes' | 'constraints' | 'triggers'>(list: K, name: string) => {
    const items = table[list] as { name: string }[];
    const i = items.findIndex((x) => x.name === name);
    if (i < 0) throw new Error(`${where}: "${name}" not in the snapshot`);
    items.splice(i, 1);
  };
  switch (change.op) {
    case 'add_column':
      if (table.columns.some((c) => c.name === change.column.name)) throw new Error(`${where}: column "${change.column.name}" already exists`);
      table.columns.push({ ...change.column });
      return;
    case 'drop_column':
      col(change.column);
      table.columns = table.columns.filter((c) => c.name !== change.column);
      dropDependents(table, change.column);
      return;
    case 'rename_column':
      col(change.from).name = change.to;
      for (const ix of table.indexes) ix.columns = ix.columns.map((c) => (c === change.from ? change.to : c));
      for (const k of table.constraints) k.columns = k.columns.map((c) => (c === change.from ? change.to : c));
      return;
    case 'set_default':
      col(change.column).default = change.default;
      return;
    case 'set_nullable':
      col(change.column).nullable = change.nullable;
      return;
    case 'add_index':
      table.indexes.push({ ...change.index });
      return;
    case 'drop_index':
      return remove('indexes', change.index);
    case 'add_constraint':
      table.constraints.push({ ...change.constraint });
      return;
    case 'validate_constraint': {
      const k = table.constraints.find((x) => x.name === change.constraint);
      if (!k) throw new Error(`${where}: constraint "${change.constraint}" not in the snapshot`);
      k.validated = true;
      k.definition = k.definition.replace(/\s+NOT VALID$/, '');
      return;
    }
    case 'drop_constraint':
      return remove('constraints', change.constraint);
    case 'add_trigger':
      table.triggers.push({ ...change.trigger });
      return;
    case 'drop_trigger':
      return remove('triggers', change.trigger);
    case 'set_index_primary': {
      const ix = table.indexes.find((x) => x.name === change.index);
      if (!ix) throw new Error(`${where}: index "${change.index}" not in the snapshot`);
      ix.primary = change.primary;
      return;
    }
    case 'set_column_type':
      col(change.column).type = change.type;
      return;
    case 'attach_partition':
    case 'detach_partition': {
      const part = findTable(snapshot, change.partition);
      if (!part) throw new Error(`${where}: partition ${change.partition.schema}.${change.partition.name} not in the snapshot`);
      if (change.op === 'attach_partition') part.partitionOf = { table: `${change.table.schema}.${change.table.name}`, bound: change.bound };
      else delete part.partitionOf;
      return;
    }
    case 'rename_index': {
      const ix = table.indexes.find((x) => x.name === change.from);
      if (!ix) throw new Error(`${where}: index "${change.from}" not in the snapshot`);
      if (table.indexes.some((x) => x.name === change.to)) throw new Error(`${where}: index "${change.to}" already exists`);
      ix.name = change.to;
      return;
    }
  }
}

/** Whole-table changes: the table appears, disappears, or changes name (foreign keys elsewhere follow it, as pg_constraint does by OID). */
function applyTableChange(snapshot: SchemaSnapshot, change: Extract<SchemaChange, { op: 'create_table' | 'drop_table' | 'rename_table' }>, stepN: number): void {
  const where = `step ${stepN}: ${change.op} on ${change.table.schema}.${change.table.name}`;
  const existing = findTable(snapshot, change.table);
  switch (change.op) {
    case 'create_table':
      if (existing) throw new Error(`${where}: table already exists`);
      snapshot.tables.push({
        schema: change.table.schema,
        name: change.table.name,
        columns: change.columns.map((c) => ({ ...c })),
        indexes: change.indexes.map((i) => ({ ...i })),
        constraints: change.constraints.map((k) => ({ ...k })),
        triggers: [],
        rowEstimate: 0,
        sizeBytes: 0,
      });
      return;
    case 'drop_table':
      if (!existing) throw new Error(`${where}: table not in the snapshot`);
      snapshot.tables = snapshot.tables.filter((t) => t !== existing);
      return;
    case 'rename_table': {
      if (!existing) throw new Error(`${where}: table not in the snapshot`);
      if (findTable(snapshot, { schema: change.table.schema, name: change.to })) throw new Error(`${where}: a table named "${change.to}" already exists`);
      const from = `${change.table.schema}.${change.table.name}`;
      existing.name = change.to;
      for (const t of snapshot.tables) {
        for (const k of t.constraints) if (k.references?.table === from) k.references = { ...k.references, table: `${change.table.schema}.${change.to}` };
      }
      return;
    }
  }
}

/** PostgreSQL drops indexes and constraints that depend on a dropped column. */
function dropDependents(table: TableSchema, column: string): void {
  table.indexes = table.indexes.filter((ix) => !ix.columns.includes(column));
  table.constraints = table.constraints.filter((k) => !k.columns.includes(column));
}

/** A new label in an enum type, where ALTER TYPE … ADD VALUE puts it; a snapshot without enum facts stays without. */
function applyEnumChange(snapshot: SchemaSnapshot, change: Extract<SchemaChange, { op: 'add_enum_value' }>, stepN: number): void {
  if (!snapshot.enums) return;
  const where = `step ${stepN}: ${change.op} on ${change.type.schema}.${change.type.name}`;
  const type = snapshot.enums.find((e) => e.schema === change.type.schema && e.name === change.type.name);
  if (!type) throw new Error(`${where}: enum type not in the snapshot`);
  if (type.values.includes(change.value)) throw new Error(`${where}: value "${change.value}" already exists`);
  const neighbour = change.before ?? change.after;
  const at = neighbour === undefined ? type.values.length : type.values.indexOf(neighbour) + (change.after !== undefined ? 1 : 0);
  if (neighbour !== undefined && type.values.indexOf(neighbour) < 0) throw new Error(`${where}: value "${neighbour}" not in the snapshot`);
  type.values.splice(at, 0, change.value);
}
