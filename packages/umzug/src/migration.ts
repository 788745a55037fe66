import { ENGINE_LABELS, type Plan } from '@liveshift/core';
import { EXIT_BAD_INPUT, LiveshiftError, migrateStepDown, migrateStepUp, sessionOverConnection, type EngineSession, type MigrationStepOptions } from '@liveshift/runtime';
import { clientOf, connectionEngine, type UmzugContext } from './context.js';

/**
 * What an emitted Umzug migration module exports: `up` runs one plan step through the liveshift
 * runtime on the context's connection, `down` runs its rollback. Umzug wraps nothing in a
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
    up: async ({ context }) => migrateStepUp(sessionOf(context, plan), plan, step, { rerunCommand: UMZUG_RERUN, ...options }).catch(plainMessage),
    down: async ({ context }) => migrateStepDown(sessionOf(context, plan), plan, step, { rerunCommand: UMZUG_RERUN, ...options }).catch(plainMessage),
  };
}

/** The context's connection as the plan engine's session; a clear error when it is another engine's. */
function sessionOf(context: UmzugContext, plan: Plan): EngineSession {
  const connection = clientOf(context);
  const session = sessionOverConnection(plan.engine.name, connection);
  if (!session) {
    const engine = connectionEngine(connection);
    throw new LiveshiftError(
      `this migration was planned for ${ENGINE_LABELS[plan.engine.name]}, but the Umzug context is a ${engine === 'mysql' ? 'MySQL/MariaDB' : ENGINE_LABELS[engine ?? 'postgres']} connection`,
      EXIT_BAD_INPUT,
    );
  }
  return session;
}

/** Umzug wraps the error ("Migration x (up) failed: Original error: ..."); for liveshift's own refusals the message is the whole story. */
function plainMessage(error: unknown): never {
  if (error instanceof LiveshiftError) error.stack = `liveshift: ${error.message}`;
  throw error;
}
