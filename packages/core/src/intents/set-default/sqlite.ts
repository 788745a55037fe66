import type { RecipeResult } from '../../plan/draft.js';
import type { SetDefaultIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { rebuildStep } from '../../engines/sqlite/rebuild.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-07 on SQLite: a column's default lives in the CREATE TABLE text and ALTER TABLE
 * cannot change it, so it takes a table rebuild. Existing rows keep their values; only inserts
 * that leave the column out see the new default.
 */
export function setDefaultRecipe(ctx: RecipeContext, intent: SetDefaultIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  if (col.default === intent.default) throw new PlanningError(`column "${col.name}" already defaults to ${intent.default}`, ctx.statement);
  return { warnings: [], steps: [defaultRebuild(ctx, col.name, intent.default, [`Existing rows keep their values; from the commit on, an INSERT that leaves ${col.name} out gets ${intent.default}.`])] };
}

export function defaultRebuild(ctx: RecipeContext, column: string, value: string | null, caveats: string[]) {
  return rebuildStep(ctx, {
    title: value === null ? `Drop the default of ${column} (table rebuild)` : `Set the default of ${column} to ${value} (table rebuild)`,
    release: 0,
    target: { columns: ctx.table.columns.map((c) => (c.name === column ? { ...c, default: value } : c)), constraints: ctx.table.constraints },
    changes: [{ op: 'set_default', table: ctx.ref, column, default: value }],
    checkpoint: null,
    caveats,
  });
}
