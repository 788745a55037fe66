import type { RecipeResult } from '../../plan/draft.js';
import type { DropDefaultIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { collectNodes, funcName, parseExpression } from '../../input/pg-parser.js';
import { requireColumn, type RecipeContext } from '../context.js';
import { defaultStep } from '../set-default/postgres.js';

/**
 * recipes.md I-07: DROP DEFAULT is a catalog change under a brief ACCESS EXCLUSIVE (locks.md §1.2
 * [E]). Existing rows keep their values; later INSERTs that leave the column out get NULL, or fail
 * on a NOT NULL column. Rollback sets the previous default again.
 */
export function dropDefaultRecipe(ctx: RecipeContext, intent: DropDefaultIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  if (col.default === null) throw new PlanningError(`column "${col.name}" of ${ctx.tableName} has no default; nothing to drop`, ctx.statement);
  const sequence = collectNodes(parseExpression(col.default, `default of ${col.name}`), 'FuncCall').some((call) => funcName(call) === 'nextval');
  return {
    steps: [
      defaultStep(ctx, col, null, [
        col.nullable
          ? `Run it once the deployed application expects it: from now on an INSERT that leaves ${col.name} out stores NULL instead of ${col.default}.`
          : `${col.name} is NOT NULL: from now on an INSERT that leaves it out fails (SQLSTATE 23502). Run this only once every writer sets ${col.name} itself.`,
        ...(sequence ? [`${col.name} takes its values from a sequence (${col.default}): after this, new rows get no number unless the application supplies one. The sequence itself stays.`] : []),
      ]),
    ],
    warnings: [],
  };
}
