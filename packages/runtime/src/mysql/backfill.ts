import { qualifyMysql, quoteMysqlIdent, type BackfillSpec, type TableRef } from '@liveshift/core';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError } from '../errors.js';
import type { BackfillOptions } from '../postgres/backfill.js';
import { sleep } from '../lock-retry.js';
import type { BackfillCursor } from '../state.js';
import type { MysqlConnection } from './connect.js';
import { setLockWaits, withMysqlLockRetry } from './lock-retry.js';
import { saveMysqlCursor, saveMysqlUpperKey } from './state.js';

/**
 * A backfill by primary-key ranges on MySQL/MariaDB: one short InnoDB transaction per batch (only
 * the batch's rows are locked; waits bounded by innodb_lock_wait_timeout, retried on 1205/1213), the
 * cursor saved in the same transaction, so a killed run resumes after the last committed batch.
 * Rows are touched only up to the largest key seen at the start: later rows come from the
 * application, which already writes them correctly. Composite keys are compared lexicographically,
 * spelled out with AND/OR (row constructors do not use the index on every version).
 */
type Params = unknown[];

async function resolveTable(connection: MysqlConnection, table: string): Promise<TableRef> {
  const [rows] = await connection.query(`SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS name FROM information_schema.TABLES WHERE CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) = ?`, [table]);
  const found = rows as TableRef[];
  if (found.length !== 1) throw new LiveshiftError(`the backfill's table ${table} does not exist in this database`, EXIT_FAILED);
  return found[0]!;
}

class KeyRanges {
  readonly keys: string[];
  constructor(keyColumns: string[]) {
    this.keys = keyColumns.map(quoteMysqlIdent);
  }
  /** (k) > (after), lexicographically. */
  after(values: string[]): [string, Params] {
    return this.compare(values, '>', false);
  }
  /** (k) <= (upTo), lexicographically. */
  upTo(values: string[]): [string, Params] {
    return this.compare(values, '<', true);
  }
  private compare(values: string[], op: '<' | '>', orEqual: boolean): [string, Params] {
    const terms: string[] = [];
    const params: Params = [];
    this.keys.forEach((k, i) => {
      const eq = this.keys.slice(0, i).map((p) => `${p} = ?`);
      terms.push(`(${[...eq, `${k} ${op} ?`].join(' AND ')})`);
      params.push(...values.slice(0, i), values[i]);
    });
    if (orEqual) {
      terms.push(`(${this.keys.map((k) => `${k} = ?`).join(' AND ')})`);
      params.push(...values);
    }
    return [`(${terms.join(' OR ')})`, params];
  }
  range(after: string[] | null, upTo: string[]): [string, Params] {
    const [upper, upperParams] = this.upTo(upTo);
    if (!after) return [upper, upperParams];
    const [lower, lowerParams] = this.after(after);
    return [`${lower} AND ${upper}`, [...lowerParams, ...upperParams]];
  }
}

export async function runMysqlBackfill(connection: MysqlConnection, spec: BackfillSpec, options: BackfillOptions): Promise<BackfillCursor> {
  const { label, step, timeouts, log } = options;
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1 || spec.keyColumns.length === 0) {
    throw new LiveshiftError(`${label}: invalid backfill (batch size ${spec.batchSize}, key ${spec.keyColumns.join(', ') || 'none'})`, EXIT_BAD_INPUT, { step });
  }
  const table = qualifyMysql(await resolveTable(connection, spec.table));
  const ranges = new KeyRanges(spec.keyColumns);
  const keyList = ranges.keys.join(', ');
  const asText = (prefix: string) => ranges.keys.map((k, i) => `CAST(${prefix}${k} AS CHAR) AS key_${i}`).join(', ');
  const descending = (prefix: string) => ranges.keys.map((k) => `${prefix}${k} DESC`).join(', ');
  await setLockWaits(connection, timeouts);
  const retry = { timeouts, label, tables: [spec.table], step, log };
  const inTransaction = <T>(work: () => Promise<T>): Promise<T> =>
    withMysqlLockRetry(retry, async () => {
      await connection.beginTransaction();
      try {
        const result = await work();
        await connection.commit();
        return result;
      } catch (error) {
        await connection.rollback().catch(() => {});
        throw error;
      }
    });

  let upperKey = options.resumeFrom.upperKey;
  if (upperKey === null) {
    upperKey = await inTransaction(async () => {
      const [rows] = await connection.query({ sql: `SELECT ${asText('')} FROM ${table} ORDER BY ${descending('')} LIMIT 1`, rowsAsArray: true });
      const key = ((rows as string[][])[0] ?? []).map(String);
      await saveMysqlUpperKey(connection, options.planId, step, key);
      return key;
    });
  }
  let cursor: BackfillCursor = options.resumeFrom.cursor ?? { after: null, rowsScanned: 0, rowsUpdated: 0, batches: 0 };
  const total = options.estimatedRows && options.estimatedRows > 0 ? options.estimatedRows : null;
  const report = (finished: boolean) =>
    options.onProgress?.({ step, table: spec.table, done: cursor.rowsScanned, total: finished ? cursor.rowsScanned : total === null ? null : Math.max(total, cursor.rowsScanned), updated: cursor.rowsUpdated, batches: cursor.batches, finished });
  if (upperKey.length === 0) {
    log(`${label}: ${spec.table} was empty when the backfill started; nothing to do`);
    report(true);
    return cursor;
  }
  const upTo = upperKey;
  log(cursor.after ? `${label}: resuming the backfill of ${spec.table} after key (${cursor.after.join(', ')}), ${cursor.batches} batches already committed` : `${label}: backfilling ${spec.table} in batches of ${spec.batchSize} by (${spec.keyColumns.join(', ')}) up to key (${upTo.join(', ')})`);

  for (;;) {
    const before = cursor;
    const next = await inTransaction(async () => {
      const [where, params] = ranges.range(before.after, upTo);
      const [probe] = await connection.query({
        sql: `SELECT ${asText('b.')}, COUNT(*) OVER () AS batch_rows FROM (SELECT ${keyList} FROM ${table} WHERE ${where} ORDER BY ${keyList} LIMIT ${spec.batchSize}) AS b ORDER BY ${descending('b.')} LIMIT 1`,
        values: params,
        rowsAsArray: true,
      });
      const last = (probe as unknown[][])[0];
      if (!last) return null;
      const batchUpper = last.slice(0, ranges.keys.length).map(String);
      const [batchWhere, batchParams] = ranges.range(before.after, batchUpper);
      const [updated] = await connection.query(`UPDATE ${table} SET ${spec.set} WHERE ${batchWhere} AND (${spec.predicate})`, batchParams);
      const moved: BackfillCursor = {
        after: batchUpper,
        rowsScanned: before.rowsScanned + Number(last[ranges.keys.length]),
        rowsUpdated: before.rowsUpdated + Number((updated as { affectedRows?: number }).affectedRows ?? 0),
        batches: before.batches + 1,
      };
      await saveMysqlCursor(connection, options.planId, step, moved);
      return moved;
    });
    if (next === null) break;
    cursor = next;
    report(false);
    if (spec.pauseMs > 0) await sleep(spec.pauseMs);
  }
  if (!options.onProgress) log(`${label}: backfill of ${spec.table} finished: ${cursor.rowsUpdated} rows updated, ${cursor.rowsScanned} rows covered in ${cursor.batches} batches`);
  report(true);
  return cursor;
}
