/** What the measurements are made of: one record per workload query, one window per plan phase. */

export type QueryKind = 'read' | 'update' | 'insert';

export interface QueryRecord {
  /** When the query was sent (nowMs clock). */
  startedAtMs: number;
  /** Until its result (or error) came back. */
  latencyMs: number;
  kind: QueryKind;
  /** schema.table the query touched. */
  table: string;
  ok: boolean;
  /** The server's (or driver's) message when `ok` is false. */
  error?: string;
  /** The application release that issued the query ("A", "A+1", ...). */
  release: string;
  /** Which workload connection ran it (0-based). */
  connection: number;
}

/**
 * What was happening in a span of time: the baseline before the plan, one phase of one step
 * (its first apply, its rollback, its re-apply), or the tail after the last step.
 */
export type WindowPhase = 'baseline' | 'apply' | 'rollback' | 'reapply' | 'after';

export interface StepWindow {
  /** "baseline", "step 3", "step 3 rollback", "step 3 re-apply", "after". */
  label: string;
  /** The plan step, or null for baseline/after. */
  step: number | null;
  phase: WindowPhase;
  startedAtMs: number;
  endedAtMs: number;
}

export function windowLabel(step: number | null, phase: WindowPhase): string {
  if (step === null) return phase;
  if (phase === 'apply') return `step ${step}`;
  if (phase === 'reapply') return `step ${step} re-apply`;
  return `step ${step} ${phase}`;
}
