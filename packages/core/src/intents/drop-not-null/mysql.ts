import type { RecipeResult } from '../../plan/draft.js';
import type { DropNotNullIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { refuseGenerated } from '../../engines/mysql/column-definition.js';
import { dropNotNullSteps } from '../drop-column/mysql.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-06 (MySQL/MariaDB): MODIFY … NULL. Not instant on either flavour (MariaDB [E]: INSTANT
 * and NOCOPY refused with error 1845, INPLACE rebuilds the table; MySQL manual: "Making a column
 * NULL" is in place with a rebuild), so it is an in-place rebuild with LOCK=NONE: reads and writes go
 * on. MODIFY restates the whole column, so a check that nothing else would be lost comes first.
 * Rollback: MODIFY … NOT NULL, which fails once a NULL has been written.
 */
export function dropNotNullRecipeMysql(ctx: RecipeContext, intent: DropNotNullIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  refuseGenerated(col, ctx.statement);
  if (col.nullable) return { steps: [], warnings: [`${ctx.tableName}.${col.name} is already nullable`] };
  const pk = ctx.table.constraints.find((k) => k.type === 'primary_key' && k.columns.includes(col.name));
  if (pk) throw new PlanningError(`column "${col.name}" is part of the primary key of ${ctx.tableName}; every primary key column must be NOT NULL (the server refuses with error 1171)`, ctx.statement);
  return {
    steps: dropNotNullSteps(ctx, col, 0, {
      title: `Make ${col.name} nullable (in-place rebuild, reads and writes continue)`,
      caveat: `From this step on the column accepts NULL; the application may write NULL only once the step is done (rolling it back fails after a NULL was written).`,
    }),
    warnings: [],
  };
}
