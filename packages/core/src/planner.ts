import type { Plan } from './plan/types.js';
import type { EngineName, SchemaSnapshot, TableRef } from './schema/snapshot.js';
import { intentSchema, SUPPORTED_INTENTS, type Intent, type IntentInput } from './intents/types.js';
import { PlanningError } from './errors.js';
import type { SourcedIntent } from './input/sql-to-intents.js';
import { enginePlanning } from './engines/registry.js';
import { makeContext, type ResolvedOptions } from './intents/context.js';
import type { RecipeResult } from './plan/draft.js';
import { buildPlan } from './plan/build.js';
import { planViolations } from './plan/invariants.js';
import { snapshotsAfterSteps } from './schema/apply-to-snapshot.js';
import { DEFAULT_SMALL_TABLE_BYTES } from './engines/postgres/size.js';
import { targetTable } from './intents/index-target.js';

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
export async function readIntents(input: PlanInput, options: PlanOptions = {}, engine: EngineName = 'postgres'): Promise<{ intent: Intent; statement: string }[]> {
  const planning = enginePlanning(engine);
  await planning.prepare();
  const raw: SourcedIntent[] =
    'sql' in input
      ? planning.sqlToIntents(input.sql).map((s) => ({ ...s, intent: withSqlOptions(s.intent, options) }))
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
  const planning = enginePlanning(engine.name);
  const warnings = planning.versionWarnings(engine);

  const sourced = await readIntents(input, options, engine.name);
  let current = snapshot;
  const results: RecipeResult[] = [];
  const touched: TableRef[] = [];
  const intents: Intent[] = [];
  const later: SchemaSnapshot[] = [];
  for (const { intent, statement } of sourced) {
    const tableless = planning.planWithoutTable(current, intent, resolved, statement);
    const ref = tableless ? tableless.ref : targetTable(current, intent, statement);
    const concrete: Intent = intent.kind === 'rename_column' ? { ...intent, sync: intent.sync ?? resolved.sync } : intent;
    const result = tableless?.result ?? planning.recipeFor(makeContext(current, ref!, resolved, statement), concrete);
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

function positive(n: number, what: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new PlanningError(`${what} must be a positive number, got ${n}`);
  return n;
}
function nonNegative(n: number, what: string): number {
  if (!Number.isFinite(n) || n < 0) throw new PlanningError(`${what} must be zero or more, got ${n}`);
  return n;
}
