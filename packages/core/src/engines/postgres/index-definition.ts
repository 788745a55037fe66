import type { Checkpoint } from '../../plan/types.js';
import type { ConstraintSchema, IndexSchema, SchemaSnapshot, TableRef, TableSchema } from '../../schema/snapshot.js';
import { PlanningError } from '../../errors.js';
import { deparseNode, parseStatements } from '../../input/pg-parser.js';
import { displayName, quoteIdent, quoteLiteral } from './quote.js';

/**
 * Rebuilding an index exactly as it is: its pg_get_indexdef text (kept in the snapshot) parsed by
 * the real parser and printed again, optionally CONCURRENTLY and under another name. Operator
 * classes, sort order, INCLUDE, storage parameters and predicates all survive; nothing is guessed.
 */
export function indexBuildSql(ref: TableRef, index: IndexSchema, options: { concurrently: boolean; name?: string; ifNotExists?: boolean }, statement: string): string {
  const missing = () =>
    new PlanningError(
      `the snapshot has no usable definition for index ${ref.schema}.${index.name}, so it cannot be rebuilt; take a fresh snapshot (liveshift snapshot, or plan with --db)`,
      statement,
    );
  if (!index.definition.trim()) throw missing();
  const parsed = parseStatements(index.definition);
  const stmt = parsed.length === 1 && parsed[0]!.type === 'IndexStmt' ? parsed[0]!.node : undefined;
  if (!stmt) throw missing();
  const node = structuredClone(stmt);
  node.concurrent = options.concurrently;
  if (options.ifNotExists) node.if_not_exists = true;
  if (options.name !== undefined) node.idxname = options.name;
  return deparseNode({ IndexStmt: node });
}

/** "schema"."index" */
export function qualifiedIndex(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function indexGone(schema: string, name: string): Checkpoint {
  return {
    description: `index ${name} is gone`,
    sql: `SELECT to_regclass(${quoteLiteral(qualifiedIndex(schema, name))}) IS NULL`,
    expected: true,
  };
}

/** The primary key or unique constraint an index implements (same name, as PostgreSQL makes them), if any. */
export function constraintOfIndex(table: TableSchema, index: IndexSchema): ConstraintSchema | undefined {
  return table.constraints.find((k) => (k.type === 'primary_key' || k.type === 'unique') && k.name === index.name);
}

/** Foreign keys, on any table, that reference exactly these columns (in any order) of `ref`. */
export function foreignKeysReferencing(snapshot: SchemaSnapshot, ref: TableRef, columns: string[]): { table: string; constraint: ConstraintSchema }[] {
  const name = displayName(ref);
  return snapshot.tables.flatMap((t) =>
    t.constraints
      .filter((k) => k.type === 'foreign_key' && k.references?.table === name && sameSet(k.references.columns, columns))
      .map((constraint) => ({ table: `${t.schema}.${t.name}`, constraint })),
  );
}

/**
 * Foreign keys that may rely on a unique index that is not a constraint's: PostgreSQL ties a
 * foreign key to a valid, non-partial unique index on exactly the referenced columns, preferring
 * a primary key or unique constraint when one exists on the same columns.
 */
export function foreignKeysRelyingOnIndex(snapshot: SchemaSnapshot, ref: TableRef, table: TableSchema, index: IndexSchema) {
  if (!index.unique || index.predicate !== null) return [];
  const plain = new Set(table.columns.map((c) => c.name));
  if (!index.columns.every((c) => plain.has(c))) return [];
  const constraintOnSameColumns = table.constraints.some((k) => (k.type === 'primary_key' || k.type === 'unique') && k.name !== index.name && sameSet(k.columns, index.columns));
  if (constraintOnSameColumns && !constraintOfIndex(table, index)) return [];
  return foreignKeysReferencing(snapshot, ref, index.columns);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
