import { lockWaitMs } from '../measure/lock-monitor.js';
import type { StepWindow } from '../measure/records.js';
import { count, ms, ratio } from './format.js';
import { headline, stallWhere, type ReportOptions, type VerifyReportInput } from './model.js';
import { timeline } from './timeline.js';

/**
 * A self-contained HTML page (inline CSS and SVG, no script, no external asset) a reviewer can
 * open or attach to a pull request: the verdict, a latency-over-time chart with every step's
 * boundary marked and labelled, and the tables of the text report.
 */

const esc = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const WIDTH = 1000;
const HEIGHT = 360;
const M = { left: 78, right: 20, top: 34, bottom: 44 };

export function latencyChartSvg(result: VerifyReportInput): string {
  const windows = result.windows;
  const from = windows[0]?.startedAtMs ?? result.startedAtMs;
  const to = Math.max(from + 1, windows[windows.length - 1]?.endedAtMs ?? result.endedAtMs);
  const pw = WIDTH - M.left - M.right;
  const ph = HEIGHT - M.top - M.bottom;
  const maxLatency = result.records.reduce((m, r) => Math.max(m, r.latencyMs), 0);
  const lo = 0.1;
  const hi = Math.max(10, 10 ** Math.ceil(Math.log10(Math.max(maxLatency, 1))));
  const x = (t: number) => M.left + ((t - from) / (to - from)) * pw;
  const y = (latency: number) => M.top + ph - ((Math.log10(Math.max(latency, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [];

  // phases as bands, so rollbacks and re-applies read apart from first applies
  for (const w of windows) {
    if (w.phase === 'baseline' || w.phase === 'after') continue;
    const width = Math.max(1, x(w.endedAtMs) - x(w.startedAtMs));
    parts.push(`<rect class="phase phase-${w.phase}" x="${f(x(w.startedAtMs))}" y="${M.top}" width="${f(width)}" height="${ph}"><title>${esc(w.label)}: ${esc(ms(w.endedAtMs - w.startedAtMs))}</title></rect>`);
  }
  // axes and grid
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    parts.push(`<line class="grid" x1="${M.left}" x2="${WIDTH - M.right}" y1="${f(y(v))}" y2="${f(y(v))}"/>`);
    parts.push(`<text class="tick" x="${M.left - 6}" y="${f(y(v) + 4)}" text-anchor="end">${esc(v >= 1000 ? `${Number((v / 1000).toPrecision(3))} s` : `${Number(v.toPrecision(3))} ms`)}</text>`);
  }
  const seconds = (to - from) / 1000;
  const stepS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600].find((s) => seconds / s <= 10) ?? 1200;
  for (let s = 0; s <= seconds + 1e-9; s += stepS) {
    const px = x(from + s * 1000);
    parts.push(`<line class="grid" x1="${f(px)}" x2="${f(px)}" y1="${M.top}" y2="${M.top + ph}"/>`);
    parts.push(`<text class="tick" x="${f(px)}" y="${M.top + ph + 16}" text-anchor="middle">${esc(`${Number(s.toFixed(1))} s`)}</text>`);
  }
  parts.push(`<text class="axis-title" x="${M.left + pw / 2}" y="${HEIGHT - 6}" text-anchor="middle">time since the baseline started</text>`);
  parts.push(`<text class="axis-title" transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">query latency (log)</text>`);

  // latency lines from time buckets: max per bucket shows stalls, median shows the usual case
  const buckets = timeline(result.records, from, to, Math.min(400, Math.max(40, Math.round(pw / 3))));
  const bucketWidth = (to - from) / buckets.length;
  const line = (pick: (b: (typeof buckets)[number]) => number) =>
    buckets
      .filter((b) => b.queries > 0)
      .map((b) => `${f(x(from + b.atMs + bucketWidth / 2))},${f(y(pick(b)))}`)
      .join(' ');
  parts.push(`<polyline class="latency-max" points="${line((b) => b.maxMs)}"><title>slowest query per ${esc(ms(bucketWidth))}</title></polyline>`);
  parts.push(`<polyline class="latency-p50" points="${line((b) => b.p50Ms)}"><title>median per ${esc(ms(bucketWidth))}</title></polyline>`);

  for (const r of result.records.filter((q) => !q.ok).slice(0, 500)) {
    parts.push(`<circle class="failed-query" cx="${f(x(r.startedAtMs))}" cy="${f(y(r.latencyMs))}" r="3"><title>${esc(`${r.kind} failed after ${ms(r.latencyMs)}: ${r.error ?? ''}`)}</title></circle>`);
  }

  // step boundaries: a line where each step's first apply began, labelled with its number
  const applies = windows.filter((w): w is StepWindow & { step: number } => w.phase === 'apply' && w.step !== null);
  let lastLabelX = -Infinity;
  for (const w of applies) {
    const px = x(w.startedAtMs);
    const step = result.steps.find((s) => s.n === w.step);
    parts.push(`<line class="step-boundary" data-step="${w.step}" x1="${f(px)}" x2="${f(px)}" y1="${M.top - 4}" y2="${M.top + ph}"><title>${esc(`step ${w.step} starts: ${step?.title ?? ''}`)}</title></line>`);
    // labels of steps closer than 12 px would overlap: stagger them
    const raised = px - lastLabelX < 12;
    parts.push(`<text class="step-label" data-step="${w.step}" x="${f(px)}" y="${raised ? M.top - 18 : M.top - 8}" text-anchor="middle">${w.step}</text>`);
    if (!raised) lastLabelX = px;
  }

  // application sessions waiting for a lock: a band along the bottom of the plot, one bar per wait
  for (const w of result.lockWaits.filter((wait) => wait.role === 'workload')) {
    const end = x(w.lastSeenMs);
    const start = x(Math.max(from, w.lastSeenMs - lockWaitMs(w)));
    parts.push(
      `<rect class="lock-wait" x="${f(start)}" y="${M.top + ph - 6}" width="${f(Math.max(2, end - start))}" height="6"><title>${esc(`${w.query.split(' ')[0]} waited ${ms(lockWaitMs(w))} for a ${w.waitEvent} lock${w.blockedByPlan ? ', behind the plan' : ''}`)}</title></rect>`,
    );
  }

  const stall = result.summary.longestStall;
  if (stall) {
    const cx = x(stall.startedAtMs + stall.latencyMs / 2);
    parts.push(`<circle class="longest-stall" cx="${f(cx)}" cy="${f(y(stall.latencyMs))}" r="5"><title>${esc(`longest stall ${ms(stall.latencyMs)}: ${stallWhere(result)}`)}</title></circle>`);
  }

  return (
    `<svg class="latency-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="application query latency over time, with plan step boundaries">` +
    `<rect class="plot" x="${M.left}" y="${M.top}" width="${pw}" height="${ph}"/>` +
    parts.join('') +
    `</svg>`
  );
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1040px;color:#1d2330;padding:0 16px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px}
.verdict{font-weight:600;padding:10px 14px;border-radius:6px;margin:14px 0}
.ok{background:#e6f4ea;color:#14532d}.failed{background:#fdecea;color:#7f1d1d}
.muted{color:#5b6475}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{padding:4px 8px;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.held{color:#166534}.violated{color:#b91c1c;font-weight:600}.unobserved{color:#92400e}
.latency-chart{max-width:100%;height:auto;background:#fff}
.plot{fill:#fbfcfe;stroke:#c9ced8}.grid{stroke:#e8ebf0}.tick{font-size:11px;fill:#5b6475}.axis-title{font-size:12px;fill:#5b6475}
.phase-apply{fill:#dbe7ff;opacity:.45}.phase-rollback{fill:#ffe2c2;opacity:.6}.phase-reapply{fill:#d9f2df;opacity:.6}
.latency-max{fill:none;stroke:#d94841;stroke-width:1.4}.latency-p50{fill:none;stroke:#2f6fde;stroke-width:1.4}
.failed-query{fill:#b91c1c}.lock-wait{fill:#7c3aed;opacity:.7}.longest-stall{fill:none;stroke:#111;stroke-width:2}
.step-boundary{stroke:#1d2330;stroke-width:1;stroke-dasharray:4 3}.step-label{font-size:11px;font-weight:600;fill:#1d2330}
.legend span{display:inline-block;margin-right:16px;font-size:12px}.swatch{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:middle}
`;

export function renderVerifyHtml(result: VerifyReportInput, options: ReportOptions = {}): string {
  const s = result.summary;
  const title = `liveshift verify${options.change ? `: ${options.change}` : ''}`;
  const windowRows = s.windows
    .map(
      (w) =>
        `<tr><td>${esc(w.label)}</td><td class="n">${esc(ms(w.durationMs))}</td><td class="n">${count(w.queries)}</td><td class="n">${count(w.failed)}</td><td class="n">${esc(ms(w.p50Ms))}</td><td class="n">${esc(ms(w.p99Ms))}</td><td class="n">${esc(ratio(w.p99VsBaseline))}</td><td class="n">${esc(ms(w.maxMs))}</td></tr>`,
    )
    .join('');
  const stepRows = result.steps
    .map((step) => {
      const apply = step.phases.find((p) => p.phase === 'apply');
      const failed = step.phases.find((p) => !p.ok);
      const c = step.lockClaim;
      return (
        `<tr><td class="n">${step.n}</td><td>${esc(step.title)}<div class="muted">${esc(step.kind)}, release ${esc(step.deploy)}${failed ? ` — <span class="violated">${esc(failed.phase)} failed: ${esc(failed.error)}</span>` : ''}</div></td>` +
        `<td class="n">${apply ? esc(ms(apply.durationMs)) : '-'}</td>` +
        `<td><span class="${esc(c.verdict)}">${esc(c.verdict)}</span>: ${esc(c.claimed.mode)}<div class="muted">${esc(c.reasons.join('; '))}</div></td>` +
        `<td>${step.checkpoints.map((k) => `${k.met ? '✓' : '✗'} ${esc(k.description)} (${esc(k.actual)})`).join('<br>') || '-'}</td>` +
        `<td>${esc(step.rollback.reason)}</td></tr>`
      );
    })
    .join('');
  const failures = s.failures.length
    ? `<h2>Failed application queries</h2><table><tr><th>count</th><th>query</th><th>error</th><th>during</th></tr>${s.failures
        .map((f) => `<tr><td class="n">${count(f.count)}</td><td>${esc(f.kind)}</td><td>${esc(f.message)}</td><td>${esc(f.windows.join(', '))}</td></tr>`)
        .join('')}</table>`
    : '';
  const where = result.scratch ? `scratch database ${result.scratch.database}, ${result.scratch.rowSource === 'copied' ? 'up to ' : ''}${count(result.scratch.rows)} ${result.scratch.rowSource} rows per table` : 'the given database';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<div class="muted">${result.plan.steps} steps on ${esc(result.plan.engine)} (${esc(where)}); application on ${result.settings.connections} connections, query timeout ${esc(ms(result.settings.queryTimeoutMs))}</div>
<div class="verdict ${result.verdict.ok ? 'ok' : 'failed'}">${esc(headline(result))}${result.verdict.problems.map((p) => `<div>✗ ${esc(p)}</div>`).join('')}</div>
<p>${count(s.total.queries)} application queries (${count(s.byKind.read)} reads, ${count(s.byKind.update)} updates, ${count(s.byKind.insert)} inserts), <b>${count(s.total.failed)} failed</b>.
${s.longestStall ? `Longest stall: <b>${esc(ms(s.longestStall.latencyMs))}</b>, ${esc(stallWhere(result))}.` : ''}
${s.baseline ? `Baseline before step 1: p50 ${esc(ms(s.baseline.p50Ms))}, p99 ${esc(ms(s.baseline.p99Ms))}.` : ''}</p>
<h2>Query latency over time</h2>
<div class="legend"><span><i class="swatch" style="background:#d94841"></i>slowest query per interval</span><span><i class="swatch" style="background:#2f6fde"></i>median</span><span><i class="swatch" style="background:#b91c1c;border-radius:50%"></i>failed query</span><span><i class="swatch" style="background:#7c3aed"></i>application lock wait</span><span><i class="swatch" style="background:#dbe7ff"></i>step applied</span><span><i class="swatch" style="background:#ffe2c2"></i>rollback</span><span><i class="swatch" style="background:#d9f2df"></i>re-apply</span><span>- - - step boundary (numbered)</span></div>
${latencyChartSvg(result)}
<h2>Latency per step</h2>
<table><tr><th>window</th><th>time</th><th>queries</th><th>failed</th><th>p50</th><th>p99</th><th>p99 vs baseline</th><th>max</th></tr>${windowRows}</table>
<h2>Steps</h2>
<table><tr><th>#</th><th>step</th><th>time</th><th>lock claim</th><th>checkpoint</th><th>rollback</th></tr>${stepRows}</table>
${failures}
<h2>Application releases</h2>
<ul>${result.releases.map((r) => `<li><b>${esc(r.release)}</b> ${r.deployedAtStep ? `(from step ${r.deployedAtStep})` : '(before the plan)'}: ${esc(r.application)}</li>`).join('')}</ul>
${result.scratch?.notes.length ? `<ul class="muted">${result.scratch.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
