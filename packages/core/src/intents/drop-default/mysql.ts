import type { RecipeResult } from '../../plan/draft.js';
import type { DropDefaultIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { refuseGenerated } from '../../engines/mysql/column-definition.js';
import { mysqlDefaultStep } from '../set-default/mysql.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-07 (MySQL/MariaDB): ALTER COLUMN … DROP DEFAULT, metadata only (MariaDB [E]: INSTANT,
 * LOCK=NONE; MySQL manual "Dropping the column default value": instant). Existing rows keep their
 * values; later INSERTs that leave the column out get NULL, or fail on a NOT NULL column (strict
 * sql_mode, error 1364). Rollback sets the previous default again.
 */
export function dropDefaultRecipeMysql(ctx: RecipeContext, intent: DropDefaultIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  refuseGenerated(col, ctx.statement);
  if (col.default === null) throw new PlanningError(`column "${col.name}" of ${ctx.tableName} has no default; nothing to drop`, ctx.statement);
  return {
    steps: [
      mysqlDefaultStep(ctx, col, null, [
        col.nullable
          ? `Run it once the deployed application expects it: from now on an INSERT that leaves ${col.name} out stores NULL instead of ${col.default}.`
          : `${col.name} is NOT NULL: from now on an INSERT that leaves it out fails (error 1364 in a strict sql_mode; without one the server silently stores 0 or ''). Run this only once every writer sets ${col.name} itself.`,
      ]),
    ],
    warnings: [],
  };
}
