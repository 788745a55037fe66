import type { Rollback } from '../../plan/types.js';
import type { StepDraft } from '../../plan/draft.js';
import { PlanningError } from '../../errors.js';
import { qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { BATCH_SECONDS_PER_1000_ROWS } from '../../engines/postgres/size.js';
import type { RecipeContext } from '../context.js';

export function primaryKeyColumns(ctx: RecipeContext): string[] {
  const pk = ctx.table.constraints.find((k) => k.type === 'primary_key');
  if (!pk) {
    throw new PlanningError(
      `${ctx.tableName} has no primary key: a backfill walks the table in keyset batches by primary key, so it needs one (add a primary key first)`,
      ctx.statement,
    );
  }
  return pk.columns;
}

/**
 * A keyset-batched backfill: one short transaction per batch, committed as it goes, row locks
 * only. `predicate` selects rows still to do, so a batch re-run after a crash is harmless.
 */
export function backfillStep(
  ctx: RecipeContext,
  spec: { title: string; set: string; predicate: string; release: number; rollback: Rollback; caveats?: string[] },
): StepDraft {
  const keys = primaryKeyColumns(ctx);
  const keyList = keys.map(quoteIdent).join(', ');
  const params = (from: number) => keys.map((_, i) => `$${from + i}`).join(', ');
  const { batchSize, pauseMs } = ctx.options;
  const batches = Math.max(1, Math.ceil(ctx.rows / batchSize));
  const seconds = Math.ceil(batches * ((batchSize / 1000) * BATCH_SECONDS_PER_1000_ROWS + pauseMs / 1000));
  return {
    release: spec.release,
    title: spec.title,
    kind: 'backfill',
    instruction: '',
    sql: [
      `UPDATE ${qualify(ctx.ref)} SET ${spec.set} WHERE (${keyList}) > (${params(1)}) AND (${keyList}) <= (${params(1 + keys.length)}) AND (${spec.predicate})`,
    ],
    transactional: false,
    lock: lockClaim('ROW EXCLUSIVE', [ctx.tableName], 'rows'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    backfill: { table: ctx.tableName, set: spec.set, predicate: spec.predicate, keyColumns: keys, batchSize, pauseMs },
    checkpoint: {
      description: 'no row is left to backfill',
      sql: `SELECT NOT EXISTS (SELECT 1 FROM ${qualify(ctx.ref)} WHERE ${spec.predicate})`,
      expected: true,
    },
    rollback: spec.rollback,
    caveats: [
      `Runs in batches of ${batchSize} rows by primary key (${keys.join(', ')}), each its own short transaction, pausing ${pauseMs} ms between batches; only the rows of the current batch are locked.`,
      'Resumable: progress is saved with every batch, so a killed run continues where it stopped.',
      'The upper key is captured when the backfill starts; rows inserted after that are covered by the application or trigger writing the value.',
      ...(spec.caveats ?? []),
    ],
    estimate: {
      rows: ctx.rows,
      batches,
      seconds,
      basis: `${ctx.table.rowEstimate >= 0 ? 'row estimate (pg_class.reltuples)' : 'table size / 100 bytes per row (never analyzed)'}; ~${BATCH_SECONDS_PER_1000_ROWS * 1000} ms per 1,000 rows plus the pause; machine-dependent`,
    },
    changes: [],
  };
}
