import type { ConstraintSchema } from '../../schema/snapshot.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { AddCheckIntent } from '../types.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { tableSql } from '../../engines/sqlite/quote.js';
import { mentionedColumns } from '../../engines/sqlite/create-statement.js';
import { rebuildStep } from '../../engines/sqlite/rebuild.js';
import { constraintExists, readCheckStep } from '../../engines/sqlite/steps.js';
import { requireFreeConstraintName, type RecipeContext } from '../context.js';

/**
 * recipes.md I-15 on SQLite: before 3.53 a CHECK constraint can only be added by a table rebuild.
 * A read-only check first finds rows that break it (the copy would fail under the write lock),
 * then the rebuild writes the new definition. NULL passes a CHECK, as everywhere.
 */
export function addCheckRecipe(ctx: RecipeContext, intent: AddCheckIntent): RecipeResult {
  const columns = mentionedColumns(intent.expression, ctx.table.columns.map((c) => c.name));
  const name = intent.name ?? derivedName([ctx.ref.name, ...(columns.length === 1 ? columns : [])], 'check');
  requireFreeConstraintName(ctx, name);
  const constraint: ConstraintSchema = { name, type: 'check', columns, definition: `CHECK (${intent.expression})`, validated: true, references: null };
  const violating = `SELECT 1 FROM ${tableSql(ctx.ref)} WHERE NOT (${intent.expression})`;
  return {
    warnings: [],
    steps: [
      readCheckStep(ctx, {
        release: 0,
        title: `Check that every row satisfies ${intent.expression}`,
        checkpoint: { description: 'no row breaks the CHECK', sql: `SELECT NOT EXISTS (${violating})`, expected: 1 },
        caveats: [`If it fails, list the rows with ${violating}; fix them, then run this step again. The application must stop writing such rows first.`],
      }),
      rebuildStep(ctx, {
        title: `Add CHECK constraint ${name} (table rebuild)`,
        release: 0,
        target: { columns: ctx.table.columns, constraints: [...ctx.table.constraints, constraint] },
        changes: [{ op: 'add_constraint', table: ctx.ref, constraint }],
        checkpoint: constraintExists(ctx.ref, name, true),
        caveats: ['A row written since the check that breaks the constraint makes the copy fail; the rebuild then rolls back, nothing changed.'],
      }),
    ],
  };
}
