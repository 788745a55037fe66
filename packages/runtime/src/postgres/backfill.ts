import type pg from 'pg';
import { qualify, quoteIdent, type BackfillSpec, type TableRef, type Timeouts } from '@liveshift/core';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError } from '../errors.js';
import { saveBackfillCursor, saveBackfillUpperKey, type BackfillCursor } from '../state.js';
import { durationSetting, sleep, withLockRetry } from './lock-retry.js';

/**
 * A keyset-batched backfill: one short transaction per batch, so only the batch's rows are ever
 * locked, and the cursor commits with the batch, so a killed run resumes exactly where the last
 * committed batch ended. Rows are only touched up to the largest key seen at the start: rows
 * written later come from the application, which already writes them correctly.
 */

export interface BackfillProgress {
  step: number;
  /** schema.table as the plan names it. */
  table: string;
  /** Rows covered by committed batches (whether or not they needed a change). */
  done: number;
  /** Estimated rows in the table (pg_class.reltuples or the plan's estimate); null when unknown. */
  total: number | null;
  /** Rows actually changed (those matching the predicate). */
  updated: number;
  batches: number;
  finished: boolean;
}

export type BackfillProgressCallback = (progress: BackfillProgress) => void;

export interface BackfillOptions {
  planId: string;
  step: number;
  label: string;
  timeouts: Timeouts;
  log: (message: string) => void;
  onProgress?: BackfillProgressCallback;
  /** The plan's row estimate, used when the server has no statistics for the table. */
  estimatedRows?: number;
  /** State persisted by an earlier, interrupted run of this step (nulls for a fresh start). */
  resumeFrom: { cursor: BackfillCursor | null; upperKey: string[] | null };
}

/**
 * The table a backfill names as `schema.table` (the plan's display form), found in the catalog
 * rather than split at a dot, so names that contain dots or quotes still resolve exactly.
 */
export async function resolveBackfillTable(client: Pick<pg.ClientBase, 'query'>, table: string): Promise<TableRef> {
  const { rows } = await client.query(
    `SELECT n.nspname AS schema, c.relname AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname || '.' || c.relname = $1`,
    [table],
  );
  if (rows.length === 1) return rows[0] as TableRef;
  if (rows.length === 0) throw new LiveshiftError(`the backfill's table ${table} does not exist in this database`, EXIT_FAILED);
  throw new LiveshiftError(
    `the backfill's table ${table} is ambiguous here: ${rows.map((r) => `schema "${r.schema}" table "${r.name}"`).join(' or ')}`,
    EXIT_FAILED,
  );
}

function validateSpec(spec: BackfillSpec, label: string, step: number): void {
  const problems: string[] = [];
  if (spec.keyColumns.length === 0) problems.push('keyColumns is empty');
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1) problems.push(`batchSize ${spec.batchSize} is not a positive integer`);
  if (!Number.isFinite(spec.pauseMs) || spec.pauseMs < 0) problems.push(`pauseMs ${spec.pauseMs} is negative`);
  if (problems.length > 0) throw new LiveshiftError(`${label}: invalid backfill: ${problems.join('; ')}`, EXIT_BAD_INPUT, { step });
}

/** Builds the batch SQL once; `$n` placeholders carry keys as text, cast by the server to the key types. */
class KeysetQueries {
  readonly table: string;
  private readonly keys: string[];
  private readonly keyList: string;

  constructor(
    private readonly spec: BackfillSpec,
    table: TableRef,
  ) {
    this.table = qualify(table);
    this.keys = spec.keyColumns.map(quoteIdent);
    this.keyList = this.keys.join(', ');
  }

  get keyCount(): number {
    return this.keys.length;
  }

  /** The largest key in the table, as text. */
  upperKey(): string {
    const asText = this.keys.map((k, i) => `${k}::text AS key_${i}`).join(', ');
    const descending = this.keys.map((k) => `${k} DESC`).join(', ');
    return `SELECT ${asText} FROM ${this.table} ORDER BY ${descending} LIMIT 1`;
  }

  /** The last key and the row count of the next batch after `after` (none: start of table). */
  nextBatch(hasAfter: boolean): string {
    const asText = this.keys.map((k, i) => `b.${k}::text AS key_${i}`).join(', ');
    const descending = this.keys.map((k) => `b.${k} DESC`).join(', ');
    return (
      `SELECT ${asText}, count(*) OVER () AS batch_rows ` +
      `FROM (SELECT ${this.keyList} FROM ${this.table} WHERE ${this.range(hasAfter)} ORDER BY ${this.keyList} LIMIT ${this.spec.batchSize}) AS b ` +
      `ORDER BY ${descending} LIMIT 1`
    );
  }

  /** Updates the rows of one batch that still need it. */
  updateBatch(hasAfter: boolean): string {
    return `UPDATE ${this.table} SET ${this.spec.set} WHERE ${this.range(hasAfter)} AND (${this.spec.predicate})`;
  }

  /** Parameters for range(): the lower bound (when there is one), then the upper. */
  rangeParams(after: string[] | null, upTo: string[]): string[] {
    return after ? [...after, ...upTo] : [...upTo];
  }

  private range(hasAfter: boolean): string {
    const n = this.keys.length;
    const placeholders = (from: number) => Array.from({ length: n }, (_, i) => `$${from + i}`).join(', ');
    const upper = `(${this.keyList}) <= (${placeholders(hasAfter ? n + 1 : 1)})`;
    return hasAfter ? `(${this.keyList}) > (${placeholders(1)}) AND ${upper}` : upper;
  }
}

export async function runBackfill(client: pg.ClientBase, spec: BackfillSpec, options: BackfillOptions): Promise<BackfillCursor> {
  const { label, step, timeouts, log } = options;
  validateSpec(spec, label, step);
  const queries = new KeysetQueries(spec, await resolveBackfillTable(client, spec.table));
  const retry = { timeouts, label, tables: [spec.table], step, log };

  // one short transaction, with the same bounded lock wait as every batch
  const inTransaction = <T>(work: () => Promise<T>): Promise<T> =>
    withLockRetry(retry, async () => {
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL lock_timeout = ${durationSetting(timeouts.lockTimeoutMs)}`);
        await client.query(`SET LOCAL statement_timeout = ${durationSetting(timeouts.statementTimeoutMs)}`);
        const result = await work();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });

  let upperKey = options.resumeFrom.upperKey;
  if (upperKey === null) {
    upperKey = await inTransaction(async () => {
      const { rows } = await client.query({ text: queries.upperKey(), rowMode: 'array' });
      const key = (rows[0] as string[] | undefined) ?? [];
      await saveBackfillUpperKey(client, options.planId, step, key);
      return key;
    });
  }

  let cursor: BackfillCursor = options.resumeFrom.cursor ?? { after: null, rowsScanned: 0, rowsUpdated: 0, batches: 0 };
  const total = await estimateRows(client, queries.table, options.estimatedRows);
  const report = (finished: boolean) =>
    options.onProgress?.({
      step,
      table: spec.table,
      done: cursor.rowsScanned,
      total: finished ? cursor.rowsScanned : total === null ? null : Math.max(total, cursor.rowsScanned),
      updated: cursor.rowsUpdated,
      batches: cursor.batches,
      finished,
    });

  if (upperKey.length === 0) {
    log(`${label}: ${spec.table} was empty when the backfill started; nothing to do`);
    report(true);
    return cursor;
  }
  const upTo = upperKey;
  if (cursor.after) {
    log(`${label}: resuming the backfill of ${spec.table} after key (${cursor.after.join(', ')}), ${cursor.batches} batches already committed`);
  } else {
    log(`${label}: backfilling ${spec.table} in batches of ${spec.batchSize} by (${spec.keyColumns.join(', ')}) up to key (${upTo.join(', ')})`);
  }

  for (;;) {
    const before = cursor;
    const next = await inTransaction(async () => {
      const hasAfter = before.after !== null;
      const params = queries.rangeParams(before.after, upTo);
      const probe = await client.query({ text: queries.nextBatch(hasAfter), values: params, rowMode: 'array' });
      const last = probe.rows[0] as string[] | undefined;
      if (!last) return null;
      const batchUpper = last.slice(0, queries.keyCount);
      const batchRows = Number(last[queries.keyCount]);
      const updated = await client.query(queries.updateBatch(hasAfter), queries.rangeParams(before.after, batchUpper));
      const moved: BackfillCursor = {
        after: batchUpper,
        rowsScanned: before.rowsScanned + batchRows,
        rowsUpdated: before.rowsUpdated + (updated.rowCount ?? 0),
        batches: before.batches + 1,
      };
      await saveBackfillCursor(client, options.planId, step, moved);
      return moved;
    });
    if (next === null) break;
    cursor = next;
    report(false);
    if (spec.pauseMs > 0) await sleep(spec.pauseMs);
  }
  // the progress reporter prints its own closing line; without one, the log is the only record
  if (!options.onProgress) log(`${label}: backfill of ${spec.table} finished: ${cursor.rowsUpdated} rows updated, ${cursor.rowsScanned} rows covered in ${cursor.batches} batches`);
  report(true);
  return cursor;
}

/** Never count(*) a large table for a progress bar: statistics, else the plan's estimate. */
async function estimateRows(client: pg.ClientBase, tableSql: string, planEstimate: number | undefined): Promise<number | null> {
  const { rows } = await client.query(`SELECT reltuples::float8 AS estimate FROM pg_class WHERE oid = to_regclass($1)`, [tableSql]);
  const fromStatistics = rows[0]?.estimate as number | undefined;
  // -1 (never analyzed, 14+) and 0 (never analyzed before 14, or truly empty) say nothing useful
  if (fromStatistics !== undefined && fromStatistics > 0) return Math.round(fromStatistics);
  if (planEstimate !== undefined && planEstimate > 0) return planEstimate;
  return null;
}
