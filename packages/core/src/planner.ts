import type { Plan } from './plan/types.js';
import type { SchemaSnapshot } from './schema/snapshot.js';
import type { IntentInput } from './intents/types.js';

/** Knobs a user may set; every one has a safe default. */
export interface PlanOptions {
  /** Rename: who keeps old and new column in sync while both exist. Default "app". */
  sync?: 'app' | 'trigger';
  /** Rows per backfill batch. Default 5000 (1000 for wide rows is the user's call). */
  batchSize?: number;
  /** Pause between backfill batches, ms. Default 50. */
  pauseMs?: number;
  /** lock_timeout per attempt for lock-taking DDL, ms. Default 2000. */
  lockTimeoutMs?: number;
  /** Retries after the first attempt on lock timeout. Default 10. */
  retries?: number;
}

export type PlanInput = { sql: string } | { intents: IntentInput[] };

export async function planChange(input: PlanInput, snapshot: SchemaSnapshot, options: PlanOptions = {}): Promise<Plan> {
  void input; void snapshot; void options;
  throw new Error('planChange: recipes are being written (placeholder until the planner lands)');
}
