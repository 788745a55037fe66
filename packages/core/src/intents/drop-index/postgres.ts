import type { IndexSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { Rollback } from '../../plan/types.js';
import type { DropIndexIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { qualify } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability } from '../../engines/postgres/capabilities.js';
import { constraintOfIndex, foreignKeysRelyingOnIndex, indexBuildSql, indexGone, qualifiedIndex } from '../../engines/postgres/index-definition.js';
import { resolveIndex } from '../index-target.js';
import type { RecipeContext } from '../context.js';

/**
 * recipes.md I-09: DROP INDEX CONCURRENTLY, alone in a step outside any transaction (SHARE UPDATE
 * EXCLUSIVE on the table: reads and writes continue; a plain DROP INDEX takes ACCESS EXCLUSIVE on
 * the table). An index behind a primary key or unique constraint is the constraint's to drop.
 * Rollback rebuilds the index CONCURRENTLY from its definition.
 */
export function dropIndexRecipe(ctx: RecipeContext, intent: DropIndexIntent): RecipeResult {
  const { index } = resolveIndex(ctx.snapshot, intent.index, ctx.statement);
  refuseIndexOwnedByConstraint(ctx, index, 'DROP INDEX');
  refuseIndexForeignKeysRelyOn(ctx, index, 'dropping it');
  return { steps: [dropIndexStep(ctx, index, 0)], warnings: [] };
}

/** A primary key's or unique constraint's index goes with the constraint (DROP INDEX refuses it). */
export function refuseIndexOwnedByConstraint(ctx: RecipeContext, index: IndexSchema, what: string): void {
  const owner = constraintOfIndex(ctx.table, index);
  if (!owner && !index.primary) return;
  const name = owner?.name ?? index.name;
  const kind = owner?.type === 'unique' ? 'unique constraint' : 'primary key';
  throw new PlanningError(
    `index ${index.name} implements the ${kind} ${name} of ${ctx.tableName}; ${what} cannot remove it on its own. ` +
      `Drop the constraint instead (ALTER TABLE ${qualify(ctx.ref)} DROP CONSTRAINT ${name}, planned on its own), which drops its index`,
    ctx.statement,
  );
}

/** PostgreSQL refuses to drop an index a foreign key checks through (without CASCADE). */
export function refuseIndexForeignKeysRelyOn(ctx: RecipeContext, index: IndexSchema, what: string): void {
  const fks = foreignKeysRelyingOnIndex(ctx.snapshot, ctx.ref, ctx.table, index);
  if (!fks.length) return;
  const list = fks.map((f) => `${f.constraint.name} on ${f.table}`).join(', ');
  throw new PlanningError(
    `foreign key ${list} references ${ctx.tableName} (${index.columns.join(', ')}) through the unique index ${index.name}, so PostgreSQL refuses ${what}. ` +
      `Drop the foreign key first (ALTER TABLE … DROP CONSTRAINT, planned on its own), or give it another unique index or constraint on those columns`,
    ctx.statement,
  );
}

export function dropIndexStep(ctx: RecipeContext, index: IndexSchema, release: number, opts: { title?: string; rollback?: Rollback; caveats?: string[] } = {}): StepDraft {
  const qi = qualifiedIndex(ctx.ref.schema, index.name);
  return {
    release,
    title: opts.title ?? `Drop index ${index.name} on ${ctx.tableName} (CONCURRENTLY)`,
    kind: 'ddl',
    instruction: '',
    sql: [`DROP INDEX CONCURRENTLY IF EXISTS ${qi}`],
    transactional: false,
    lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: indexGone(ctx.ref.schema, index.name),
    rollback: opts.rollback ?? rebuildRollback(ctx, index),
    caveats: [
      'CONCURRENTLY cannot run inside a transaction block: this step runs on its own.',
      `Takes SHARE UPDATE EXCLUSIVE on ${ctx.tableName} and the index: reads and writes continue. It first waits for every transaction that uses ${ctx.tableName} to end, so a long-running transaction delays it (it holds nothing that blocks the workload meanwhile).`,
      ...(opts.caveats ?? usageCaveats(ctx, index)),
    ],
    changes: [{ op: 'drop_index', table: ctx.ref, index: index.name }],
  };
}

function usageCaveats(ctx: RecipeContext, index: IndexSchema): string[] {
  if (!index.valid) return [`${index.name} is INVALID (a failed CREATE INDEX CONCURRENTLY left it): no query uses it, but every write still maintains it.`];
  const out = [
    `Queries that use ${index.name} fall back to other plans, possibly scans of ${ctx.tableName}: check that pg_stat_user_indexes.idx_scan for it stays flat over a normal business cycle before dropping it.`,
  ];
  if (index.unique) {
    out.push(
      `It is a unique index: once it is gone, duplicate (${index.columns.join(', ')}) values can be written, and INSERT … ON CONFLICT (${index.columns.join(', ')}) fails for want of a unique index to use.`,
    );
  }
  return out;
}

/** Builds the index again, CONCURRENTLY (reads and writes continue), from its definition. */
function rebuildRollback(ctx: RecipeContext, index: IndexSchema): Rollback {
  if (!index.valid) {
    return { kind: 'none', reason: `${index.name} was INVALID, unused by queries; a rebuild would make a valid index, which it never was (plan CREATE INDEX to build one)` };
  }
  const duplicates = index.unique ? '; fails if duplicates were written since the drop: remove them, then run it again' : '';
  if (hasCapability(ctx.engine, 'concurrentIndexCorruptionBug')) {
    return {
      kind: 'sql',
      sql: [indexBuildSql(ctx.ref, index, { concurrently: false, ifNotExists: true }, ctx.statement)],
      transactional: true,
      note: `a plain build, not CONCURRENTLY: PostgreSQL ${ctx.engine.version} can corrupt concurrently built indexes (fixed in 14.4); it blocks writes to ${ctx.tableName} (SHARE) while it runs${duplicates}`,
    };
  }
  return {
    kind: 'sql',
    sql: [indexBuildSql(ctx.ref, index, { concurrently: true, ifNotExists: true }, ctx.statement)],
    transactional: false,
    note: `rebuilds the index from its definition, CONCURRENTLY (two scans of ${ctx.tableName}; reads and writes continue); an INVALID leftover of an interrupted attempt is dropped before the next${duplicates}`,
  };
}
