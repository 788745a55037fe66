import type { Checkpoint, LockClaim } from '../../plan/types.js';
import type { StepDraft } from '../../plan/draft.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { formatBytes, scanSeconds } from '../../engines/postgres/size.js';
import type { RecipeContext } from '../context.js';

/**
 * A step that only reads, on any engine: its checkpoint query is the whole step (a parity,
 * duplicate, orphan or NULL check before a change that depends on it). Each engine supplies the
 * lock its plain read takes; the estimate is one scan of the table.
 */
export function readOnlyStep(
  ctx: RecipeContext,
  spec: { release: number; title: string; checkpoint: Checkpoint; caveats: string[]; lock: LockClaim; scanBasis?: string },
): StepDraft {
  return {
    release: spec.release,
    title: spec.title,
    kind: 'validate',
    instruction: '',
    sql: [],
    transactional: true,
    lock: spec.lock,
    timeouts: null,
    checkpoint: spec.checkpoint,
    rollback: { kind: 'none', reason: 'read-only check' },
    caveats: spec.caveats,
    estimate: {
      rows: ctx.rows,
      seconds: scanSeconds(ctx.table.sizeBytes),
      basis: `${spec.scanBasis ?? `one scan of ${formatBytes(ctx.table.sizeBytes)}`}; machine-dependent`,
    },
    changes: [],
  };
}

/**
 * A step that only reads: its checkpoint query is the whole step (a parity or duplicate check
 * before a change that depends on it). One scan under ACCESS SHARE, which blocks nothing but DDL.
 */
export function readOnlyCheckStep(
  ctx: RecipeContext,
  spec: { release: number; title: string; checkpoint: Checkpoint; caveats: string[]; scanBasis?: string },
): StepDraft {
  return readOnlyStep(ctx, { ...spec, lock: lockClaim('ACCESS SHARE', [ctx.tableName], 'scan') });
}
