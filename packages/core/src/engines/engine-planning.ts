import type { EngineInfo, SchemaSnapshot, TableRef } from '../schema/snapshot.js';
import type { Intent } from '../intents/types.js';
import type { RecipeContext, ResolvedOptions } from '../intents/context.js';
import type { RecipeResult } from '../plan/draft.js';
import type { SourcedIntent } from '../input/sql-to-intents.js';
import type { Plan, Step } from '../plan/types.js';

/**
 * What the planner needs from one engine (DESIGN §4): which versions it plans for, how that
 * engine's SQL becomes intents, each intent's recipe, and the statement-level invariants of a
 * step in that dialect. The planner and the invariant check are engine-neutral; everything
 * dialect-specific sits behind this contract, one implementation per engine folder.
 */
export interface EnginePlanning {
  /** Loads what its SQL reading and invariant checks need (parsers compiled to WebAssembly); idempotent. */
  prepare(): Promise<void>;
  /** Throws a PlanningError for versions it cannot plan for; returns warnings (e.g. newer than verified). */
  versionWarnings(engine: EngineInfo): string[];
  /** Naive SQL in this engine's dialect → intents, each with its statement; after prepare(). */
  sqlToIntents(sql: string): SourcedIntent[];
  /**
   * Intents with no existing target table (create_table; PostgreSQL's enum types): their recipe
   * resolves names itself. Returns undefined for intents about an existing table.
   */
  planWithoutTable(snapshot: SchemaSnapshot, intent: Intent, options: ResolvedOptions, statement: string): { ref?: TableRef; result: RecipeResult } | undefined;
  /** The recipe for an intent about an existing table; a PlanningError when the engine has none. */
  recipeFor(ctx: RecipeContext, intent: Intent): RecipeResult;
  /**
   * Problems with a database step's statements in this dialect: non-transactional statements in a
   * transactional step, more than one lock-taking DDL, lock-taking DDL without timeouts, statements
   * the target version lacks, a SQL rollback that cannot run as declared. `at` names the step.
   */
  stepStatementProblems(step: Step, plan: Plan, at: string): string[];
}
