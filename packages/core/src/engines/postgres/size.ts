import type { TableSchema } from '../../schema/snapshot.js';

/**
 * A table small enough that a full scan or rewrite under a strong lock lasts milliseconds, so
 * the one-statement change is genuinely safe: 8 MiB reads from cache in well under 50 ms on
 * ordinary hardware, shorter than a typical lock_timeout. Tunable with PlanOptions.smallTableBytes.
 */
export const DEFAULT_SMALL_TABLE_BYTES = 8 * 1024 * 1024;

export function isSmallTable(table: TableSchema, smallTableBytes: number): boolean {
  return table.sizeBytes <= smallTableBytes;
}

/** Rows to plan for: the estimate, or a guess from size when the table was never analyzed. */
export function plannedRows(table: TableSchema): number {
  if (table.rowEstimate >= 0) return Math.round(table.rowEstimate);
  return Math.round(table.sizeBytes / 100);
}

/** Sequential read throughput assumed for scan estimates: conservative for a busy server. */
export const SCAN_BYTES_PER_SECOND = 200 * 1024 * 1024;
/** Time for `passes` sequential scans of `bytes` at SCAN_BYTES_PER_SECOND, in whole seconds, at least 1. */
export function scanSeconds(bytes: number, passes = 1): number {
  return Math.max(1, Math.ceil((passes * bytes) / SCAN_BYTES_PER_SECOND));
}

/** Assumed time of one keyset batch of 5,000 rows (index range + update + commit). */
export const BATCH_SECONDS_PER_1000_ROWS = 0.02;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
