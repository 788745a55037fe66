import type { RecipeResult } from '../../plan/draft.js';
import type { DropIndexIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { indexExists } from '../../engines/mysql/catalog-checks.js';
import { addIndexSpec, requireUniqueIndexName } from '../create-index/mysql.js';
import type { RecipeContext } from '../context.js';

/**
 * recipes.md I-09 (MySQL/MariaDB): ALTER TABLE … DROP INDEX, ALGORITHM=INPLACE, LOCK=NONE — metadata
 * only (MariaDB [E]: NOCOPY, NONE). Rollback rebuilds the index in place. An index a foreign key
 * needs is refused, as the server would refuse it (error 1553).
 */
export function dropIndexRecipeMysql(ctx: RecipeContext, intent: DropIndexIntent): RecipeResult {
  const name = typeof intent.index === 'string' ? intent.index : intent.index.name;
  requireUniqueIndexName(ctx.snapshot, ctx.ref.schema, name, ctx.statement);
  const index = ctx.table.indexes.find((i) => i.name === name)!;
  if (index.primary) throw new PlanningError(`${name} is the primary key of ${ctx.tableName}; dropping it alone copies the table with writes blocked`, ctx.statement);
  for (const fk of ctx.table.constraints.filter((k) => k.type === 'foreign_key')) {
    const served = (cols: string[]) => fk.columns.every((c, i) => cols[i] === c);
    if (served(index.columns) && !ctx.table.indexes.some((i) => i !== index && served(i.columns))) {
      throw new PlanningError(`index ${name} is the one foreign key ${fk.name} uses; the server refuses to drop it (error 1553). Drop the foreign key first, or create another index on (${fk.columns.join(', ')})`, ctx.statement);
    }
  }
  return {
    warnings: [],
    steps: [
      mysqlDdlStep(ctx, {
        release: 0,
        title: `Drop index ${name} on ${ctx.tableName}`,
        spec: `DROP INDEX ${quoteIdent(name)}`,
        algorithm: 'INPLACE',
        lock: 'LOCK=NONE',
        duration: 'brief',
        checkpoint: indexExists(ctx.ref, name, false),
        rollback: {
          spec: addIndexSpec(index),
          algorithm: 'INPLACE',
          lock: 'LOCK=NONE',
          note: `rebuilds the index in place (reads and writes continue)${index.unique ? '; fails if duplicates were written meanwhile' : ''}`,
        },
        caveats: ['Metadata only: the index is dropped without touching the rows. Queries that used it get slower from now on.'],
        changes: [{ op: 'drop_index', table: ctx.ref, index: name }, ...(index.unique ? [{ op: 'drop_constraint' as const, table: ctx.ref, constraint: name }] : [])],
      }),
    ],
  };
}
