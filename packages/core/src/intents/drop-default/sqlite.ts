import type { RecipeResult } from '../../plan/draft.js';
import type { DropDefaultIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { requireColumn, type RecipeContext } from '../context.js';
import { defaultRebuild } from '../set-default/sqlite.js';

/** recipes.md I-07 on SQLite: the default goes with a table rebuild; later inserts that leave the column out get NULL, or fail on a NOT NULL column. */
export function dropDefaultRecipe(ctx: RecipeContext, intent: DropDefaultIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  if (col.default === null) throw new PlanningError(`column "${col.name}" of ${ctx.tableName} has no default; nothing to drop`, ctx.statement);
  return {
    warnings: [],
    steps: [
      defaultRebuild(ctx, col.name, null, [
        col.nullable
          ? `Run it once the deployed application expects it: from now on an INSERT that leaves ${col.name} out stores NULL instead of ${col.default}.`
          : `${col.name} is NOT NULL: from now on an INSERT that leaves it out fails. Run this only once every writer sets ${col.name} itself.`,
      ]),
    ],
  };
}
