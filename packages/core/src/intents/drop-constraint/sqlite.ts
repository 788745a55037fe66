import type { RecipeResult } from '../../plan/draft.js';
import type { DropConstraintIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { rebuildStep } from '../../engines/sqlite/rebuild.js';
import { constraintExists } from '../../engines/sqlite/steps.js';
import type { RecipeContext } from '../context.js';

/**
 * Dropping a CHECK, UNIQUE or foreign key constraint on SQLite: a table rebuild without it. The
 * rollback (the rebuild back) fails, changing nothing, once rows that break the constraint exist.
 */
export function dropConstraintRecipe(ctx: RecipeContext, intent: DropConstraintIntent): RecipeResult {
  const k = ctx.table.constraints.find((x) => x.name === intent.name);
  if (!k) throw new PlanningError(`constraint "${intent.name}" does not exist on ${ctx.tableName} (constraints: ${ctx.table.constraints.map((x) => x.name).join(', ') || 'none'})`, ctx.statement);
  if (k.type === 'primary_key') throw new PlanningError(`${k.name} is the primary key of ${ctx.tableName}; liveshift does not plan dropping a primary key on SQLite (it would change what rowid and foreign keys rely on)`, ctx.statement);
  return {
    warnings: [],
    steps: [
      rebuildStep(ctx, {
        title: `Drop ${k.type.replace('_', ' ')} constraint ${k.name} (table rebuild)`,
        release: 0,
        target: { columns: ctx.table.columns, constraints: ctx.table.constraints.filter((x) => x !== k) },
        changes: [{ op: 'drop_constraint', table: ctx.ref, constraint: k.name }],
        checkpoint: constraintExists(ctx.ref, k.name, false),
        caveats: ['Once rows that break it are written, the rollback (the rebuild back with it) fails and changes nothing.'],
      }),
    ],
  };
}
