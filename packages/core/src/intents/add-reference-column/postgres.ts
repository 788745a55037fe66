import type { RecipeResult } from '../../plan/draft.js';
import type { AddForeignKeyIntent, AddReferenceColumnIntent } from '../types.js';
import { derivedName, quoteIdent } from '../../engines/postgres/quote.js';
import { RecipeSequence } from '../compose.js';
import { addColumnRecipe } from '../add-column/postgres.js';
import { concurrentIndexSteps } from '../create-index/postgres.js';
import { addForeignKeyRecipe } from '../add-foreign-key/postgres.js';
import { requireFreeRelationName, resolveTable, type RecipeContext } from '../context.js';

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
  const sequence = new RecipeSequence(ctx);
  sequence.add(addColumnRecipe(sequence.context, { kind: 'add_column', table: intent.table, column: intent.column }));
  if (intent.index) {
    const name = derivedName([ctx.ref.name, column], 'idx');
    requireFreeRelationName(sequence.context, name);
    sequence.add(
      concurrentIndexSteps(sequence.context, {
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
  sequence.add(addForeignKeyRecipe(sequence.context, foreignKeyOf(intent)));
  return sequence.result();
}

/** The foreign key a reference column carries, as add_foreign_key plans it on every engine. */
export function foreignKeyOf(intent: AddReferenceColumnIntent): AddForeignKeyIntent {
  return {
    kind: 'add_foreign_key',
    table: intent.table,
    columns: [intent.column.name],
    references: { table: intent.references.table, ...(intent.references.column ? { columns: [intent.references.column] } : {}) },
    ...(intent.name ? { name: intent.name } : {}),
    ...(intent.onDelete ? { onDelete: intent.onDelete } : {}),
    ...(intent.onUpdate ? { onUpdate: intent.onUpdate } : {}),
  };
}
