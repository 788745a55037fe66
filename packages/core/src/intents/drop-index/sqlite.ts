import type { RecipeResult } from '../../plan/draft.js';
import type { DropIndexIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { parseCreateIndex } from '../../engines/sqlite/create-statement.js';
import { indexExists, writeStep } from '../../engines/sqlite/steps.js';
import { resolveIndex } from '../index-target.js';
import type { RecipeContext } from '../context.js';

/**
 * recipes.md I-09 on SQLite: DROP INDEX is brief (the index's pages go to the free list) under the
 * database write lock. The rollback builds it again from its CREATE INDEX text, which on a big
 * table holds the write lock for the build.
 */
export function dropIndexRecipe(ctx: RecipeContext, intent: DropIndexIntent): RecipeResult {
  const { index } = resolveIndex(ctx.snapshot, intent.index, ctx.statement);
  let recreate = index.definition;
  try {
    parseCreateIndex(recreate);
  } catch {
    const keys = index.columns.map((c) => (ctx.table.columns.some((col) => col.name === c) ? quoteIdent(c) : c));
    recreate = `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.name)} ON ${tableSql(ctx.ref)} (${keys.join(', ')})${index.predicate ? ` WHERE ${index.predicate}` : ''}`;
  }
  if (index.primary) throw new PlanningError(`index ${index.name} backs the primary key of ${ctx.tableName}; SQLite cannot drop it`, ctx.statement);
  return {
    warnings: [],
    steps: [
      writeStep(ctx, {
        title: `Drop index ${index.name}`,
        release: 0,
        sql: [`DROP INDEX IF EXISTS ${quoteIdent(index.name)}`],
        rollback: { kind: 'sql', sql: [recreate], transactional: true, note: 'rebuilds the index, holding the database write lock for the build' },
        changes: [{ op: 'drop_index', table: ctx.ref, index: index.name }],
        checkpoint: indexExists(index.name, false),
        caveats: ['Queries that used the index fall back to other indexes or a scan from the moment it commits.'],
      }),
    ],
  };
}
