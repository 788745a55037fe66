import type { ConstraintSchema } from '../../schema/snapshot.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { AddUniqueConstraintIntent } from '../types.js';
import { quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { derivedConstraintName } from '../../engines/sqlite/constraint-names.js';
import { rebuildStep } from '../../engines/sqlite/rebuild.js';
import { constraintExists, readCheckStep } from '../../engines/sqlite/steps.js';
import { requireColumn, requireFreeConstraintName, type RecipeContext } from '../context.js';

/**
 * recipes.md I-11 on SQLite: a UNIQUE constraint is part of the table definition, so a duplicate
 * check, then a table rebuild with it (SQLite builds the index behind it during the copy). A plain
 * unique index (create_index with unique) does the same job without the rebuild.
 */
export function addUniqueConstraintRecipe(ctx: RecipeContext, intent: AddUniqueConstraintIntent): RecipeResult {
  for (const c of intent.columns) requireColumn(ctx, c);
  const name = intent.name ?? derivedConstraintName(ctx.ref.name, 'unique', intent.columns);
  requireFreeConstraintName(ctx, name);
  const cols = intent.columns.map(quoteIdent).join(', ');
  const constraint: ConstraintSchema = { name, type: 'unique', columns: intent.columns, definition: `UNIQUE (${cols})`, validated: true, references: null };
  return {
    warnings: [],
    steps: [
      readCheckStep(ctx, {
        release: 0,
        title: `Check that no two rows share (${intent.columns.join(', ')})`,
        checkpoint: { description: 'no duplicate keys', sql: `SELECT NOT EXISTS (SELECT 1 FROM ${tableSql(ctx.ref)} WHERE ${intent.columns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')} GROUP BY ${cols} HAVING count(*) > 1)`, expected: 1 },
        caveats: ['The application must already refuse duplicates: one written after this check makes the rebuild fail (and roll back, nothing changed).'],
      }),
      rebuildStep(ctx, {
        title: `Add unique constraint ${name} (table rebuild)`,
        release: 0,
        target: { columns: ctx.table.columns, constraints: [...ctx.table.constraints, constraint] },
        changes: [{ op: 'add_constraint', table: ctx.ref, constraint }],
        checkpoint: constraintExists(ctx.ref, name, true),
        caveats: [],
      }),
    ],
  };
}
