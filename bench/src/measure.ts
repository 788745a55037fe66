import { latencyStats, windowOf, type QueryRecord, type StepWindow } from '@liveshift/verify';

/** What the application saw while a change ran. */
export interface ChangeSummary {
  /** Queries that overlapped the change's windows more than any other window. */
  queries: number;
  failed: number;
  /** Distinct failure messages with their counts, most frequent first. */
  failures: { message: string; count: number }[];
  /** The longest any single application query waited: the stall a user of the application felt. */
  longestStallMs: number;
  /** The window (e.g. "step 5") the longest stall overlapped most. */
  longestStallDuring: string | null;
  p50Ms: number;
  p99Ms: number;
  /** p99 of the queries before the change started, for scale. */
  baselineP99Ms: number;
}

/**
 * Summarises the queries of the change's windows (phase "apply"); a query belongs to the window
 * it overlapped most (@liveshift/verify's windowOf), so a query stuck behind the change counts
 * even if it was sent just before it.
 */
export function summarizeChange(records: readonly QueryRecord[], windows: readonly StepWindow[]): ChangeSummary {
  const during: QueryRecord[] = [];
  const baseline: QueryRecord[] = [];
  let longest: { record: QueryRecord; window: StepWindow } | undefined;
  for (const record of records) {
    const window = windowOf(record, windows);
    if (window?.phase === 'baseline') baseline.push(record);
    if (window?.phase !== 'apply') continue;
    during.push(record);
    if (!longest || record.latencyMs > longest.record.latencyMs) longest = { record, window };
  }
  const stats = latencyStats(during);
  const failures = new Map<string, number>();
  for (const r of during) {
    if (r.ok) continue;
    const message = `${r.kind}: ${r.error ?? 'failed'}`;
    failures.set(message, (failures.get(message) ?? 0) + 1);
  }
  return {
    queries: stats.queries,
    failed: stats.failed,
    failures: [...failures].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count),
    longestStallMs: stats.maxMs,
    longestStallDuring: longest?.window.label ?? null,
    p50Ms: stats.p50Ms,
    p99Ms: stats.p99Ms,
    baselineP99Ms: latencyStats(baseline).p99Ms,
  };
}
