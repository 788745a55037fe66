import type { Rollback } from '../../plan/types.js';
import type { StepDraft } from '../../plan/draft.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { dmlClaim } from '../../engines/mysql/locks.js';
import { mysqlDdlTimeouts } from '../../engines/mysql/timeouts.js';
import { BATCH_SECONDS_PER_1000_ROWS } from '../../engines/postgres/size.js';
import { primaryKeyColumns } from './postgres.js';
import type { RecipeContext } from '../context.js';

/** `a` differs from `b`, NULLs included (MySQL's NOT (a <=> b), spelled so every grammar reads it). */
export function mysqlDistinct(a: string, b: string): string {
  return `(${a} <> ${b} OR (${a} IS NULL AND ${b} IS NOT NULL) OR (${a} IS NOT NULL AND ${b} IS NULL))`;
}

/**
 * A backfill by primary-key ranges on MySQL/MariaDB: one short InnoDB transaction per batch (row
 * locks on the batch only, innodb_lock_wait_timeout bounded, retried on error 1205), the cursor saved
 * in the same transaction, so a killed run resumes where the last committed batch ended.
 */
export function mysqlBackfillStep(
  ctx: RecipeContext,
  spec: { title: string; set: string; predicate: string; release: number; rollback: Rollback; caveats?: string[] },
): StepDraft {
  const keys = primaryKeyColumns(ctx);
  const first = quoteIdent(keys[0]!);
  const { batchSize, pauseMs } = ctx.options;
  const batches = Math.max(1, Math.ceil(ctx.rows / batchSize));
  const seconds = Math.ceil(batches * ((batchSize / 1000) * BATCH_SECONDS_PER_1000_ROWS + pauseMs / 1000));
  const range = keys.length === 1 ? `${first} > ? AND ${first} <= ?` : `(${keys.map(quoteIdent).join(', ')}) > (…) AND (…) <= (…)`;
  return {
    release: spec.release,
    title: spec.title,
    kind: 'backfill',
    instruction: '',
    // the shape of one batch; the runner binds each range (a composite key expands to (a > ? OR a = ? AND b > ?) …)
    sql: keys.length === 1 ? [`UPDATE ${qualify(ctx.ref)} SET ${spec.set} WHERE ${range} AND ${spec.predicate}`] : [],
    transactional: false,
    lock: dmlClaim([ctx.tableName], 'rows'),
    timeouts: mysqlDdlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    backfill: { table: ctx.tableName, set: spec.set, predicate: spec.predicate, keyColumns: keys, batchSize, pauseMs },
    checkpoint: {
      description: 'no row is left to backfill',
      sql: `SELECT COUNT(*) FROM ${qualify(ctx.ref)} WHERE ${spec.predicate}`,
      expected: 0,
    },
    rollback: spec.rollback,
    caveats: [
      `Runs in batches of ${batchSize} rows by primary key (${keys.join(', ')}), each its own short transaction, pausing ${pauseMs} ms between batches; only the rows of the current batch are locked (InnoDB row locks, waits bounded by innodb_lock_wait_timeout).`,
      'Resumable: progress is saved with every batch, so a killed run continues where it stopped.',
      'The upper key is captured when the backfill starts; rows inserted after that are covered by the application writing the value.',
      'On a replicated server keep batches small: each batch is one transaction on every replica too.',
      ...(spec.caveats ?? []),
    ],
    estimate: {
      rows: ctx.rows,
      batches,
      seconds,
      basis: `row estimate (information_schema.TABLES.TABLE_ROWS, an InnoDB estimate); ~${BATCH_SECONDS_PER_1000_ROWS * 1000} ms per 1,000 rows plus the pause; machine-dependent`,
    },
    changes: [],
  };
}
