import type { RecipeResult } from '../../plan/draft.js';
import type { DropTableIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { tableSql } from '../../engines/sqlite/quote.js';
import { tableExists, writeStep } from '../../engines/sqlite/steps.js';
import type { RecipeContext } from '../context.js';

/**
 * recipes.md I-22 on SQLite: the application stops using the table, then DROP TABLE — the point of
 * no return. It holds the database write lock while the table's pages go to the free list (and,
 * with foreign keys on, while SQLite checks referencing rows), so tables others reference are refused.
 */
export function dropTableRecipe(ctx: RecipeContext, _intent: DropTableIntent): RecipeResult {
  const referencing = ctx.snapshot.tables.flatMap((t) => t.constraints.filter((k) => k.type === 'foreign_key' && k.references?.table === ctx.tableName && !(t.name === ctx.ref.name)).map((k) => `${k.name} on ${t.schema}.${t.name}`));
  if (referencing.length) throw new PlanningError(`${ctx.tableName} is referenced by foreign key ${referencing.join(', ')}; drop those first`, ctx.statement);
  return {
    warnings: [],
    steps: [
      appStep(1, `Application stops using ${ctx.ref.name}`, `Deploy the application version that no longer reads or writes ${ctx.tableName}.`, { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${ctx.ref.name}` }),
      writeStep(ctx, {
        title: `Drop table ${ctx.ref.name}`,
        release: 1,
        sql: [`DROP TABLE ${tableSql(ctx.ref)}`],
        rollback: { kind: 'irreversible', reason: `DROP TABLE removes ${ctx.tableName} with its rows; only a restore from backup brings them back`, dataLost: `every row of ${ctx.tableName} (~${ctx.rows} rows)` },
        changes: [{ op: 'drop_table', table: ctx.ref }],
        checkpoint: tableExists(ctx.ref.name, false),
        caveats: ['The write lock is held while the table\'s pages are put on the free list (the file does not shrink until VACUUM).'],
      }),
    ],
  };
}
