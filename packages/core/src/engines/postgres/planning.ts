import type { EngineInfo } from '../../schema/snapshot.js';
import type { Intent } from '../../intents/types.js';
import type { RecipeContext } from '../../intents/context.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { EnginePlanning } from '../engine-planning.js';
import { PlanningError } from '../../errors.js';
import { loadParser } from '../../input/pg-parser.js';
import { sqlToIntents } from '../../input/sql-to-intents.js';
import { PG_MAX_KNOWN, PG_MIN_SUPPORTED } from './capabilities.js';
import { postgresStepStatementProblems } from './invariants.js';
import { addColumnRecipe } from '../../intents/add-column/postgres.js';
import { renameColumnRecipe } from '../../intents/rename-column/postgres.js';
import { createIndexRecipe } from '../../intents/create-index/postgres.js';
import { setNotNullRecipe } from '../../intents/set-not-null/postgres.js';
import { addForeignKeyRecipe } from '../../intents/add-foreign-key/postgres.js';
import { dropColumnRecipe } from '../../intents/drop-column/postgres.js';
import { dropNotNullRecipe } from '../../intents/drop-not-null/postgres.js';
import { setDefaultRecipe } from '../../intents/set-default/postgres.js';
import { dropDefaultRecipe } from '../../intents/drop-default/postgres.js';
import { dropIndexRecipe } from '../../intents/drop-index/postgres.js';
import { reindexRecipe } from '../../intents/reindex/postgres.js';
import { addCheckRecipe } from '../../intents/add-check/postgres.js';
import { dropConstraintRecipe } from '../../intents/drop-constraint/postgres.js';
import { addUniqueConstraintRecipe } from '../../intents/add-unique-constraint/postgres.js';
import { addPrimaryKeyRecipe } from '../../intents/add-primary-key/postgres.js';
import { addReferenceColumnRecipe } from '../../intents/add-reference-column/postgres.js';
import { createTableRecipe } from '../../intents/create-table/postgres.js';
import { dropTableRecipe } from '../../intents/drop-table/postgres.js';
import { renameTableRecipe } from '../../intents/rename-table/postgres.js';
import { updateBackfillRecipe } from '../../intents/update-backfill/postgres.js';
import { changeColumnTypeRecipe } from '../../intents/change-column-type/postgres.js';
import { enumValueRecipe } from '../../intents/enum-add-value/postgres.js';
import { attachPartitionRecipe } from '../../intents/attach-partition/postgres.js';
import { detachPartitionRecipe } from '../../intents/detach-partition/postgres.js';

/** PostgreSQL 11–18: the engine liveshift was built on; every intent has a recipe. */
export const postgresPlanning: EnginePlanning = {
  versionWarnings(engine: EngineInfo): string[] {
    if (engine.versionNum < PG_MIN_SUPPORTED) throw new PlanningError(`PostgreSQL ${engine.version} is not supported: liveshift plans for PostgreSQL 11–18`);
    return engine.versionNum > PG_MAX_KNOWN ? [`PostgreSQL ${engine.version} is newer than the versions liveshift's lock claims were verified on (11–18).`] : [];
  },
  prepare: loadParser,
  sqlToIntents,
  planWithoutTable(snapshot, intent, options, statement) {
    // a table that does not exist yet has no recipe context: its recipe resolves the name itself
    if (intent.kind === 'create_table') return createTableRecipe(snapshot, intent, options, statement);
    // an enum type is not a table: its recipe reads the snapshot's types and names the tables it touches
    if (intent.kind === 'add_enum_value' || intent.kind === 'remove_enum_value') return { result: enumValueRecipe(snapshot, intent, options, statement) };
    return undefined;
  },
  recipeFor,
  stepStatementProblems: postgresStepStatementProblems,
};

/** The PostgreSQL recipe of each intent about an existing table. */
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

