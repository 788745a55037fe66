import type { IndexSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { CreateIndexIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { requireSmallEnough } from '../../engines/sqlite/rebuild.js';
import { indexExists, readCheckStep, writeStep } from '../../engines/sqlite/steps.js';
import { requireColumn, requireFreeRelationName, type RecipeContext } from '../context.js';

/**
 * recipes.md I-08 / I-11 on SQLite: CREATE INDEX has no concurrent form — it holds the database
 * write lock while it reads the whole table — so it is one step on a small table and refused (no
 * online path) on a big one. A unique index is preceded by a duplicate check, so the build does
 * not fail half-way under the lock.
 */
export function createIndexRecipe(ctx: RecipeContext, intent: CreateIndexIntent): RecipeResult {
  if (intent.method !== 'btree') throw new PlanningError(`SQLite indexes are b-trees; USING ${intent.method} does not exist there`, ctx.statement);
  const plain = intent.columns.filter((c) => !c.startsWith('('));
  for (const c of plain) requireColumn(ctx, c);
  const name = intent.name ?? derivedName([ctx.ref.name, ...plain], intent.unique ? 'key' : 'idx');
  requireFreeRelationName(ctx, name);
  requireSmallEnough(ctx, `building index ${name}`);
  const keys = intent.columns.map((c) => (c.startsWith('(') ? c : quoteIdent(c)));
  const definition = `CREATE ${intent.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} ON ${tableSql(ctx.ref)} (${keys.join(', ')})${intent.where ? ` WHERE ${intent.where}` : ''}`;
  const index: IndexSchema = { name, columns: intent.columns, unique: intent.unique, primary: false, valid: true, predicate: intent.where ?? null, method: 'btree', definition };
  const steps: StepDraft[] = [];
  if (intent.unique) {
    const cols = keys.join(', ');
    steps.push(
      readCheckStep(ctx, {
        release: 0,
        title: `Check that no two rows share (${intent.columns.join(', ')})`,
        checkpoint: {
          description: 'no duplicate keys',
          sql: `SELECT NOT EXISTS (SELECT 1 FROM ${tableSql(ctx.ref)}${intent.where ? ` WHERE ${intent.where}` : ''} GROUP BY ${cols} HAVING count(*) > 1 AND ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')})`,
          expected: 1,
        },
        caveats: ['The application must already refuse duplicates: one inserted after this check makes the build fail (and roll back, nothing left behind).'],
      }),
    );
  }
  steps.push(
    writeStep(ctx, {
      title: `Create ${intent.unique ? 'unique ' : ''}index ${name}`,
      release: 0,
      sql: [definition],
      duration: 'scan',
      rollback: { kind: 'sql', sql: [`DROP INDEX IF EXISTS ${quoteIdent(name)}`], transactional: true },
      changes: [{ op: 'add_index', table: ctx.ref, index }],
      checkpoint: indexExists(name, true),
      caveats: ['SQLite builds an index in one write transaction (there is no CONCURRENTLY): writers of the whole database wait for the build; it is planned only because the table is small.'],
    }),
  );
  return { steps, warnings: [] };
}
