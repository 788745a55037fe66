import { count, ms, ratio } from './format.js';
import { headline, stallWhere, type ReportOptions, type VerifyReportInput } from './model.js';

/** The terminal summary: verdict first, then the numbers a reviewer checks, then per-step rows. */
export function renderVerifyText(result: VerifyReportInput, options: ReportOptions = {}): string {
  const out: string[] = [];
  const s = result.summary;
  out.push(`liveshift verify${options.change ? `: ${options.change}` : ''}`);
  const where = result.scratch ? `scratch database ${result.scratch.database}, ${result.scratch.rowSource === 'copied' ? 'up to ' : ''}${count(result.scratch.rows)} ${result.scratch.rowSource} rows per table` : 'the given database';
  out.push(`  ${result.plan.steps} steps on ${result.plan.engine} (${where}); application on ${result.settings.connections} connections, query timeout ${ms(result.settings.queryTimeoutMs)}`);
  out.push('');
  out.push(headline(result));
  for (const p of result.verdict.problems) out.push(`  ✗ ${p}`);
  out.push('');
  out.push(`application queries: ${count(s.total.queries)} (${count(s.byKind.read)} reads, ${count(s.byKind.update)} updates, ${count(s.byKind.insert)} inserts), ${count(s.total.failed)} failed`);
  for (const f of s.failures.slice(0, 8)) out.push(`  ✗ ${count(f.count)} × ${f.kind}: ${f.message} (${f.windows.join(', ')})`);
  if (s.longestStall) out.push(`longest stall: ${ms(s.longestStall.latencyMs)}: ${stallWhere(result)}`);
  if (s.baseline) out.push(`baseline (before step 1): p50 ${ms(s.baseline.p50Ms)}, p99 ${ms(s.baseline.p99Ms)}, max ${ms(s.baseline.maxMs)} over ${count(s.baseline.queries)} queries`);
  const waits = result.lockWaits.filter((w) => w.role === 'workload');
  out.push(`application lock waits seen: ${count(waits.length)}${waits.length ? ` (${count(waits.filter((w) => w.blockedByPlan).length)} behind the plan's session)` : ''}`);
  out.push('');

  const rows: string[][] = [['window', 'time', 'queries', 'failed', 'p50', 'p99', 'vs baseline', 'max']];
  for (const w of s.windows) rows.push([w.label, ms(w.durationMs), count(w.queries), count(w.failed), ms(w.p50Ms), ms(w.p99Ms), ratio(w.p99VsBaseline), ms(w.maxMs)]);
  out.push(...table(rows));
  out.push('');

  out.push('steps:');
  for (const step of result.steps) {
    const apply = step.phases.find((p) => p.phase === 'apply');
    const failed = step.phases.find((p) => !p.ok);
    out.push(`  ${step.n}. [${step.kind}, ${step.deploy}] ${step.title}: ${apply ? ms(apply.durationMs) : '-'}${failed ? `, ${failed.phase} FAILED: ${failed.error}` : ''}`);
    const claim = step.lockClaim;
    const mark = claim.verdict === 'held' ? '✓' : claim.verdict === 'violated' ? '✗' : claim.verdict === 'unobserved' ? '?' : '-';
    out.push(`     lock claim ${claim.claimed.mode}${claim.claimed.tables.length ? ` on ${claim.claimed.tables.join(', ')}` : ''}: ${mark} ${claim.verdict} (${claim.reasons.join('; ')})`);
    for (const c of step.checkpoints) out.push(`     checkpoint after ${c.phase}: ${c.met ? '✓' : '✗'} ${c.description} (expected ${c.expected}, got ${c.actual})`);
    out.push(`     rollback: ${step.rollback.ran ? (step.rollback.restoredSchema === false ? '✗ ' : '✓ ') : ''}${step.rollback.reason}`);
    if (step.workloadLockWaits.count) out.push(`     application lock waits: ${step.workloadLockWaits.count}, longest ${ms(step.workloadLockWaits.longestMs)}, ${step.workloadLockWaits.blockedByPlan} behind the plan`);
  }
  if (result.error) out.push(`\nstopped: ${result.error.step ? `step ${result.error.step} ${result.error.phase}` : result.error.phase}: ${result.error.message}`);
  out.push('');
  out.push('application releases:');
  for (const r of result.releases) out.push(`  ${r.release}${r.deployedAtStep ? ` (from step ${r.deployedAtStep})` : ' (before the plan)'}: ${r.application}`);
  if (result.scratch?.notes.length) for (const n of result.scratch.notes) out.push(`note: ${n}`);
  return out.join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`.trimEnd());
}
