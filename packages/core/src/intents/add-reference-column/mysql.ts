import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddReferenceColumnIntent } from '../types.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { addColumnRecipeMysql } from '../add-column/mysql.js';
import { addForeignKeyRecipeMysql } from '../add-foreign-key/mysql.js';
import { makeContext, resolveTable, type RecipeContext } from '../context.js';

/**
 * recipes.md I-32 on MySQL/MariaDB (= I-01 + I-08 + I-13): an inline ADD COLUMN … REFERENCES is
 * parsed and silently ignored by both servers, and ADD COLUMN with ADD FOREIGN KEY in one ALTER
 * copies the table with writes blocked. Instead, as separate steps: the column as add_column plans
 * it (instant when nullable or with a constant default), then the foreign key as add_foreign_key
 * plans it: an index on the column built in place, an orphan check, the key added in place with
 * foreign_key_checks = 0 for the runner's session, and the orphan check again.
 */
export function addReferenceColumnRecipeMysql(ctx: RecipeContext, intent: AddReferenceColumnIntent): RecipeResult {
  // fail on an unknown referenced table before anything else is judged
  resolveTable(ctx.snapshot, intent.references.table, ctx.statement);
  const column = intent.column.name;
  const parts: RecipeResult[] = [];
  let current = ctx;
  let release = 0;
  const add = (result: RecipeResult): void => {
    const shifted = result.steps.map((s) => ({ ...s, release: s.release + release }));
    parts.push({ ...result, steps: shifted });
    release = Math.max(release, ...shifted.map((s) => s.release));
    current = after(current, shifted);
  };
  add(addColumnRecipeMysql(current, { kind: 'add_column', table: intent.table, column: intent.column }));
  add(
    addForeignKeyRecipeMysql(current, {
      kind: 'add_foreign_key',
      table: intent.table,
      columns: [column],
      references: { table: intent.references.table, ...(intent.references.column ? { columns: [intent.references.column] } : {}) },
      ...(intent.name ? { name: intent.name } : {}),
      ...(intent.onDelete ? { onDelete: intent.onDelete } : {}),
      ...(intent.onUpdate ? { onUpdate: intent.onUpdate } : {}),
    }),
  );
  return {
    steps: parts.flatMap((p) => p.steps),
    warnings: [
      ...parts.flatMap((p) => p.warnings),
      ...(intent.index ? [] : [`index: false is not possible on MySQL/MariaDB: InnoDB needs an index on ${column} for the foreign key (it would create one itself), so the plan builds it in place.`]),
    ],
    alsoLocked: parts.flatMap((p) => p.alsoLocked ?? []),
  };
}

/** The context for the next part: the same table as the steps so far leave it. */
function after(ctx: RecipeContext, steps: StepDraft[]): RecipeContext {
  const snapshots = snapshotsAfterSteps(ctx.snapshot, steps.map((s, i) => ({ ...s, n: i + 1 })));
  return snapshots.length ? makeContext(snapshots[snapshots.length - 1]!, ctx.ref, ctx.options, ctx.statement) : ctx;
}
