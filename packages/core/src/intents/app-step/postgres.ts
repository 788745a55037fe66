import type { Rollback } from '../../plan/types.js';
import type { StepDraft } from '../../plan/draft.js';
import { NO_LOCK } from '../../engines/postgres/locks.js';

/** What an operator must know before confirming any application release. */
export const ROLLING_DEPLOY_CAVEAT = 'Wait until every instance runs this release before confirming it (rolling deploys run both versions for a while).';

/**
 * An application step: no SQL, no lock; the runner holds here until the release is confirmed.
 * `instruction` says concretely what the deployed application must do.
 */
export function appStep(release: number, title: string, instruction: string, rollback: Rollback, caveats: string[] = [ROLLING_DEPLOY_CAVEAT]): StepDraft {
  return {
    release,
    title,
    kind: 'app',
    instruction,
    sql: [],
    transactional: true,
    lock: NO_LOCK,
    timeouts: null,
    checkpoint: null,
    rollback,
    caveats,
    changes: [],
  };
}
