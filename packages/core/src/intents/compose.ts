import type { RecipeResult, StepDraft } from '../plan/draft.js';
import { snapshotsAfterSteps } from '../schema/apply-to-snapshot.js';
import { makeContext, type RecipeContext } from './context.js';

/** The context for what comes next: the same table as `steps` leave it. */
export function contextAfter(ctx: RecipeContext, steps: StepDraft[]): RecipeContext {
  const snapshots = snapshotsAfterSteps(ctx.snapshot, steps.map((s, i) => ({ ...s, n: i + 1 })));
  return snapshots.length ? makeContext(snapshots[snapshots.length - 1]!, ctx.ref, ctx.options, ctx.statement) : ctx;
}

/**
 * Several recipes run one after the other as one (a reference column = add_column, then
 * add_foreign_key): each part is planned against the table as the parts before it leave it, and
 * its releases start where theirs ended.
 */
export class RecipeSequence {
  private readonly parts: RecipeResult[] = [];
  private release = 0;

  constructor(private current: RecipeContext) {}

  /** The table as the parts so far leave it: plan the next part against this. */
  get context(): RecipeContext {
    return this.current;
  }

  add(result: RecipeResult): void {
    const shifted = result.steps.map((s) => ({ ...s, release: s.release + this.release }));
    this.parts.push({ ...result, steps: shifted });
    this.release = Math.max(this.release, ...shifted.map((s) => s.release));
    this.current = contextAfter(this.current, shifted);
  }

  result(extraWarnings: string[] = []): RecipeResult {
    return {
      steps: this.parts.flatMap((p) => p.steps),
      warnings: [...this.parts.flatMap((p) => p.warnings), ...extraWarnings],
      alsoLocked: this.parts.flatMap((p) => p.alsoLocked ?? []),
    };
  }
}
