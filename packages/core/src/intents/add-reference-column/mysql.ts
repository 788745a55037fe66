import type { RecipeResult } from '../../plan/draft.js';
import type { AddReferenceColumnIntent } from '../types.js';
import { RecipeSequence } from '../compose.js';
import { foreignKeyOf } from './postgres.js';
import { addColumnRecipeMysql } from '../add-column/mysql.js';
import { addForeignKeyRecipeMysql } from '../add-foreign-key/mysql.js';
import { resolveTable, type RecipeContext } from '../context.js';

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
  const sequence = new RecipeSequence(ctx);
  sequence.add(addColumnRecipeMysql(sequence.context, { kind: 'add_column', table: intent.table, column: intent.column }));
  sequence.add(addForeignKeyRecipeMysql(sequence.context, foreignKeyOf(intent)));
  return sequence.result(
    intent.index ? [] : [`index: false is not possible on MySQL/MariaDB: InnoDB needs an index on ${column} for the foreign key (it would create one itself), so the plan builds it in place.`],
  );
}
