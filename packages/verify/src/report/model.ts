import type { VerifyResult } from '../run/verify-plan.js';
import type { ScratchReport } from '../run/verify-on-scratch.js';

/** What a report is made from: a verification, with the scratch database when there was one. */
export type VerifyReportInput = VerifyResult & { scratch?: ScratchReport };

export interface ReportOptions {
  /** The change as the user wrote it, for the heading. */
  change?: string;
}

export function headline(result: VerifyReportInput): string {
  const s = result.summary.total;
  const claims = result.steps.map((x) => x.lockClaim.verdict);
  const violated = claims.filter((v) => v === 'violated').length;
  const unobserved = claims.filter((v) => v === 'unobserved').length;
  const claimText =
    violated > 0 ? `${violated} lock claim(s) did not hold` : unobserved > 0 ? `every observed lock claim held (${unobserved} not observed)` : 'every lock claim held';
  return `${result.verdict.ok ? 'OK' : 'FAILED'}: ${s.failed} of ${s.queries.toLocaleString('en-US')} application queries failed; ${claimText}${result.completed ? '' : '; the plan did not run to the end'}`;
}

export function stallWhere(result: VerifyReportInput): string {
  const stall = result.summary.longestStall;
  if (!stall) return 'no queries';
  const where = stall.window ? (stall.step !== null ? `${stall.window} (${result.steps.find((s) => s.n === stall.step)?.title ?? ''})` : stall.window) : 'between steps';
  return `${stall.kind} on ${stall.table}, release ${stall.release}${stall.ok ? '' : ', failed'}, during ${where}`;
}
