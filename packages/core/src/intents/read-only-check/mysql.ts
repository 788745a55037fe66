import type { Checkpoint } from '../../plan/types.js';
import type { StepDraft } from '../../plan/draft.js';
import { dmlClaim } from '../../engines/mysql/locks.js';
import { sourceLabel } from '../../engines/mysql/capabilities.js';
import { readOnlyStep } from './postgres.js';
import type { RecipeContext } from '../context.js';

/** A read-only step whose checkpoint is the whole step (an orphan, duplicate or NULL check). */
export function mysqlCheckStep(ctx: RecipeContext, spec: { release: number; title: string; checkpoint: Checkpoint; caveats: string[]; tables?: string[] }): StepDraft {
  return readOnlyStep(ctx, {
    ...spec,
    lock: dmlClaim(spec.tables ?? [ctx.tableName], 'scan'),
    caveats: [...spec.caveats, `A plain read: it takes a shared metadata lock and no row locks; reads and writes go on.${sourceLabel(ctx.engine)}`],
  });
}
