import type { IndexSchema, SchemaSnapshot, TableRef } from '../schema/snapshot.js';
import type { Intent } from './types.js';
import { PlanningError } from '../errors.js';
import { resolveTable } from './context.js';

/** An index as an intent names it: "users_email_idx" or { schema, name }. */
export type IndexName = string | { schema: string; name: string };

export interface ResolvedIndex {
  /** The table the index is on. */
  table: TableRef;
  index: IndexSchema;
}

/**
 * Finds an index by name the way an unqualified name resolves with the default search_path:
 * public first, else the one schema that has it. Index names are unique per schema.
 */
export function resolveIndex(snapshot: SchemaSnapshot, name: IndexName, statement: string): ResolvedIndex {
  const all = snapshot.tables.flatMap((t) => t.indexes.map((index) => ({ table: { schema: t.schema, name: t.name }, index })));
  const wanted = typeof name === 'string' ? name : name.name;
  const named = all.filter((x) => x.index.name === wanted);
  const inSchema = (schema: string) => named.find((x) => x.table.schema === schema);
  const found = typeof name === 'string' ? (inSchema('public') ?? (named.length === 1 ? named[0] : undefined)) : inSchema(name.schema);
  if (found) return found;
  if (typeof name === 'string' && named.length > 1) {
    throw new PlanningError(`index "${name}" exists in several schemas (${named.map((x) => x.table.schema).join(', ')}); qualify it`, statement);
  }
  const label = typeof name === 'string' ? name : `${name.schema}.${name.name}`;
  const known = all.slice(0, 10).map((x) => `${x.table.schema}.${x.index.name}`);
  throw new PlanningError(
    `index "${label}" is not in the schema${known.length ? ` (indexes: ${known.join(', ')}${all.length > 10 ? ', …' : ''})` : ' (it has no indexes)'}`,
    statement,
  );
}

/** The table an intent changes: named by the intent, or the table of the index it names; undefined for intents on other objects (enum types). */
export function targetTable(snapshot: SchemaSnapshot, intent: Intent, statement: string): TableRef | undefined {
  if (intent.kind === 'drop_index') return resolveIndex(snapshot, intent.index, statement).table;
  if (intent.kind === 'reindex') {
    if (intent.index !== undefined) return resolveIndex(snapshot, intent.index, statement).table;
    if (intent.table !== undefined) return resolveTable(snapshot, intent.table, statement);
    throw new PlanningError('reindex needs an index or a table', statement);
  }
  return 'table' in intent ? resolveTable(snapshot, intent.table, statement) : undefined;
}

/** "public.users_email_idx", for messages. */
export function indexLabel(resolved: ResolvedIndex): string {
  return `${resolved.table.schema}.${resolved.index.name}`;
}
