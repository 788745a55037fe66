import type Database from 'better-sqlite3';
import { quoteSqliteIdent, type BackfillSpec } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError } from '../errors.js';
import type { BackfillOptions } from '../postgres/backfill.js';
import { sleep } from '../postgres/lock-retry.js';
import type { BackfillCursor } from '../state.js';
import { withBusyRetry } from './busy-retry.js';
import { saveSqliteCursor, saveSqliteUpperKey } from './state.js';

/**
 * A keyset-batched backfill on SQLite: each batch is one short write transaction (BEGIN IMMEDIATE,
 * busy_timeout, retried with backoff on SQLITE_BUSY) that updates the rows of one key range and
 * saves the cursor with them, so the database write lock is held one batch at a time and a killed
 * run resumes after the last committed batch. Keys go up to the largest one seen at the start.
 */
export async function runSqliteBackfill(db: Database.Database, spec: BackfillSpec, options: BackfillOptions): Promise<void> {
  const table = quoteSqliteIdent(tableName(spec.table));
  const keys = spec.keyColumns.map(quoteSqliteIdent);
  const keyList = keys.join(', ');
  const params = keys.map(() => '?').join(', ');
  const exists = db.prepare(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`).pluck().get(tableName(spec.table));
  if (!exists) throw new LiveshiftError(`the backfill's table ${spec.table} does not exist in this database`, EXIT_FAILED, { step: options.step });

  let upper = options.resumeFrom.upperKey;
  if (!upper) {
    const row = db.prepare(`SELECT ${keyList} FROM ${table} ORDER BY ${keyList} DESC LIMIT 1`).raw().get() as unknown[] | undefined;
    upper = row ? row.map(String) : [];
    saveSqliteUpperKey(db, options.planId, options.step, upper);
  }
  const total = Number(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  const cursor: BackfillCursor = options.resumeFrom.cursor ?? { after: null, rowsScanned: 0, rowsUpdated: 0, batches: 0 };
  const report = (finished: boolean) =>
    options.onProgress?.({ step: options.step, table: spec.table, done: cursor.rowsScanned, total, updated: cursor.rowsUpdated, batches: cursor.batches, finished });
  if (upper.length === 0) {
    report(true);
    return;
  }
  if (cursor.after) options.log(`${options.label}: resuming after key (${cursor.after.join(', ')}), ${cursor.rowsScanned} rows done`);

  const lowerBound = (after: string[] | null) => (after ? `(${keyList}) > (${params}) AND ` : '');
  for (;;) {
    const after = cursor.after;
    // the batch's last key: batchSize rows on from the cursor, or the upper key for the last batch
    const end =
      (db.prepare(`SELECT ${keyList} FROM ${table} WHERE ${lowerBound(after)}(${keyList}) <= (${params}) ORDER BY ${keyList} LIMIT 1 OFFSET ?`).raw().get(...(after ?? []), ...upper, spec.batchSize - 1) as unknown[] | undefined)?.map(String) ?? upper;
    const scanned = Number(db.prepare(`SELECT count(*) FROM ${table} WHERE ${lowerBound(after)}(${keyList}) <= (${params})`).pluck().get(...(after ?? []), ...end));
    await withBusyRetry(db, { timeouts: options.timeouts, label: options.label, step: options.step, log: options.log }, () => {
      db.exec('BEGIN IMMEDIATE');
      const result = db.prepare(`UPDATE ${table} SET ${spec.set} WHERE ${lowerBound(after)}(${keyList}) <= (${params}) AND (${spec.predicate})`).run(...(after ?? []), ...end);
      const next: BackfillCursor = { after: end, rowsScanned: cursor.rowsScanned + scanned, rowsUpdated: cursor.rowsUpdated + result.changes, batches: cursor.batches + 1 };
      saveSqliteCursor(db, options.planId, options.step, next);
      db.exec('COMMIT');
      Object.assign(cursor, next);
    });
    const finished = sameKey(end, upper);
    report(finished);
    if (finished) return;
    if (spec.pauseMs > 0) await sleep(spec.pauseMs);
  }
}

/** "main.users" → "users" (SQLite plans cover the main database). */
function tableName(table: string): string {
  return table.startsWith('main.') ? table.slice('main.'.length) : table;
}

function sameKey(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
