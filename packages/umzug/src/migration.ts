import type { Plan } from '@liveshift/core';
import { LiveshiftError, migrateStepDown, migrateStepUp, type MigrationStepOptions } from '@liveshift/runtime';
import { clientOf, type UmzugContext } from './context.js';

/**
 * What an emitted Umzug migration module exports: `up` runs one plan step through the liveshift
 * runtime on the context's pg client, `down` runs its rollback. Umzug wraps nothing in a
 * transaction, so the runtime's own short transactions (a bounded lock wait with retries, one per
 * backfill batch) and non-transactional statements (CREATE INDEX CONCURRENTLY) need nothing set.
 */

export interface UmzugMigration {
  up(params: { context: UmzugContext }): Promise<void>;
  down(params: { context: UmzugContext }): Promise<void>;
}

/** The migrator `liveshift umzug make` writes runs as `node migrate <command>`. */
const UMZUG_RERUN = { up: 'node migrate up', down: 'node migrate down' };

export function umzugMigration(plan: Plan, step: number, options: MigrationStepOptions = {}): UmzugMigration {
  return {
    up: async ({ context }) => migrateStepUp(clientOf(context), plan, step, { rerunCommand: UMZUG_RERUN, ...options }).catch(plainMessage),
    down: async ({ context }) => migrateStepDown(clientOf(context), plan, step, { rerunCommand: UMZUG_RERUN, ...options }).catch(plainMessage),
  };
}

/** Umzug wraps the error ("Migration x (up) failed: Original error: ..."); for liveshift's own refusals the message is the whole story. */
function plainMessage(error: unknown): never {
  if (error instanceof LiveshiftError) error.stack = `liveshift: ${error.message}`;
  throw error;
}
