import type { QueryRecord } from './workload.js';

/** What the application saw while a change ran. */
export interface WorkloadSummary {
  /** Queries sent while the change ran. */
  queries: number;
  failed: number;
  /** Distinct failure messages with their counts, most frequent first. */
  failures: { message: string; count: number }[];
  /** The longest any single application query waited: the stall a user of the application felt. */
  longestStallMs: number;
  p99Ms: number;
  p50Ms: number;
}

/**
 * Summarises the queries sent between `fromMs` and `toMs` (performance.now() times): those are the
 * queries the change could delay. A query sent before the change started was not delayed by it;
 * one sent during the change counts with its whole latency, even if it completed afterwards.
 */
export function summarize(records: readonly QueryRecord[], fromMs: number, toMs: number): WorkloadSummary {
  const during = records.filter((r) => r.startedAtMs >= fromMs && r.startedAtMs <= toMs);
  const latencies = during.map((r) => r.latencyMs).sort((a, b) => a - b);
  const failures = new Map<string, number>();
  for (const r of during) if (!r.ok) failures.set(`${r.kind}: ${r.error ?? 'failed'}`, (failures.get(`${r.kind}: ${r.error ?? 'failed'}`) ?? 0) + 1);
  return {
    queries: during.length,
    failed: during.filter((r) => !r.ok).length,
    failures: [...failures].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count),
    longestStallMs: latencies.length ? latencies[latencies.length - 1]! : 0,
    p99Ms: percentile(latencies, 99),
    p50Ms: percentile(latencies, 50),
  };
}

/** Nearest-rank percentile of ascending `sorted` values; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
