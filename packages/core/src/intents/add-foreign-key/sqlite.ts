import type { ConstraintSchema } from '../../schema/snapshot.js';
import { findTable } from '../../schema/snapshot.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { AddForeignKeyIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { displayName, quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { rebuildStep } from '../../engines/sqlite/rebuild.js';
import { constraintExists, readCheckStep } from '../../engines/sqlite/steps.js';
import { requireColumn, requireFreeConstraintName, resolveTable, type RecipeContext } from '../context.js';

/**
 * recipes.md I-13 on SQLite: a foreign key can only be added by a table rebuild. First a read-only
 * check finds orphan rows (a rebuild with one would fail its foreign_key_check and roll back), then
 * the rebuild writes the new definition. SQLite enforces it only on connections with
 * PRAGMA foreign_keys = ON.
 */
export function addForeignKeyRecipe(ctx: RecipeContext, intent: AddForeignKeyIntent): RecipeResult {
  for (const c of intent.columns) requireColumn(ctx, c);
  const parentRef = resolveTable(ctx.snapshot, intent.references.table, ctx.statement);
  const parent = findTable(ctx.snapshot, parentRef)!;
  const parentColumns = intent.references.columns ?? parent.constraints.find((k) => k.type === 'primary_key')?.columns;
  if (!parentColumns) throw new PlanningError(`${displayName(parentRef)} has no primary key; name the referenced columns`, ctx.statement);
  if (parentColumns.length !== intent.columns.length) throw new PlanningError(`the foreign key has ${intent.columns.length} column(s) but references ${parentColumns.length}`, ctx.statement);
  const keyed = parent.constraints.some((k) => (k.type === 'primary_key' || k.type === 'unique') && k.columns.length === parentColumns.length && k.columns.every((c) => parentColumns.includes(c)));
  const uniqueIndex = parent.indexes.some((ix) => ix.unique && ix.predicate === null && ix.columns.length === parentColumns.length && ix.columns.every((c) => parentColumns.includes(c)));
  if (!keyed && !uniqueIndex) throw new PlanningError(`${displayName(parentRef)} (${parentColumns.join(', ')}) is neither its primary key nor unique; SQLite reports such a foreign key as a mismatch on every write`, ctx.statement);
  const name = intent.name ?? derivedName([ctx.ref.name, ...intent.columns], 'fkey');
  requireFreeConstraintName(ctx, name);
  const cols = intent.columns.map(quoteIdent).join(', ');
  const pcols = parentColumns.map(quoteIdent).join(', ');
  const actions = `${intent.onDelete ? ` ON DELETE ${intent.onDelete.toUpperCase()}` : ''}${intent.onUpdate ? ` ON UPDATE ${intent.onUpdate.toUpperCase()}` : ''}`;
  const constraint: ConstraintSchema = {
    name,
    type: 'foreign_key',
    columns: intent.columns,
    definition: `FOREIGN KEY (${cols}) REFERENCES ${quoteIdent(parentRef.name)} (${pcols})${actions}`,
    validated: true,
    references: { table: displayName(parentRef), columns: parentColumns },
  };
  const orphan = `SELECT 1 FROM ${tableSql(ctx.ref)} AS c WHERE ${intent.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ')} AND NOT EXISTS (SELECT 1 FROM ${tableSql(parentRef)} AS p WHERE ${intent.columns.map((c, i) => `p.${quoteIdent(parentColumns[i]!)} = c.${quoteIdent(c)}`).join(' AND ')})`;
  return {
    warnings: [],
    alsoLocked: [parentRef],
    steps: [
      readCheckStep(ctx, {
        release: 0,
        title: `Check that every ${intent.columns.join(', ')} has its row in ${displayName(parentRef)}`,
        checkpoint: { description: 'no orphan rows', sql: `SELECT NOT EXISTS (${orphan})`, expected: 1 },
        caveats: [`If it fails, list the orphans with ${orphan}; fix or delete them, then run this step again.`],
      }),
      rebuildStep(ctx, {
        title: `Add foreign key ${name} (table rebuild)`,
        release: 0,
        target: { columns: ctx.table.columns, constraints: [...ctx.table.constraints, constraint] },
        changes: [{ op: 'add_constraint', table: ctx.ref, constraint }],
        checkpoint: constraintExists(ctx.ref, name, true),
        caveats: [
          'SQLite enforces foreign keys only on connections that run PRAGMA foreign_keys = ON (better-sqlite3 does by default; the sqlite3 shell and many drivers do not): the application must switch it on to get the protection.',
          `An orphan written since the check makes the rebuild's foreign_key_check fail; the rebuild then rolls back, nothing changed.`,
        ],
      }),
    ],
  };
}
