import type { ConstraintSchema, TableRef } from '../../schema/snapshot.js';
import type { LockClaim } from '../../plan/types.js';
import { displayName, qualify } from '../../engines/postgres/quote.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import type { RecipeContext } from '../context.js';

/**
 * The tables a change of one column reaches besides its own: both ends of its foreign keys and,
 * for a partitioned table, its partitions — which the plan locks, in which order, and how long it
 * waits for them.
 */

export interface ForeignKeyNeighbour {
  /** The other table, schema.table. */
  table: string;
  ref: TableRef;
  constraint: ConstraintSchema;
  /** true: this table's column references the other table; false: the other table references this column. */
  referencing: boolean;
}

/** Foreign keys on either side of the column: an in-place change locks the other table too (measured: ACCESS EXCLUSIVE). */
export function foreignKeyNeighbours(ctx: RecipeContext, column: string): ForeignKeyNeighbour[] {
  const out: ForeignKeyNeighbour[] = [];
  const byName = (name: string) => ctx.snapshot.tables.find((t) => displayName(t) === name);
  for (const k of ctx.table.constraints) {
    const target = k.type === 'foreign_key' && k.columns.includes(column) && k.references ? byName(k.references.table) : undefined;
    if (target) out.push({ table: displayName(target), ref: { schema: target.schema, name: target.name }, constraint: k, referencing: true });
  }
  for (const t of ctx.snapshot.tables) {
    for (const k of t.constraints) {
      if (k.type === 'foreign_key' && k.references?.table === ctx.tableName && k.references.columns.includes(column)) {
        out.push({ table: displayName(t), ref: { schema: t.schema, name: t.name }, constraint: k, referencing: false });
      }
    }
  }
  return out;
}

export function otherTablesLocked(ctx: RecipeContext, column: string): { refs: TableRef[]; alsoLocks: LockClaim['alsoLocks'] } {
  const refs = uniqueRefs([...foreignKeyNeighbours(ctx, column).map((n) => n.ref), ...partitionsOf(ctx, ctx.tableName)]).filter((r) => displayName(r) !== ctx.tableName);
  return { refs, alsoLocks: refs.map((r) => ({ table: displayName(r), mode: 'ACCESS EXCLUSIVE' as const })) };
}

/**
 * The tables an ALTER on the column locks, in the order the plan takes them up front: tables that
 * reference the column first, then the table, then the tables it references and its partitions.
 * An application writing a referencing row locks the referencing table before the referenced one;
 * taking them in the same order means the plan waits instead of deadlocking with it.
 */
export function lockOrder(ctx: RecipeContext, neighbours: { ref: TableRef; referencing: boolean }[]): TableRef[] {
  const children = neighbours.filter((n) => !n.referencing).map((n) => n.ref);
  const parents = neighbours.filter((n) => n.referencing).map((n) => n.ref);
  return uniqueRefs([...children, ctx.ref, ...parents, ...partitionsOf(ctx, ctx.tableName)]);
}

/**
 * Below PostgreSQL's default deadlock_timeout (1 s): when the application takes the same tables in
 * the other order (a DELETE cascading to the referencing table), the plan's wait for its second
 * lock runs out and is retried before the deadlock detector can pick an application query as the
 * victim (measured under test traffic: with a longer wait, a cascading DELETE was cancelled).
 */
export const MULTI_TABLE_LOCK_TIMEOUT_MS = 500;

export function multiTableTimeouts(ctx: RecipeContext, tables: number) {
  return ddlTimeouts(tables > 1 ? Math.min(ctx.options.lockTimeoutMs, MULTI_TABLE_LOCK_TIMEOUT_MS) : ctx.options.lockTimeoutMs, ctx.options.retries);
}

export const MULTI_TABLE_CAVEAT = `It locks several tables: lock_timeout is at most ${MULTI_TABLE_LOCK_TIMEOUT_MS} ms per attempt (below the default deadlock_timeout of 1 s), so when the application locks them in the other order this step gives way and retries instead of having an application query cancelled as a deadlock victim.`;

/** LOCK TABLE … of every table the step locks, in lockOrder, when there is more than the table itself. */
export function lockUpFront(ctx: RecipeContext, column: string): string[] {
  const order = lockOrder(ctx, foreignKeyNeighbours(ctx, column));
  return order.length > 1 ? [`LOCK TABLE ${order.map(qualify).join(', ')} IN ACCESS EXCLUSIVE MODE`] : [];
}

/** Every partition below a partitioned table (an ALTER on the parent recurses to them all). */
export function partitionsOf(ctx: RecipeContext, table: string): TableRef[] {
  return ctx.snapshot.tables
    .filter((t) => t.partitionOf?.table === table)
    .flatMap((t) => [{ schema: t.schema, name: t.name }, ...partitionsOf(ctx, displayName(t))]);
}

export function uniqueRefs(refs: TableRef[]): TableRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(displayName(r)) && seen.add(displayName(r)));
}
