import type { Plan, Step } from './types.js';
import { enginePlanning } from '../engines/registry.js';

/**
 * The plan invariants of DESIGN §1, checked on every plan the planner returns and on every plan
 * file a runner loads. The checks here are engine-neutral; each engine inspects its own dialect's
 * statements with a real parser (engines/<engine>/invariants.ts), never by pattern.
 */
export interface InvariantOptions {
  /** Tables at or under this size may hold a strong lock while scanned (see engines/postgres/size.ts). */
  smallTableBytes: number;
}

export function planViolations(plan: Plan, options: InvariantOptions): string[] {
  const problems: string[] = [];
  const sizes = new Map(plan.tables.map((t) => [t.table, t.sizeBytes]));
  const rules = enginePlanning(plan.engine.name);
  plan.steps.forEach((step, i) => {
    const at = `step ${step.n} (${step.title})`;
    if (step.n !== i + 1) problems.push(`${at}: steps must be numbered 1, 2, … in order`);
    problems.push(...rollbackProblems(step, at));
    if (step.kind === 'app') {
      if (step.sql.length) problems.push(`${at}: an application step carries no SQL`);
      if (!step.instruction) problems.push(`${at}: an application step must say what the application must do`);
      return;
    }
    problems.push(...rules.stepStatementProblems(step, plan, at));
    if (step.lock.blocksWrites && (step.lock.duration === 'scan' || step.lock.duration === 'rewrite')) {
      for (const table of step.lock.tables) {
        const size = sizes.get(table);
        if (size === undefined || size > options.smallTableBytes) {
          problems.push(`${at}: holds ${step.lock.mode} (blocks writes) during a ${step.lock.duration} of ${table}, which is not a small table`);
        }
      }
    }
  });
  const firstIrreversible = plan.steps.find((s) => s.rollback.kind === 'irreversible');
  if ((firstIrreversible?.n ?? null) !== (plan.pointOfNoReturn?.step ?? null)) {
    problems.push('the point of no return must be the first irreversible step');
  }
  return problems;
}

function rollbackProblems(step: Step, at: string): string[] {
  const r = step.rollback;
  if (r.kind === 'sql' && !r.sql.length) return [`${at}: rollback of kind sql has no statements`];
  if (r.kind === 'irreversible' && (!r.reason || !r.dataLost)) return [`${at}: an irreversible step must say why and what data is lost`];
  return [];
}

export { nonTransactional, takesTableLock } from '../engines/postgres/invariants.js';
