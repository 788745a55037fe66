import type { EngineInfo } from '../../schema/snapshot.js';
import type { Intent } from '../../intents/types.js';
import type { RecipeContext } from '../../intents/context.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { EnginePlanning } from '../engine-planning.js';
import { PlanningError } from '../../errors.js';
import { loadParser } from '../../input/pg-parser.js';
import { sqlToIntents, type SourcedIntent } from '../../input/sql-to-intents.js';
import { SQLITE_MAX_KNOWN, SQLITE_MIN_SUPPORTED, sqliteVersionText } from './capabilities.js';
import { sqliteStepStatementProblems } from './invariants.js';
import { updateStatementTexts } from './update-statement.js';
import { addColumnRecipe } from '../../intents/add-column/sqlite.js';
import { renameColumnRecipe } from '../../intents/rename-column/sqlite.js';
import { dropColumnRecipe } from '../../intents/drop-column/sqlite.js';
import { createIndexRecipe } from '../../intents/create-index/sqlite.js';
import { dropIndexRecipe } from '../../intents/drop-index/sqlite.js';
import { setNotNullRecipe } from '../../intents/set-not-null/sqlite.js';
import { changeColumnTypeRecipe } from '../../intents/change-column-type/sqlite.js';
import { addForeignKeyRecipe } from '../../intents/add-foreign-key/sqlite.js';
import { addCheckRecipe } from '../../intents/add-check/sqlite.js';
import { renameTableRecipe } from '../../intents/rename-table/sqlite.js';
import { dropTableRecipe } from '../../intents/drop-table/sqlite.js';
import { createTableRecipe } from '../../intents/create-table/sqlite.js';
import { dropNotNullRecipe } from '../../intents/drop-not-null/sqlite.js';
import { setDefaultRecipe } from '../../intents/set-default/sqlite.js';
import { dropDefaultRecipe } from '../../intents/drop-default/sqlite.js';
import { addUniqueConstraintRecipe } from '../../intents/add-unique-constraint/sqlite.js';
import { dropConstraintRecipe } from '../../intents/drop-constraint/sqlite.js';
import { addReferenceColumnRecipe } from '../../intents/add-reference-column/sqlite.js';
import { addPrimaryKeyRecipeSqlite } from '../../intents/add-primary-key/sqlite.js';
import { reindexRecipeSqlite } from '../../intents/reindex/sqlite.js';
import { enumValueRefusalSqlite } from '../../intents/enum-add-value/sqlite.js';
import { partitionRefusalSqlite } from '../../intents/attach-partition/sqlite.js';
import { updateBackfillRecipeSqlite } from '../../intents/update-backfill/sqlite.js';

/**
 * The intents SQLite has a plan for. The enum and partition intents name PostgreSQL objects SQLite
 * does not have and get a refusal saying so; any other kind gets a PlanningError naming these.
 */
export const SQLITE_INTENTS = [
  'add_column',
  'rename_column',
  'drop_column',
  'create_index',
  'drop_index',
  'set_not_null',
  'change_column_type',
  'add_foreign_key',
  'add_check',
  'rename_table',
  'drop_table',
  'create_table',
  'drop_not_null',
  'set_default',
  'drop_default',
  'add_unique_constraint',
  'drop_constraint',
  'add_reference_column',
  'backfill',
  'add_primary_key',
  'reindex',
] as const satisfies readonly Intent['kind'][];

/** SQLite 3.25+ through better-sqlite3 (locks.md §4, recipes.md I-36). */
export const sqlitePlanning: EnginePlanning = {
  versionWarnings(engine: EngineInfo): string[] {
    if (engine.versionNum < SQLITE_MIN_SUPPORTED) throw new PlanningError(`SQLite ${engine.version} is not supported: liveshift plans for SQLite ${sqliteVersionText(SQLITE_MIN_SUPPORTED)} and later (RENAME COLUMN)`);
    return engine.versionNum > SQLITE_MAX_KNOWN ? [`SQLite ${engine.version} is newer than the versions liveshift's SQLite plans were checked on (up to ${sqliteVersionText(SQLITE_MAX_KNOWN)}).`] : [];
  },
  prepare: loadParser,
  sqlToIntents: sqliteSqlToIntents,
  planWithoutTable(snapshot, intent, options, statement) {
    if (intent.kind === 'create_table') return createTableRecipe(snapshot, intent, options, statement);
    // PostgreSQL objects SQLite does not have (an enum type, a declarative partition): refused before any table is looked up, with the SQLite way
    if (intent.kind === 'add_enum_value' || intent.kind === 'remove_enum_value') throw enumValueRefusalSqlite(intent, statement);
    if (intent.kind === 'attach_partition' || intent.kind === 'detach_partition') throw partitionRefusalSqlite(intent, statement);
    return undefined;
  },
  recipeFor,
  stepStatementProblems: sqliteStepStatementProblems,
};

/**
 * SQL input goes through the PostgreSQL parser (input/sql-to-intents.ts): SQLite's DDL for these
 * changes (ALTER TABLE ADD/RENAME/DROP COLUMN, CREATE/DROP INDEX, CREATE/DROP TABLE, RENAME TO) is
 * the same statement shape. What it cannot read (backquoted names, STRICT, WITHOUT ROWID,
 * AUTOINCREMENT) is refused with the parser's message and this note; intents in YAML/JSON have no
 * such limit. PostgreSQL type names come back spelled as PostgreSQL spells them ("integer",
 * "character varying(200)"), which SQLite maps to the same affinities.
 */
function sqliteSqlToIntents(sql: string): SourcedIntent[] {
  try {
    return sqlToIntents(sql).map(withOwnUpdateText);
  } catch (error) {
    if (!(error instanceof PlanningError)) throw error;
    throw new PlanningError(
      `${error.message}\n  (SQLite statements are read with the PostgreSQL parser, which understands the ALTER/CREATE/DROP forms both share; SQLite-only syntax such as \`backquoted\` names, STRICT or WITHOUT ROWID is not read: give the change as a YAML/JSON intent instead.)`,
    );
  }
}

/** A backfill from an UPDATE keeps the statement's own SQLite text, not the PostgreSQL parser's rendering of it. */
function withOwnUpdateText(sourced: SourcedIntent): SourcedIntent {
  const intent = sourced.intent;
  if (intent.kind !== 'backfill') return sourced;
  const own = updateStatementTexts(sourced.statement);
  if (!own || own.set.length !== intent.set.length || own.set.some((a, i) => a.column.toLowerCase() !== intent.set[i]!.column.toLowerCase()) || (own.where === undefined) !== (intent.where === undefined)) return sourced;
  return { ...sourced, intent: { ...intent, set: intent.set.map((a, i) => ({ ...a, expr: own.set[i]!.expr })), ...(own.where !== undefined ? { where: own.where } : {}) } };
}

function recipeFor(ctx: RecipeContext, intent: Intent): RecipeResult {
  switch (intent.kind) {
    case 'add_column':
      return addColumnRecipe(ctx, intent);
    case 'rename_column':
      return renameColumnRecipe(ctx, intent);
    case 'drop_column':
      return dropColumnRecipe(ctx, intent);
    case 'create_index':
      return createIndexRecipe(ctx, intent);
    case 'drop_index':
      return dropIndexRecipe(ctx, intent);
    case 'set_not_null':
      return setNotNullRecipe(ctx, intent);
    case 'change_column_type':
      return changeColumnTypeRecipe(ctx, intent);
    case 'add_foreign_key':
      return addForeignKeyRecipe(ctx, intent);
    case 'add_check':
      return addCheckRecipe(ctx, intent);
    case 'rename_table':
      return renameTableRecipe(ctx, intent);
    case 'drop_table':
      return dropTableRecipe(ctx, intent);
    case 'drop_not_null':
      return dropNotNullRecipe(ctx, intent);
    case 'set_default':
      return setDefaultRecipe(ctx, intent);
    case 'drop_default':
      return dropDefaultRecipe(ctx, intent);
    case 'add_unique_constraint':
      return addUniqueConstraintRecipe(ctx, intent);
    case 'drop_constraint':
      return dropConstraintRecipe(ctx, intent);
    case 'add_reference_column':
      return addReferenceColumnRecipe(ctx, intent);
    case 'backfill':
      return updateBackfillRecipeSqlite(ctx, intent);
    case 'add_primary_key':
      return addPrimaryKeyRecipeSqlite(ctx, intent);
    case 'reindex':
      return reindexRecipeSqlite(ctx, intent);
    default:
      throw new PlanningError(`${intent.kind} has no SQLite plan yet. liveshift plans these SQLite changes: ${SQLITE_INTENTS.join(', ')}`, ctx.statement);
  }
}
