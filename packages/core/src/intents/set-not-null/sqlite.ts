import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { SetNotNullIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { rebuildStep } from '../../engines/sqlite/rebuild.js';
import { backfillStep, columnNotNull, readCheckStep } from '../../engines/sqlite/steps.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-05 on SQLite: there is no ALTER COLUMN … SET NOT NULL before 3.53, so NOT NULL comes
 * with a table rebuild. First the application writes non-NULL values, the NULLs left are filled in
 * batches (when a value is given), a read-only check proves none is left, and the rebuild copies the
 * rows into a table whose column is NOT NULL.
 */
export function setNotNullRecipe(ctx: RecipeContext, intent: SetNotNullIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  if (!col.nullable) throw new PlanningError(`column "${col.name}" of ${ctx.tableName} is already NOT NULL`, ctx.statement);
  const q = quoteIdent(col.name);
  const steps: StepDraft[] = [
    appStep(1, `Application writes a non-NULL ${col.name} on every insert and update`, `Deploy the application version that never writes NULL to ${ctx.tableName}.${col.name} (inserts set it, updates never clear it).`, {
      kind: 'deploy',
      release: 'A',
      instruction: 'deploy back the previous application version; the column is still nullable',
    }),
  ];
  if (intent.backfill !== undefined) {
    steps.push(
      backfillStep(ctx, {
        title: `Fill ${col.name} where it is NULL`,
        set: `${q} = ${intent.backfill}`,
        predicate: `${q} IS NULL`,
        release: 1,
        rollback: { kind: 'irreversible', reason: 'the rows that were NULL are not recorded, so they cannot be set back to NULL', dataLost: `which rows had a NULL ${col.name}` },
      }),
    );
  }
  steps.push(
    readCheckStep(ctx, {
      release: 1,
      title: `Check that no row has a NULL ${col.name}`,
      checkpoint: { description: `no NULL in ${col.name}`, sql: `SELECT NOT EXISTS (SELECT 1 FROM ${tableSql(ctx.ref)} WHERE ${q} IS NULL)`, expected: 1 },
      caveats: intent.backfill === undefined ? [`No value for NULL rows was given: this fails if any row has a NULL ${col.name} (give one with intent backfill or --backfill).`] : [],
    }),
  );
  steps.push(
    rebuildStep(ctx, {
      title: `Make ${col.name} NOT NULL (table rebuild)`,
      release: 1,
      target: { columns: ctx.table.columns.map((c) => (c.name === col.name ? { ...c, nullable: false } : c)), constraints: ctx.table.constraints },
      changes: [{ op: 'set_nullable', table: ctx.ref, column: col.name, nullable: false }],
      checkpoint: columnNotNull(ctx.ref, col.name, true),
      caveats: ['The copy fails (and rolls back, nothing changed) if a NULL was written since the check.'],
    }),
  );
  return { steps, warnings: [] };
}
