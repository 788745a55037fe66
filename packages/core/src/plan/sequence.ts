import { displayName } from '../engines/postgres/quote.js';
import type { RecipeResult, StepDraft } from './draft.js';
import { releaseName, type Step } from './types.js';

/**
 * Several intents in one plan: each recipe numbers its releases from 0. An intent that touches a
 * table an earlier intent touches starts in that intent's last release (its steps come after
 * those, in input order); an intent on other tables starts in release A, so its deploys merge
 * with the others' instead of queueing behind them. Steps are then ordered by release, and within
 * a release by input order, which keeps every intent's own order.
 */
export function sequenceSteps(results: RecipeResult[]): Step[] {
  const placed: { draft: StepDraft; release: number; intent: number; position: number }[] = [];
  const reach: { tables: Set<string>; lastRelease: number }[] = [];
  results.forEach((result, intent) => {
    const tables = tablesOf(result.steps);
    const offset = Math.max(0, ...reach.filter((r) => overlaps(r.tables, tables)).map((r) => r.lastRelease));
    let lastRelease = offset;
    result.steps.forEach((draft, position) => {
      const release = offset + draft.release;
      lastRelease = Math.max(lastRelease, release);
      placed.push({ draft, release, intent, position });
    });
    reach.push({ tables, lastRelease });
  });
  placed.sort((a, b) => a.release - b.release || a.intent - b.intent || a.position - b.position);
  return placed.map(({ draft: { release: _relative, ...draft }, release }, i) => ({ n: i + 1, deploy: releaseName(release), ...draft }));
}

/** Every table a recipe's steps lock or change. */
function tablesOf(steps: StepDraft[]): Set<string> {
  const tables = new Set<string>();
  for (const step of steps) {
    for (const t of step.lock.tables) tables.add(t);
    for (const also of step.lock.alsoLocks ?? []) tables.add(also.table);
    for (const change of step.changes) if ('table' in change && change.table) tables.add(displayName(change.table));
    if (step.backfill) tables.add(step.backfill.table);
  }
  return tables;
}

function overlaps(a: Set<string>, b: Set<string>): boolean {
  for (const x of b) if (a.has(x)) return true;
  return false;
}
