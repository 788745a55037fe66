import type { RecipeResult } from '../../plan/draft.js';
import type { DropNotNullIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { rebuildStep } from '../../engines/sqlite/rebuild.js';
import { columnNotNull } from '../../engines/sqlite/steps.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-06 on SQLite: no ALTER COLUMN … DROP NOT NULL before 3.53, so a table rebuild with
 * the column nullable. The rollback is the rebuild back, which fails (and changes nothing) once a
 * NULL has been written.
 */
export function dropNotNullRecipe(ctx: RecipeContext, intent: DropNotNullIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  if (col.nullable) throw new PlanningError(`column "${col.name}" of ${ctx.tableName} is already nullable`, ctx.statement);
  if (ctx.table.constraints.some((k) => k.type === 'primary_key' && k.columns.includes(col.name))) {
    throw new PlanningError(`column "${col.name}" is part of the primary key of ${ctx.tableName}; it stays NOT NULL`, ctx.statement);
  }
  return {
    warnings: [],
    steps: [
      rebuildStep(ctx, {
        title: `Make ${col.name} nullable (table rebuild)`,
        release: 0,
        target: { columns: ctx.table.columns.map((c) => (c.name === col.name ? { ...c, nullable: true } : c)), constraints: ctx.table.constraints },
        changes: [{ op: 'set_nullable', table: ctx.ref, column: col.name, nullable: true }],
        checkpoint: columnNotNull(ctx.ref, col.name, false),
        caveats: [`Readers must cope with NULL in ${col.name} from here on; once one is written, the rollback (the rebuild back to NOT NULL) fails and changes nothing.`],
      }),
    ],
  };
}
