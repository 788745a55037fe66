import type { QueryRecord } from '../measure/records.js';
import { percentile } from '../measure/summary.js';

/** Query latency over time in fixed buckets: what the chart draws and the JSON carries. */
export interface TimelineBucket {
  /** Bucket start, ms after the run started. */
  atMs: number;
  queries: number;
  failed: number;
  p50Ms: number;
  maxMs: number;
}

export function timeline(records: readonly QueryRecord[], fromMs: number, toMs: number, buckets = 240): TimelineBucket[] {
  const span = Math.max(1, toMs - fromMs);
  const width = span / buckets;
  const groups: QueryRecord[][] = Array.from({ length: buckets }, () => []);
  for (const r of records) {
    const i = Math.min(buckets - 1, Math.max(0, Math.floor((r.startedAtMs - fromMs) / width)));
    groups[i]!.push(r);
  }
  return groups.map((g, i) => ({
    atMs: i * width,
    queries: g.length,
    failed: g.filter((r) => !r.ok).length,
    p50Ms: percentile(g.map((r) => r.latencyMs), 50),
    maxMs: g.reduce((m, r) => Math.max(m, r.latencyMs), 0),
  }));
}
