import type { RecipeResult } from '../../plan/draft.js';
import type { ChangeColumnTypeIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { quoteIdent } from '../../engines/sqlite/quote.js';
import { rebuildStatements, rebuildStep } from '../../engines/sqlite/rebuild.js';
import { columnType } from '../../engines/sqlite/steps.js';
import { declaredType, requireStrictType } from '../../engines/sqlite/types.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-17 on SQLite: a column's declared type only sets its affinity (values are stored
 * as they come), and ALTER TABLE cannot change it, so a type change is a table rebuild that
 * copies each value through CAST (or the given USING expression). The rollback is the rebuild back.
 */
export function changeColumnTypeRecipe(ctx: RecipeContext, intent: ChangeColumnTypeIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  const type = declaredType(ctx.engine, intent.type);
  requireStrictType(ctx.table, type, ctx.statement);
  if (col.type.toLowerCase() === type.toLowerCase()) throw new PlanningError(`column "${col.name}" is already ${col.type}`, ctx.statement);
  const q = quoteIdent(col.name);
  const columns = ctx.table.columns.map((c) => (c.name === col.name ? { ...c, type } : c));
  const after = { ...ctx.table, columns };
  return {
    warnings: [],
    steps: [
      rebuildStep(ctx, {
        title: `Change ${col.name} from ${col.type || '(no type)'} to ${type} (table rebuild)`,
        release: 0,
        target: { columns, constraints: ctx.table.constraints, fill: { [col.name]: intent.using ?? `CAST(${q} AS ${type})` } },
        rollback: {
          kind: 'sql',
          sql: rebuildStatements(ctx, after, { columns: ctx.table.columns, constraints: ctx.table.constraints, fill: { [col.name]: intent.down ?? (col.type ? `CAST(${q} AS ${col.type})` : q) } }),
          transactional: false,
          note: `the rebuild back to ${col.type || '(no type)'}`,
        },
        changes: [{ op: 'set_column_type', table: ctx.ref, column: col.name, type }],
        checkpoint: columnType(ctx.ref, col.name, type),
        caveats: [
          `Each value is copied as ${intent.using ?? `CAST(${col.name} AS ${type})`}; SQLite converts by the new type's affinity, and a value that does not convert is kept as it is (SQLite does not refuse it unless the table is STRICT).`,
          'Application code that reads the column sees the converted values from the commit on: deploy code that handles both representations first if they differ (e.g. integer → text).',
        ],
      }),
    ],
  };
}
