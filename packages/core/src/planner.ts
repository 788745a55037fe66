import type { Plan } from './plan/types.js';
import type { SchemaSnapshot, TableRef } from './schema/snapshot.js';
import { intentSchema, SUPPORTED_INTENTS, type Intent, type IntentInput } from './intents/types.js';
import { PlanningError } from './errors.js';
import { loadParser } from './input/pg-parser.js';
import { sqlToIntents, type SourcedIntent } from './input/sql-to-intents.js';
import { makeContext, type RecipeContext, type ResolvedOptions } from './intents/context.js';
import type { RecipeResult } from './plan/draft.js';
import { buildPlan } from './plan/build.js';
import { planViolations } from './plan/invariants.js';
import { snapshotsAfterSteps } from './schema/apply-to-snapshot.js';
import { PG_MAX_KNOWN, PG_MIN_SUPPORTED } from './engines/postgres/capabilities.js';
import { DEFAULT_SMALL_TABLE_BYTES } from './engines/postgres/size.js';
import { addColumnRecipe } from './intents/add-column/postgres.js';
import { renameColumnRecipe } from './intents/rename-column/postgres.js';
import { createIndexRecipe } from './intents/create-index/postgres.js';
import { setNotNullRecipe } from './intents/set-not-null/postgres.js';
import { addForeignKeyRecipe } from './intents/add-foreign-key/postgres.js';
import { targetTable } from './intents/index-target.js';
import { dropColumnRecipe } from './intents/drop-column/postgres.js';
import { dropNotNullRecipe } from './intents/drop-not-null/postgres.js';
import { setDefaultRecipe } from './intents/set-default/postgres.js';
import { dropDefaultRecipe } from './intents/drop-default/postgres.js';
import { dropIndexRecipe } from './intents/drop-index/postgres.js';
import { reindexRecipe } from './intents/reindex/postgres.js';
import { addCheckRecipe } from './intents/add-check/postgres.js';
import { dropConstraintRecipe } from './intents/drop-constraint/postgres.js';
import { addUniqueConstraintRecipe } from './intents/add-unique-constraint/postgres.js';
import { addPrimaryKeyRecipe } from './intents/add-primary-key/postgres.js';
import { addReferenceColumnRecipe } from './intents/add-reference-column/postgres.js';
import { createTableRecipe } from './intents/create-table/postgres.js';
import { dropTableRecipe } from './intents/drop-table/postgres.js';
import { renameTableRecipe } from './intents/rename-table/postgres.js';
import { updateBackfillRecipe } from './intents/update-backfill/postgres.js';
import { changeColumnTypeRecipe } from './intents/change-column-type/postgres.js';
import { enumValueRecipe } from './intents/enum-add-value/postgres.js';
import { attachPartitionRecipe } from './intents/attach-partition/postgres.js';
import { detachPartitionRecipe } from './intents/detach-partition/postgres.js';

/** Knobs a user may set; every one has a safe default. */
export interface PlanOptions {
  /** Rename: who keeps old and new column in sync while both exist. Default "app". */
  sync?: 'app' | 'trigger';
  /** Rows per backfill batch. Default 5000. */
  batchSize?: number;
  /** Pause between backfill batches, ms. Default 50. */
  pauseMs?: number;
  /** lock_timeout per attempt for lock-taking DDL, ms. Default 2000. */
  lockTimeoutMs?: number;
  /** Retries after the first attempt on lock timeout. Default 10. */
  retries?: number;
  /** Tables at or under this size get the one-statement change where that is safe. Default 8 MiB. */
  smallTableBytes?: number;
  /** For SQL input: the value existing rows get (NOT NULL column without default, or NULLs before SET NOT NULL). */
  backfill?: string;
}

export type PlanInput = { sql: string } | { intents: IntentInput[] };

export const DEFAULT_OPTIONS: ResolvedOptions = {
  sync: 'app',
  batchSize: 5000,
  pauseMs: 50,
  lockTimeoutMs: 2000,
  retries: 10,
  smallTableBytes: DEFAULT_SMALL_TABLE_BYTES,
};

/** Parses and validates the input into intents, each with the text it came from. */
export async function readIntents(input: PlanInput, options: PlanOptions = {}): Promise<{ intent: Intent; statement: string }[]> {
  await loadParser();
  const raw: SourcedIntent[] =
    'sql' in input
      ? sqlToIntents(input.sql).map((s) => ({ ...s, intent: withSqlOptions(s.intent, options) }))
      : input.intents.map((intent, i) => ({ intent, statement: `intent #${i + 1}: ${JSON.stringify(intent)}` }));
  return raw.map(({ intent, statement }) => ({ intent: validateIntent(intent, statement), statement }));
}

function withSqlOptions(intent: IntentInput, options: PlanOptions): IntentInput {
  if (options.backfill === undefined) return intent;
  if (intent.kind === 'add_column' && intent.column.nullable === false && !intent.column.default) return { ...intent, column: { ...intent.column, backfill: options.backfill } };
  if (intent.kind === 'set_not_null') return { ...intent, backfill: options.backfill };
  if (intent.kind === 'add_reference_column' && intent.column.nullable === false && !intent.column.default) return { ...intent, column: { ...intent.column, backfill: options.backfill } };
  return intent;
}

export function validateIntent(intent: unknown, statement: string): Intent {
  const parsed = intentSchema.safeParse(intent);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(intent)'}: ${i.message}`).join('; ');
    throw new PlanningError(`invalid intent: ${issues}. Kinds: ${SUPPORTED_INTENTS.map((k) => k.kind).join(', ')}`, statement);
  }
  return parsed.data;
}

/** Input + schema facts → a safe, numbered plan. Deterministic: same input, same plan. */
export async function planChange(input: PlanInput, snapshot: SchemaSnapshot, options: PlanOptions = {}): Promise<Plan> {
  const resolved: ResolvedOptions = {
    sync: options.sync ?? DEFAULT_OPTIONS.sync,
    batchSize: positive(options.batchSize ?? DEFAULT_OPTIONS.batchSize, 'batch size'),
    pauseMs: nonNegative(options.pauseMs ?? DEFAULT_OPTIONS.pauseMs, 'pause'),
    lockTimeoutMs: positive(options.lockTimeoutMs ?? DEFAULT_OPTIONS.lockTimeoutMs, 'lock timeout'),
    retries: nonNegative(options.retries ?? DEFAULT_OPTIONS.retries, 'retries'),
    smallTableBytes: nonNegative(options.smallTableBytes ?? DEFAULT_OPTIONS.smallTableBytes, 'small-table threshold'),
  };
  const engine = snapshot.engine;
  if (engine.name !== 'postgres') throw new PlanningError(`engine ${engine.name} is not supported yet; PostgreSQL 11–18 is`);
  if (engine.versionNum < PG_MIN_SUPPORTED) throw new PlanningError(`PostgreSQL ${engine.version} is not supported: liveshift plans for PostgreSQL 11–18`);
  const warnings = engine.versionNum > PG_MAX_KNOWN ? [`PostgreSQL ${engine.version} is newer than the versions liveshift's lock claims were verified on (11–18).`] : [];

  const sourced = await readIntents(input, options);
  let current = snapshot;
  const results: RecipeResult[] = [];
  const touched: TableRef[] = [];
  const intents: Intent[] = [];
  const later: SchemaSnapshot[] = [];
  for (const { intent, statement } of sourced) {
    // a table that does not exist yet has no recipe context: its recipe resolves the name itself
    const created = intent.kind === 'create_table' ? createTableRecipe(current, intent, resolved, statement) : undefined;
    // an enum type is not a table: its recipe reads the snapshot's types and names the tables it touches
    const typed = intent.kind === 'add_enum_value' || intent.kind === 'remove_enum_value' ? enumValueRecipe(current, intent, resolved, statement) : undefined;
    const ref = created?.ref ?? (typed ? undefined : targetTable(current, intent, statement));
    const concrete: Intent = intent.kind === 'rename_column' ? { ...intent, sync: intent.sync ?? resolved.sync } : intent;
    const result = typed ?? created?.result ?? recipeFor(makeContext(current, ref!, resolved, statement), concrete);
    results.push(result);
    touched.push(...(ref ? [ref] : []), ...(result.alsoLocked ?? []));
    intents.push(concrete);
    const after = snapshotsAfterSteps(current, result.steps.map((s, i) => ({ ...s, n: i + 1 })));
    current = after.length ? after[after.length - 1]! : current;
    later.push(current);
  }
  const plan = buildPlan({ intents, engine, before: snapshot, touched, later, results, warnings });
  const problems = planViolations(plan, { smallTableBytes: resolved.smallTableBytes });
  if (problems.length) throw new Error(`internal error: the planner produced a plan that breaks its invariants:\n- ${problems.join('\n- ')}`);
  return plan;
}

function recipeFor(ctx: RecipeContext, intent: Intent): RecipeResult {
  switch (intent.kind) {
    case 'add_column':
      return addColumnRecipe(ctx, intent);
    case 'rename_column':
      return renameColumnRecipe(ctx, intent);
    case 'create_index':
      return createIndexRecipe(ctx, intent);
    case 'set_not_null':
      return setNotNullRecipe(ctx, intent);
    case 'add_foreign_key':
      return addForeignKeyRecipe(ctx, intent);
    case 'drop_column':
      return dropColumnRecipe(ctx, intent);
    case 'drop_not_null':
      return dropNotNullRecipe(ctx, intent);
    case 'set_default':
      return setDefaultRecipe(ctx, intent);
    case 'drop_default':
      return dropDefaultRecipe(ctx, intent);
    case 'drop_index':
      return dropIndexRecipe(ctx, intent);
    case 'reindex':
      return reindexRecipe(ctx, intent);
    case 'add_check':
      return addCheckRecipe(ctx, intent);
    case 'drop_constraint':
      return dropConstraintRecipe(ctx, intent);
    case 'add_unique_constraint':
      return addUniqueConstraintRecipe(ctx, intent);
    case 'add_primary_key':
      return addPrimaryKeyRecipe(ctx, intent);
    case 'add_reference_column':
      return addReferenceColumnRecipe(ctx, intent);
    case 'create_table':
      throw new Error('internal error: create_table is planned before a recipe context exists');
    case 'drop_table':
      return dropTableRecipe(ctx, intent);
    case 'rename_table':
      return renameTableRecipe(ctx, intent);
    case 'backfill':
      return updateBackfillRecipe(ctx, intent);
    case 'change_column_type':
      return changeColumnTypeRecipe(ctx, intent);
    case 'attach_partition':
      return attachPartitionRecipe(ctx, intent);
    case 'detach_partition':
      return detachPartitionRecipe(ctx, intent);
    case 'add_enum_value':
    case 'remove_enum_value':
      throw new Error('internal error: enum intents are planned without a table context');
  }
}

function positive(n: number, what: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new PlanningError(`${what} must be a positive number, got ${n}`);
  return n;
}
function nonNegative(n: number, what: string): number {
  if (!Number.isFinite(n) || n < 0) throw new PlanningError(`${what} must be zero or more, got ${n}`);
  return n;
}
