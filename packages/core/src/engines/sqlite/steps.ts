import type { Checkpoint, LockClaim, Rollback, SchemaChange } from '../../plan/types.js';
import type { StepDraft } from '../../plan/draft.js';
import type { TableRef } from '../../schema/snapshot.js';
import type { RecipeContext } from '../../intents/context.js';
import { databaseWriteLock, READ_CHECK_CAVEAT, WRITE_LOCK_CAVEAT } from './locks.js';
import { busyTimeouts } from './timeouts.js';
import { quoteIdent, quoteLiteral, tableSql } from './quote.js';
import { readOnlyStep } from '../../intents/read-only-check/postgres.js';

/** The SQLite step shapes every recipe uses: one write transaction, a batched backfill, a read-only check. */

/** DDL in one write transaction (the runner's BEGIN IMMEDIATE … COMMIT, busy_timeout and retries). */
export function writeStep(
  ctx: RecipeContext,
  spec: { title: string; release: number; sql: string[]; rollback: Rollback; changes: SchemaChange[]; checkpoint: Checkpoint | null; caveats: string[]; duration?: LockClaim['duration']; tables?: string[] },
): StepDraft {
  return {
    release: spec.release,
    title: spec.title,
    kind: 'ddl',
    instruction: '',
    sql: spec.sql,
    transactional: true,
    lock: databaseWriteLock(spec.tables ?? [ctx.tableName], spec.duration ?? 'brief'),
    timeouts: busyTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: spec.checkpoint,
    rollback: spec.rollback,
    caveats: [...spec.caveats, WRITE_LOCK_CAVEAT],
    changes: spec.changes,
  };
}

/** The key a backfill walks: the primary key, or the rowid every ordinary SQLite table has. */
export function backfillKey(ctx: RecipeContext): string[] {
  const pk = ctx.table.constraints.find((k) => k.type === 'primary_key');
  return pk ? pk.columns : ['rowid'];
}

/**
 * A keyset-batched backfill: one short write transaction per batch (the database write lock is
 * held only for one batch), progress saved with each batch, so it resumes where it stopped.
 */
export function backfillStep(
  ctx: RecipeContext,
  spec: { title: string; set: string; predicate: string; release: number; rollback: Rollback; caveats?: string[]; /** Replaces "no row left" when rows keep arriving that a later step fills. */ checkpoint?: Checkpoint | null },
): StepDraft {
  const keys = backfillKey(ctx);
  const keyList = keys.map(quoteIdent).join(', ');
  const params = keys.map(() => '?').join(', ');
  const { batchSize, pauseMs } = ctx.options;
  const batches = Math.max(1, Math.ceil(ctx.rows / batchSize));
  return {
    release: spec.release,
    title: spec.title,
    kind: 'backfill',
    instruction: '',
    sql: [`UPDATE ${tableSql(ctx.ref)} SET ${spec.set} WHERE (${keyList}) > (${params}) AND (${keyList}) <= (${params}) AND (${spec.predicate})`],
    transactional: false,
    lock: databaseWriteLock([ctx.tableName], 'rows'),
    timeouts: busyTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    backfill: { table: ctx.tableName, set: spec.set, predicate: spec.predicate, keyColumns: keys, batchSize, pauseMs },
    checkpoint: spec.checkpoint !== undefined ? spec.checkpoint : { description: 'no row is left to backfill', sql: `SELECT NOT EXISTS (SELECT 1 FROM ${tableSql(ctx.ref)} WHERE ${spec.predicate})`, expected: 1 },
    rollback: spec.rollback,
    caveats: [
      `Runs in batches of ${batchSize} rows by ${keys.join(', ')}, each its own short write transaction, pausing ${pauseMs} ms between batches so the application's writers get the database write lock in between.`,
      'Resumable: progress is saved with every batch, so a killed run continues where it stopped; a batch that finds the database busy waits busy_timeout and is retried with backoff.',
      'The upper key is captured when the backfill starts; rows inserted after that are covered by the application writing the value.',
      ...(spec.caveats ?? []),
    ],
    estimate: { rows: ctx.rows, batches, seconds: Math.ceil(batches * (batchSize / 1000) * 0.02 + (batches * pauseMs) / 1000), basis: 'row count; machine-dependent' },
    changes: [],
  };
}

/** A step that only reads: its checkpoint is the whole step; SQLite readers take no lock a writer waits for. */
export function readCheckStep(ctx: RecipeContext, spec: { release: number; title: string; checkpoint: Checkpoint; caveats: string[] }): StepDraft {
  return readOnlyStep(ctx, {
    ...spec,
    lock: { mode: 'none', tables: [ctx.tableName], blocksReads: false, blocksWrites: false, duration: 'scan' },
    caveats: [...spec.caveats, READ_CHECK_CAVEAT],
  });
}

/** Checkpoints over the pragma table-valued functions (they read the schema, no table rows). */
export function columnExists(ref: TableRef, column: string, exists: boolean): Checkpoint {
  return {
    description: `column ${column} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT count(*) FROM pragma_table_xinfo(${quoteLiteral(ref.name)}) WHERE name = ${quoteLiteral(column)}`,
    expected: exists ? 1 : 0,
  };
}

export function columnNotNull(ref: TableRef, column: string, notNull: boolean): Checkpoint {
  return {
    description: `column ${column} is ${notNull ? 'NOT NULL' : 'nullable'}`,
    sql: `SELECT "notnull" FROM pragma_table_xinfo(${quoteLiteral(ref.name)}) WHERE name = ${quoteLiteral(column)}`,
    expected: notNull ? 1 : 0,
  };
}

export function columnType(ref: TableRef, column: string, type: string): Checkpoint {
  return {
    description: `column ${column} is declared ${type}`,
    sql: `SELECT type FROM pragma_table_xinfo(${quoteLiteral(ref.name)}) WHERE name = ${quoteLiteral(column)}`,
    expected: type,
  };
}

export function indexExists(name: string, exists: boolean): Checkpoint {
  return {
    description: `index ${name} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ${quoteLiteral(name)}`,
    expected: exists ? 1 : 0,
  };
}

export function tableExists(name: string, exists: boolean): Checkpoint {
  return {
    description: `table ${name} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ${quoteLiteral(name)}`,
    expected: exists ? 1 : 0,
  };
}

/** A named constraint in the table's CREATE TABLE text (rebuilds always write CONSTRAINT "name"). */
export function constraintExists(ref: TableRef, name: string, exists: boolean): Checkpoint {
  return {
    description: `constraint ${name} ${exists ? 'exists' : 'is gone'}`,
    sql: `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ${quoteLiteral(ref.name)} AND instr(sql, ${quoteLiteral(`CONSTRAINT ${quoteIdent(name)} `)}) > 0`,
    expected: exists ? 1 : 0,
  };
}
