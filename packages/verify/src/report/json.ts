import { timeline, type TimelineBucket } from './timeline.js';
import { headline, type ReportOptions, type VerifyReportInput } from './model.js';

export const VERIFY_REPORT_FORMAT = 'liveshift.verify-report';

/**
 * The report as data: everything the text and HTML show (verdict, summary, per-window latency,
 * steps with lock claims, checkpoints and rollbacks, lock waits, the latency timeline), without
 * the raw per-query records unless asked for.
 */
export function verifyReportData(result: VerifyReportInput, options: ReportOptions & { records?: boolean } = {}) {
  const from = result.windows[0]?.startedAtMs ?? result.startedAtMs;
  const to = result.windows[result.windows.length - 1]?.endedAtMs ?? result.endedAtMs;
  const relative = (t: number) => t - from;
  const buckets: TimelineBucket[] = timeline(result.records, from, to);
  return {
    format: VERIFY_REPORT_FORMAT,
    version: 1,
    change: options.change ?? null,
    ok: result.verdict.ok,
    headline: headline(result),
    problems: result.verdict.problems,
    completed: result.completed,
    error: result.error ?? null,
    plan: result.plan,
    scratch: result.scratch ?? null,
    settings: result.settings,
    queries: {
      total: result.summary.total,
      byKind: result.summary.byKind,
      baseline: result.summary.baseline,
      longestStall: result.summary.longestStall ? { ...result.summary.longestStall, atMs: relative(result.summary.longestStall.startedAtMs) } : null,
      failures: result.summary.failures,
    },
    windows: result.summary.windows.map((w) => ({ ...w, startedAtMs: relative(w.startedAtMs) })),
    steps: result.steps.map((s) => ({ ...s, phases: s.phases.map((p) => ({ ...p, startedAtMs: relative(p.startedAtMs) })) })),
    releases: result.releases,
    lockWaits: result.lockWaits.map((w) => ({ ...w, firstSeenMs: relative(w.firstSeenMs), lastSeenMs: relative(w.lastSeenMs) })),
    timeline: { bucketMs: buckets.length > 1 ? buckets[1]!.atMs - buckets[0]!.atMs : 0, buckets },
    ...(options.records ? { records: result.records.map((r) => ({ ...r, startedAtMs: relative(r.startedAtMs) })) } : {}),
  };
}

export function renderVerifyJson(result: VerifyReportInput, options: ReportOptions & { records?: boolean } = {}): string {
  return `${JSON.stringify(verifyReportData(result, options), null, 2)}\n`;
}
