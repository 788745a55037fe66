import type { RecipeResult } from '../../plan/draft.js';
import type { AddUniqueConstraintIntent } from '../types.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { addIndexSteps, requireFreeIndexName } from '../create-index/mysql.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-11 (MySQL/MariaDB): a UNIQUE constraint is a unique index there (TABLE_CONSTRAINTS
 * lists it as UNIQUE), so the plan is the unique index build: a duplicate check, then ADD UNIQUE
 * INDEX, ALGORITHM=INPLACE, LOCK=NONE (built without copying the table, reads and writes going on;
 * MariaDB [E]: NOCOPY, NONE). Rollback drops the index in place.
 */
export function addUniqueConstraintRecipeMysql(ctx: RecipeContext, intent: AddUniqueConstraintIntent): RecipeResult {
  intent.columns.forEach((c) => requireColumn(ctx, c));
  const name = intent.name ?? derivedName([ctx.ref.name, ...intent.columns], 'key');
  requireFreeIndexName(ctx, name);
  return {
    steps: addIndexSteps(ctx, { name, columns: intent.columns, unique: true, release: 0, title: `Add UNIQUE ${name} (${intent.columns.join(', ')}) as a unique index built in place` }),
    warnings: [],
  };
}
