import type { EngineInfo } from '../../schema/snapshot.js';
import type { Intent } from '../../intents/types.js';
import type { RecipeContext } from '../../intents/context.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { EnginePlanning } from '../engine-planning.js';
import { PlanningError } from '../../errors.js';
import { flavourOf, MARIADB_MIN_SUPPORTED, MARIADB_VERIFIED, MYSQL_MAX_KNOWN, MYSQL_MIN_SUPPORTED } from './capabilities.js';
import { mysqlStepStatementProblems } from './invariants.js';
import { MYSQL_SUPPORTED, mysqlSqlToIntents, mysqlSupportedList } from './sql-to-intents.js';
import { addColumnRecipeMysql } from '../../intents/add-column/mysql.js';
import { renameColumnRecipeMysql } from '../../intents/rename-column/mysql.js';
import { createIndexRecipeMysql } from '../../intents/create-index/mysql.js';
import { dropIndexRecipeMysql } from '../../intents/drop-index/mysql.js';
import { dropColumnRecipeMysql } from '../../intents/drop-column/mysql.js';
import { setNotNullRecipeMysql } from '../../intents/set-not-null/mysql.js';
import { changeColumnTypeRecipeMysql } from '../../intents/change-column-type/mysql.js';
import { addForeignKeyRecipeMysql } from '../../intents/add-foreign-key/mysql.js';
import { addCheckRecipeMysql } from '../../intents/add-check/mysql.js';
import { dropNotNullRecipeMysql } from '../../intents/drop-not-null/mysql.js';
import { setDefaultRecipeMysql } from '../../intents/set-default/mysql.js';
import { dropDefaultRecipeMysql } from '../../intents/drop-default/mysql.js';
import { dropConstraintRecipeMysql } from '../../intents/drop-constraint/mysql.js';
import { addUniqueConstraintRecipeMysql } from '../../intents/add-unique-constraint/mysql.js';
import { dropTableRecipeMysql } from '../../intents/drop-table/mysql.js';
import { renameTableRecipeMysql } from '../../intents/rename-table/mysql.js';
import { createTableRecipeMysql } from '../../intents/create-table/mysql.js';
import { updateBackfillRecipeMysql } from '../../intents/update-backfill/mysql.js';
import { addReferenceColumnRecipeMysql } from '../../intents/add-reference-column/mysql.js';
import { addPrimaryKeyRecipeMysql } from '../../intents/add-primary-key/mysql.js';
import { reindexRecipeMysql } from '../../intents/reindex/mysql.js';
import { enumValueRefusalMysql } from '../../intents/enum-add-value/mysql.js';
import { partitionRefusalMysql } from '../../intents/attach-partition/mysql.js';

/**
 * One planning for both flavours: the engine in the snapshot (mysql or mariadb, with its version)
 * picks the gates. Which flavour a SQL statement is read as is decided per plan; before the
 * snapshot is known the MariaDB grammar is tried first (it is the one run here), then MySQL's.
 */
function mysqlFamilyPlanning(flavour: 'mysql' | 'mariadb'): EnginePlanning {
  return {
    async prepare() {},
    versionWarnings(engine: EngineInfo): string[] {
      if (flavourOf(engine) === 'mysql') {
        if (engine.versionNum < MYSQL_MIN_SUPPORTED) throw new PlanningError(`MySQL ${engine.version} is not supported: liveshift plans for MySQL 8.0 and later (5.7 has no instant DDL)`);
        return [
          `MySQL ${engine.version}: the lock behaviour in this plan is taken from the MySQL 8.0/8.4 Reference Manual; liveshift's tests run on MariaDB 10.11, not on MySQL.`,
          ...(engine.versionNum > MYSQL_MAX_KNOWN ? [`MySQL ${engine.version} is newer than the manuals liveshift's claims come from (8.0, 8.4).`] : []),
        ];
      }
      if (engine.versionNum < MARIADB_MIN_SUPPORTED) throw new PlanningError(`MariaDB ${engine.version} is not supported: liveshift plans for MariaDB 10.3.7 and later (ALGORITHM=INSTANT)`);
      return engine.versionNum < MARIADB_VERIFIED.from || engine.versionNum > MARIADB_VERIFIED.to
        ? [`MariaDB ${engine.version}: liveshift's lock claims were measured on MariaDB 10.11; other versions follow the MariaDB documentation.`]
        : [];
    },
    sqlToIntents: (sql) => mysqlSqlToIntents(sql, flavour),
    planWithoutTable(snapshot, intent, options, statement) {
      if (intent.kind === 'create_table') return createTableRecipeMysql(snapshot, intent, options, statement);
      // PostgreSQL objects (an enum type, a declarative partition): refused before any table is looked up, with the MySQL way
      if (intent.kind === 'add_enum_value' || intent.kind === 'remove_enum_value') throw enumValueRefusalMysql(intent, statement);
      if (intent.kind === 'attach_partition' || intent.kind === 'detach_partition') throw partitionRefusalMysql(intent, statement);
      return undefined;
    },
    recipeFor,
    stepStatementProblems: mysqlStepStatementProblems,
  };
}

export const mysqlPlanning = mysqlFamilyPlanning('mysql');
export const mariadbPlanning = mysqlFamilyPlanning('mariadb');

function notPlanned(intent: Intent, statement: string): PlanningError {
  return new PlanningError(
    `${intent.kind} is not planned on MySQL/MariaDB. liveshift plans these MySQL/MariaDB changes (${MYSQL_SUPPORTED.map((s) => s.kind).join(', ')}):\n${mysqlSupportedList()}`,
    statement,
  );
}

function recipeFor(ctx: RecipeContext, intent: Intent): RecipeResult {
  // online DDL, instant changes and foreign keys are InnoDB's; MyISAM and others lock the whole table for any ALTER
  if (ctx.table.storageEngine !== undefined && ctx.table.storageEngine.toLowerCase() !== 'innodb') {
    throw new PlanningError(`${ctx.tableName} uses the ${ctx.table.storageEngine} storage engine: only InnoDB changes tables online (any ALTER of a ${ctx.table.storageEngine} table locks it); convert it to InnoDB first (with an online schema change tool)`, ctx.statement);
  }
  switch (intent.kind) {
    case 'add_column':
      return addColumnRecipeMysql(ctx, intent);
    case 'rename_column':
      return renameColumnRecipeMysql(ctx, intent);
    case 'create_index':
      return createIndexRecipeMysql(ctx, intent);
    case 'drop_index':
      return dropIndexRecipeMysql(ctx, intent);
    case 'drop_column':
      return dropColumnRecipeMysql(ctx, intent);
    case 'set_not_null':
      return setNotNullRecipeMysql(ctx, intent);
    case 'change_column_type':
      return changeColumnTypeRecipeMysql(ctx, intent);
    case 'add_foreign_key':
      return addForeignKeyRecipeMysql(ctx, intent);
    case 'add_check':
      return addCheckRecipeMysql(ctx, intent);
    case 'drop_not_null':
      return dropNotNullRecipeMysql(ctx, intent);
    case 'set_default':
      return setDefaultRecipeMysql(ctx, intent);
    case 'drop_default':
      return dropDefaultRecipeMysql(ctx, intent);
    case 'drop_constraint':
      return dropConstraintRecipeMysql(ctx, intent);
    case 'add_unique_constraint':
      return addUniqueConstraintRecipeMysql(ctx, intent);
    case 'drop_table':
      return dropTableRecipeMysql(ctx, intent);
    case 'rename_table':
      return renameTableRecipeMysql(ctx, intent);
    case 'backfill':
      return updateBackfillRecipeMysql(ctx, intent);
    case 'add_reference_column':
      return addReferenceColumnRecipeMysql(ctx, intent);
    case 'add_primary_key':
      return addPrimaryKeyRecipeMysql(ctx, intent);
    case 'reindex':
      return reindexRecipeMysql(ctx, intent);
    default:
      throw notPlanned(intent, ctx.statement);
  }
}
