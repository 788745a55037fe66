import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddReferenceColumnIntent } from '../types.js';
import { derivedName, quoteIdent } from '../../engines/postgres/quote.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { addColumnRecipe } from '../add-column/postgres.js';
import { concurrentIndexSteps } from '../create-index/postgres.js';
import { addForeignKeyRecipe } from '../add-foreign-key/postgres.js';
import { makeContext, requireFreeRelationName, resolveTable, type RecipeContext } from '../context.js';

/**
 * recipes.md I-32 (= I-01 + I-08 + I-13): ADD COLUMN … REFERENCES p takes ACCESS EXCLUSIVE on the
 * table and SHARE ROW EXCLUSIVE on p in one transaction (and a constant default would be checked
 * against p under both). Instead, as separate steps: the column as add_column plans it (nullable,
 * or backfilled and made NOT NULL), an index on it built CONCURRENTLY, then the foreign key
 * NOT VALID (brief) and VALIDATE (no write blocked).
 */
export function addReferenceColumnRecipe(ctx: RecipeContext, intent: AddReferenceColumnIntent): RecipeResult {
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

  add(addColumnRecipe(current, { kind: 'add_column', table: intent.table, column: intent.column }));
  if (intent.index) {
    const name = derivedName([ctx.ref.name, column], 'idx');
    requireFreeRelationName(current, name);
    add(
      concurrentIndexSteps(current, {
        name,
        keys: [{ sql: quoteIdent(column), label: column }],
        unique: false,
        where: undefined,
        method: 'btree',
        release: 0,
        title: `Index ${column} (${name}) so deletes in the referenced table find referencing rows without a scan`,
      }),
    );
  }
  add(
    addForeignKeyRecipe(current, {
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
    warnings: parts.flatMap((p) => p.warnings),
    alsoLocked: parts.flatMap((p) => p.alsoLocked ?? []),
  };
}

/** The context for the next part: the same table as the steps so far leave it. */
function after(ctx: RecipeContext, steps: StepDraft[]): RecipeContext {
  const snapshots = snapshotsAfterSteps(ctx.snapshot, steps.map((s, i) => ({ ...s, n: i + 1 })));
  return snapshots.length ? makeContext(snapshots[snapshots.length - 1]!, ctx.ref, ctx.options, ctx.statement) : ctx;
}
