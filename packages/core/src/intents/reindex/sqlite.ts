import type { IndexSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { ReindexIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { formatBytes, scanSeconds } from '../../engines/postgres/size.js';
import { quoteIdent } from '../../engines/sqlite/quote.js';
import { indexExists, writeStep } from '../../engines/sqlite/steps.js';
import { resolveIndex } from '../index-target.js';
import type { RecipeContext } from '../context.js';

/**
 * recipes.md I-10 on SQLite: `REINDEX <index>` drops and rebuilds the index's b-tree inside one
 * write transaction, reading the whole table — there is no concurrent form, so every writer of the
 * database waits for the whole build (WAL readers go on, reading the old index until it commits).
 * One step per index, so writers get the lock back between indexes; above the small-table threshold
 * it is refused (no online path), the threshold being the user's to raise to accept the pause.
 */
export function reindexRecipeSqlite(ctx: RecipeContext, intent: ReindexIntent): RecipeResult {
  const indexes = intent.index !== undefined ? [resolveIndex(ctx.snapshot, intent.index, ctx.statement).index] : [...ctx.table.indexes];
  if (!indexes.length) {
    throw new PlanningError(`${ctx.tableName} has no named indexes to rebuild (the indexes SQLite builds behind PRIMARY KEY and UNIQUE constraints are rebuilt by REINDEX ${quoteIdent(ctx.table.name)}, run by hand)`, ctx.statement);
  }
  if (!ctx.small) {
    throw new PlanningError(
      `SQLite has no online way to do this (rebuilding ${indexes.map((i) => `index ${i.name}`).join(', ')}): REINDEX rebuilds an index in one write transaction that reads all of ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)}) while holding the database-wide write lock, so every writer waits ~${scanSeconds(ctx.table.sizeBytes, 1)} s or more per index. ` +
        `To accept that pause (a maintenance window, or busy_timeouts long enough), raise the small-table threshold above the table's size (--small-table-bytes ${ctx.table.sizeBytes}, or smallTableBytes in the API).`,
      ctx.statement,
    );
  }
  const steps: StepDraft[] = indexes.map((index) => reindexStep(ctx, index));
  const warnings =
    intent.index === undefined
      ? [`The plan rebuilds the ${indexes.length} named index${indexes.length > 1 ? 'es' : ''} of ${ctx.tableName} (${indexes.map((i) => i.name).join(', ')}) one per step, not the indexes SQLite keeps behind its PRIMARY KEY / UNIQUE constraints (sqlite_autoindex_*), which only REINDEX ${quoteIdent(ctx.table.name)} rebuilds, all in one write transaction.`]
      : [];
  return { steps, warnings };
}

function reindexStep(ctx: RecipeContext, index: IndexSchema): StepDraft {
  return writeStep(ctx, {
    title: `Rebuild index ${index.name} (REINDEX)`,
    release: 0,
    sql: [`REINDEX ${quoteIdent(index.name)}`],
    duration: 'scan',
    rollback: { kind: 'none', reason: 'the index is rebuilt with the same definition and name: there is nothing to undo' },
    changes: [],
    checkpoint: indexExists(index.name, true),
    caveats: [
      `SQLite rebuilds ${index.name} in one write transaction that reads the whole of ${ctx.tableName} (there is no concurrent form): every writer of the database waits for the whole build, within its busy_timeout; it is planned only because the table is small.`,
      `${index.unique ? 'A unique index that finds duplicate keys (a corrupted index let them in) makes REINDEX fail and roll back, the old index unchanged: remove the duplicates first. ' : ''}If the index is corrupted, check with PRAGMA integrity_check after the rebuild.`,
    ],
  });
}
