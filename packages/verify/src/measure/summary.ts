import type { QueryKind, QueryRecord, StepWindow } from './records.js';

/** Latency statistics of a set of queries, in milliseconds. */
export interface LatencyStats {
  queries: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface WindowSummary extends LatencyStats {
  label: string;
  step: number | null;
  phase: StepWindow['phase'];
  startedAtMs: number;
  durationMs: number;
  /** p99 of this window divided by the baseline's p99 (null without a baseline or for the baseline itself). */
  p99VsBaseline: number | null;
}

export interface Stall {
  latencyMs: number;
  kind: QueryKind;
  table: string;
  release: string;
  startedAtMs: number;
  ok: boolean;
  /** The window the query overlapped most: the step that caused the stall. */
  window: string | null;
  step: number | null;
}

export interface FailureGroup {
  message: string;
  kind: QueryKind;
  count: number;
  /** Windows in which these failures happened, in time order. */
  windows: string[];
}

export interface WorkloadSummary {
  total: LatencyStats;
  baseline: LatencyStats | null;
  windows: WindowSummary[];
  longestStall: Stall | null;
  failures: FailureGroup[];
  byKind: Record<QueryKind, number>;
}

/** Nearest-rank percentile (p in 0..100); 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function latencyStats(records: readonly QueryRecord[]): LatencyStats {
  const latencies = records.map((r) => r.latencyMs);
  return {
    queries: records.length,
    failed: records.filter((r) => !r.ok).length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.reduce((m, v) => Math.max(m, v), 0),
  };
}

/** The window a query overlapped most (ties: the one it started in); null when it overlapped none. */
export function windowOf(record: Pick<QueryRecord, 'startedAtMs' | 'latencyMs'>, windows: readonly StepWindow[]): StepWindow | null {
  const start = record.startedAtMs;
  const end = start + record.latencyMs;
  let best: StepWindow | null = null;
  let bestOverlap = -1;
  for (const w of windows) {
    const overlap = Math.min(end, w.endedAtMs) - Math.max(start, w.startedAtMs);
    const contains = start >= w.startedAtMs && start < w.endedAtMs;
    if (overlap > bestOverlap || (overlap === bestOverlap && contains)) {
      if (overlap < 0 && !contains) continue;
      best = w;
      bestOverlap = overlap;
    }
  }
  return best;
}

/**
 * Per-window latency (a query belongs to the window it overlapped most), the longest stall of any
 * query with the step that caused it, and failures grouped by message.
 */
export function summarise(records: readonly QueryRecord[], windows: readonly StepWindow[]): WorkloadSummary {
  const ordered = [...windows].sort((a, b) => a.startedAtMs - b.startedAtMs);
  const byWindow = new Map<StepWindow, QueryRecord[]>(ordered.map((w) => [w, []]));
  const windowByRecord = new Map<QueryRecord, StepWindow | null>();
  for (const r of records) {
    const w = windowOf(r, ordered);
    windowByRecord.set(r, w);
    if (w) byWindow.get(w)!.push(r);
  }
  const baselineWindow = ordered.find((w) => w.phase === 'baseline');
  const baseline = baselineWindow ? latencyStats(byWindow.get(baselineWindow)!) : null;
  const windowSummaries: WindowSummary[] = ordered.map((w) => {
    const stats = latencyStats(byWindow.get(w)!);
    return {
      label: w.label,
      step: w.step,
      phase: w.phase,
      startedAtMs: w.startedAtMs,
      durationMs: w.endedAtMs - w.startedAtMs,
      ...stats,
      p99VsBaseline: w !== baselineWindow && baseline && baseline.p99Ms > 0 && stats.queries > 0 ? stats.p99Ms / baseline.p99Ms : null,
    };
  });

  let longest: QueryRecord | undefined;
  for (const r of records) if (!longest || r.latencyMs > longest.latencyMs) longest = r;
  const stallWindow = longest ? windowByRecord.get(longest) ?? null : null;

  const groups = new Map<string, FailureGroup>();
  for (const r of [...records].sort((a, b) => a.startedAtMs - b.startedAtMs)) {
    if (r.ok) continue;
    const message = r.error ?? 'unknown error';
    const key = `${r.kind}\u0000${message}`;
    const group = groups.get(key) ?? { message, kind: r.kind, count: 0, windows: [] };
    group.count++;
    const label = windowByRecord.get(r)?.label ?? 'outside the run';
    if (!group.windows.includes(label)) group.windows.push(label);
    groups.set(key, group);
  }

  const byKind: Record<QueryKind, number> = { read: 0, update: 0, insert: 0 };
  for (const r of records) byKind[r.kind]++;

  return {
    total: latencyStats(records),
    baseline,
    windows: windowSummaries,
    longestStall: longest
      ? {
          latencyMs: longest.latencyMs,
          kind: longest.kind,
          table: longest.table,
          release: longest.release,
          startedAtMs: longest.startedAtMs,
          ok: longest.ok,
          window: stallWindow?.label ?? null,
          step: stallWindow?.step ?? null,
        }
      : null,
    failures: [...groups.values()].sort((a, b) => b.count - a.count),
    byKind,
  };
}
