import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BackfillThroughputResult } from './backfill-throughput.js';
import type { CaseResult } from './run-case.js';

/** The run's setting, printed above the figures. */
export interface RunContext {
  startedAt: Date;
  serverVersion: string;
  cpus: number;
  node: string;
  connections: number;
  pauseMs: number;
  deployLagMs: number;
  blockerHoldMs: number;
}

export interface BenchReport {
  context: RunContext;
  cases: CaseResult[];
  backfill: BackfillThroughputResult[];
}

export interface WrittenReport {
  markdown: string;
  files: { markdown: string; chart: string; json: string };
}

/** Writes results.md, stall-chart.svg and results.json into `outDir`; returns the markdown. */
export async function writeReport(report: BenchReport, outDir: string): Promise<WrittenReport> {
  await mkdir(outDir, { recursive: true });
  const files = { markdown: path.join(outDir, 'results.md'), chart: path.join(outDir, 'stall-chart.svg'), json: path.join(outDir, 'results.json') };
  const markdown = renderMarkdown(report, path.basename(files.chart));
  await writeFile(files.markdown, markdown);
  await writeFile(files.chart, renderStallChart(report.cases));
  await writeFile(files.json, `${JSON.stringify(jsonReport(report), null, 2)}\n`);
  return { markdown, files };
}

export function renderMarkdown(report: BenchReport, chartFile = 'stall-chart.svg'): string {
  const { context } = report;
  const lines: string[] = [];
  lines.push('# liveshift benchmark: the naive statement against the plan');
  lines.push('');
  lines.push(
    `Run ${context.startedAt.toISOString()} on PostgreSQL ${context.serverVersion} (embedded, durability off), ${context.cpus} CPU${context.cpus === 1 ? '' : 's'}, Node ${context.node}. ` +
      `Both variants of a case ran in the same run, each on a fresh copy of the same seeded table, under the same application workload ` +
      `(${context.connections} connections, ${context.pauseMs} ms between two queries of one connection).`,
  );
  lines.push('');
  lines.push(
    '**Absolute times are machine-dependent** (and this machine is shared); compare the ratios, which were taken in one run. ' +
      'Longest stall: the longest any single application query waited, among the queries that overlapped the change (for the plan, the step it overlapped most is named). ' +
      `p99: of the same queries. Failed: failed / sent. Total: from sending the change until it was done, including the ${context.deployLagMs} ms a deploy takes to go live where a release changes the application's queries. ` +
      `Lock queue: a transaction that read the table holds it for ${formatMs(context.blockerHoldMs)} after the change arrives.`,
  );
  lines.push('');
  lines.push(
    'The application is the synthetic one of @liveshift/verify: point reads by primary key, updates and inserts, on the columns the deployed release may use ' +
      '(for the plan, one release per application step; for the naive statement, today\'s code until the new code is live). No statement_timeout.',
  );
  lines.push('');
  lines.push('## Naive statement vs plan');
  lines.push('');
  lines.push('| case | rows | longest stall naive | longest stall plan | stall naive/plan | p99 naive | p99 plan | failed naive | failed plan | total naive | total plan | plan steps |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of report.cases) {
    lines.push(
      `| ${r.title} | ${formatRows(r.rows)} | ${formatMs(r.naive.workload.longestStallMs)} | ${formatMs(r.plan.workload.longestStallMs)}${r.plan.workload.longestStallDuring ? ` (${r.plan.workload.longestStallDuring})` : ''} | ${formatRatio(stallRatio(r))} | ` +
        `${formatMs(r.naive.workload.p99Ms)} | ${formatMs(r.plan.workload.p99Ms)} | ${failed(r.naive.workload)} | ${failed(r.plan.workload)} | ` +
        `${formatMs(r.naive.totalMs)} | ${formatMs(r.plan.totalMs)} | ${r.plan.steps} |`,
    );
  }
  const failures = report.cases.flatMap((r) =>
    (['naive', 'plan'] as const).flatMap((variant) => r[variant].workload.failures.slice(0, 2).map((f) => `- ${r.title}, ${formatRows(r.rows)} rows, ${variant}: ${f.count} × ${f.message}`)),
  );
  if (failures.length) {
    lines.push('');
    lines.push('Failed application queries:');
    lines.push('');
    lines.push(...failures);
  }
  if (report.cases.length) {
    lines.push('');
    lines.push(`![longest stall, naive statement vs plan](${chartFile})`);
  }
  if (report.backfill.length) {
    lines.push('');
    lines.push('## Backfill throughput');
    lines.push('');
    lines.push(
      "The rename plan's keyset-batched backfill (copying full_name into display_name, run by the runtime: one short transaction per batch, " +
        'no pause between batches) against one `UPDATE accounts SET display_name = full_name` of the same rows on the same machine, the practical ceiling. ' +
        'Under the workload the application writes both columns, as it does in the plan at that point.',
    );
    lines.push('');
    lines.push('| rows | batch size | single UPDATE rows/s | batched rows/s | batched / single | single UPDATE rows/s, under workload | batched rows/s, under workload | batched / single, under workload |');
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const b of report.backfill) {
      lines.push(
        `| ${formatRows(b.rows)} | ${b.batchSize.toLocaleString('en-US')} | ${formatRate(b.single.rowsPerSecond)} | ${formatRate(b.batched.rowsPerSecond)} | ` +
          `${formatRatio(ratio(b.batched.rowsPerSecond, b.single.rowsPerSecond))} | ${formatRate(b.singleUnderWorkload.rowsPerSecond)} | ` +
          `${formatRate(b.batchedUnderWorkload.rowsPerSecond)} | ${formatRatio(ratio(b.batchedUnderWorkload.rowsPerSecond, b.singleUnderWorkload.rowsPerSecond))} |`,
      );
    }
  }
  lines.push('');
  lines.push('Reproduce with `pnpm bench` (see `pnpm bench --help`).');
  lines.push('');
  return lines.join('\n');
}

/** naive/plan of the longest stall; null when the plan's is zero (no query was sent while it ran). */
export function stallRatio(r: CaseResult): number | null {
  return ratio(r.naive.workload.longestStallMs, r.plan.workload.longestStallMs);
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

function failed(w: { failed: number; queries: number }): string {
  return `${w.failed.toLocaleString('en-US')} / ${w.queries.toLocaleString('en-US')}`;
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

function formatRatio(r: number | null): string {
  if (r === null) return 'n/a';
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
}

function formatRate(rowsPerSecond: number): string {
  return Math.round(rowsPerSecond).toLocaleString('en-US');
}

export function formatRows(rows: number): string {
  if (rows >= 1_000_000 && rows % 100_000 === 0) return `${rows / 1_000_000}M`;
  if (rows >= 1000 && rows % 1000 === 0) return `${rows / 1000}k`;
  return rows.toLocaleString('en-US');
}

/** What results.json holds: the figures, without the plans and schemas the runner keeps for checks. */
function jsonReport(report: BenchReport) {
  return {
    context: { ...report.context, startedAt: report.context.startedAt.toISOString() },
    cases: report.cases.map((r) => ({
      case: r.case,
      title: r.title,
      rows: r.rows,
      ...(r.blockerHoldMs !== undefined ? { blockerHoldMs: r.blockerHoldMs } : {}),
      stallRatio: stallRatio(r),
      naive: { totalMs: r.naive.totalMs, workload: r.naive.workload },
      plan: { totalMs: r.plan.totalMs, steps: r.plan.steps, workload: r.plan.workload },
    })),
    backfill: report.backfill,
  };
}

const NAIVE_COLOR = '#d62728';
const PLAN_COLOR = '#1f77b4';

/**
 * A grouped bar chart: for each case and size, the longest stall of the naive statement and of the
 * plan, on a logarithmic axis (stalls range from milliseconds to tens of seconds).
 */
export function renderStallChart(cases: CaseResult[]): string {
  const groupWidth = 56;
  const barWidth = 20;
  const left = 70;
  const top = 50;
  const plotHeight = 300;
  const bottom = 120;
  const width = Math.max(640, left + Math.max(1, cases.length) * groupWidth + 30);
  const height = top + plotHeight + bottom;
  const values = cases.flatMap((r) => [r.naive.workload.longestStallMs, r.plan.workload.longestStallMs]).filter((v) => v > 0);
  const minExp = Math.floor(Math.log10(Math.max(0.1, Math.min(1, ...values))));
  const maxExp = Math.ceil(Math.log10(Math.max(10, ...values)));
  const y = (ms: number) => top + plotHeight - ((Math.log10(Math.max(ms, 10 ** minExp)) - minExp) / (maxExp - minExp)) * plotHeight;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">Longest application stall: naive statement vs liveshift plan</text>`);
  out.push(`<rect x="${left}" y="30" width="10" height="10" fill="${NAIVE_COLOR}"/><text x="${left + 14}" y="39">naive statement</text>`);
  out.push(`<rect x="${left + 120}" y="30" width="10" height="10" fill="${PLAN_COLOR}"/><text x="${left + 134}" y="39">liveshift plan</text>`);
  out.push(`<text x="${left + 230}" y="39" fill="#555">log scale; above each pair: naive/plan</text>`);
  for (let e = minExp; e <= maxExp; e++) {
    const ty = y(10 ** e);
    out.push(`<line x1="${left}" x2="${width - 20}" y1="${ty}" y2="${ty}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${ty + 4}" text-anchor="end">${tickLabel(e)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" stroke="#333"/>`);
  cases.forEach((r, i) => {
    const x = left + i * groupWidth + (groupWidth - 2 * barWidth) / 2;
    for (const [offset, ms, color, label] of [
      [0, r.naive.workload.longestStallMs, NAIVE_COLOR, 'naive'],
      [barWidth, r.plan.workload.longestStallMs, PLAN_COLOR, 'plan'],
    ] as const) {
      const by = y(ms);
      out.push(
        `<rect x="${x + offset}" y="${by}" width="${barWidth - 2}" height="${top + plotHeight - by}" fill="${color}"><title>${escapeXml(`${r.title}, ${formatRows(r.rows)} rows, ${label}: ${formatMs(ms)}`)}</title></rect>`,
      );
    }
    const stall = stallRatio(r);
    if (stall !== null) {
      const barTop = Math.min(y(r.naive.workload.longestStallMs), y(r.plan.workload.longestStallMs));
      out.push(`<text x="${x + barWidth}" y="${barTop - 4}" text-anchor="middle" font-size="10">${escapeXml(formatRatio(stall))}</text>`);
    }
    // a stall is not the whole story: the naive rename fails queries instead of holding them
    const failedNaive = r.naive.workload.failed;
    if (failedNaive > 0) {
      const barTop = Math.min(y(r.naive.workload.longestStallMs), y(r.plan.workload.longestStallMs));
      out.push(`<text x="${x + barWidth}" y="${barTop - 16}" text-anchor="middle" font-size="10" fill="${NAIVE_COLOR}">${failedNaive.toLocaleString('en-US')} failed</text>`);
    }
    const lx = left + i * groupWidth + groupWidth / 2;
    const ly = top + plotHeight + 10;
    out.push(`<text x="${lx}" y="${ly}" text-anchor="end" transform="rotate(-50 ${lx} ${ly})">${escapeXml(`${r.case} ${formatRows(r.rows)}`)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** 10^exponent milliseconds as an axis label: 1 ms, 10 ms, 100 ms, 1 s, 10 s, ... */
function tickLabel(exponent: number): string {
  if (exponent < 0) return `${10 ** exponent} ms`;
  return exponent < 3 ? `${10 ** exponent} ms` : `${10 ** (exponent - 3)} s`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
