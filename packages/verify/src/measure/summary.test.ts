import { describe, expect, it } from 'vitest';
import type { QueryRecord, StepWindow } from './records.js';
import { percentile, summarise, windowOf } from './summary.js';

const query = (startedAtMs: number, latencyMs: number, ok = true): QueryRecord => ({
  startedAtMs,
  latencyMs,
  kind: 'read',
  table: 'public.users',
  ok,
  ...(ok ? {} : { error: 'canceling statement due to statement timeout' }),
  release: 'A',
  connection: 0,
});
const windows: StepWindow[] = [
  { label: 'baseline', step: null, phase: 'baseline', startedAtMs: 0, endedAtMs: 100 },
  { label: 'step 1', step: 1, phase: 'apply', startedAtMs: 100, endedAtMs: 110 },
  { label: 'step 2', step: 2, phase: 'apply', startedAtMs: 110, endedAtMs: 400 },
];

describe('summarise', () => {
  it('percentile_nearest_rank', () => {
    expect(percentile([], 99)).toBe(0);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });

  it('a_stall_belongs_to_the_step_it_overlapped_most_not_the_one_it_started_in', () => {
    // started during step 1 (10 ms long) but spent 250 ms of its wait in step 2
    expect(windowOf(query(105, 255), windows)?.label).toBe('step 2');
    expect(windowOf(query(50, 1), windows)?.label).toBe('baseline');
    expect(windowOf(query(500, 1), windows)).toBeNull();
  });

  it('per_window_latency_against_the_baseline_and_failures_grouped_by_message', () => {
    const records = [query(10, 1), query(20, 2), query(30, 1), query(120, 4), query(130, 6, false), query(140, 6, false)];
    const s = summarise(records, windows);
    expect(s.total).toMatchObject({ queries: 6, failed: 2, maxMs: 6 });
    expect(s.baseline).toMatchObject({ queries: 3, p50Ms: 1, p99Ms: 2 });
    const step2 = s.windows.find((w) => w.label === 'step 2')!;
    expect(step2).toMatchObject({ queries: 3, failed: 2, p99Ms: 6, p99VsBaseline: 3, durationMs: 290 });
    expect(s.windows.find((w) => w.label === 'step 1')).toMatchObject({ queries: 0, p99VsBaseline: null });
    expect(s.failures).toEqual([{ message: 'canceling statement due to statement timeout', kind: 'read', count: 2, windows: ['step 2'] }]);
    expect(s.longestStall).toMatchObject({ latencyMs: 6, step: 2, window: 'step 2', ok: false });
  });
});
