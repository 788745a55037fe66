import { ENGINE_LABELS, type Plan } from '@liveshift/core';
import {
  EXIT_BAD_INPUT,
  LiveshiftError,
  migrateStepDown,
  migrateStepUp,
  runtimeEngineOf,
  sessionOverConnection,
  type EngineSession,
  type MigrationStepOptions,
} from '@liveshift/runtime';
import { KNEX_CLIENTS } from './knexfile.js';

/**
 * What an emitted Knex migration file exports: `up` runs one plan step through the liveshift
 * runtime, `down` runs its rollback. Each step manages its own transactions (a bounded lock wait
 * with retries needs to roll back and try again), so every file sets
 * `config = { transaction: false }` and the runtime borrows one connection from knex's pool.
 */

/** The part of a Knex instance this needs; any knex >= 2.4 has it, whatever its client. */
export interface KnexLike {
  client: {
    config?: { client?: unknown };
    acquireConnection(): Promise<unknown>;
    releaseConnection(connection: unknown): Promise<unknown>;
  };
}

export interface KnexMigration {
  up(knex: KnexLike): Promise<void>;
  down(knex: KnexLike): Promise<void>;
}

const KNEX_RERUN = { up: 'npx knex migrate:up', down: 'npx knex migrate:down' };
export function knexMigration(plan: Plan, step: number, options: MigrationStepOptions = {}): KnexMigration {
  return {
    up: (knex) => withSession(knex, plan, (session) => migrateStepUp(session, plan, step, { rerunCommand: KNEX_RERUN, ...options })).catch(plainMessage),
    down: (knex) => withSession(knex, plan, (session) => migrateStepDown(session, plan, step, { rerunCommand: KNEX_RERUN, ...options })).catch(plainMessage),
  };
}

/**
 * knex logs "migration failed with error: <message>" and its CLI then prints the stack; for
 * liveshift's own refusals the message is the whole story, so the stack only says who stopped.
 */
function plainMessage(error: unknown): never {
  if (error instanceof LiveshiftError) error.stack = `liveshift stopped the run${error.step === undefined ? '' : ` at step ${error.step}`} (exit code ${error.exitCode})`;
  throw error;
}

/** One connection borrowed from knex's pool, seen as the plan engine's session, for one step. */
async function withSession(knex: KnexLike, plan: Plan, work: (session: EngineSession) => Promise<void>): Promise<void> {
  const dialect = knex.client.config?.client;
  const engine = runtimeEngineOf(plan.engine.name);
  if (typeof dialect !== 'string' || !KNEX_CLIENTS[engine].includes(dialect)) {
    throw new LiveshiftError(
      `this migration was planned for ${ENGINE_LABELS[plan.engine.name]}, but knex is configured with client ${JSON.stringify(dialect)} (expected ${KNEX_CLIENTS[engine].join(' or ')})`,
      EXIT_BAD_INPUT,
    );
  }
  const connection = await knex.client.acquireConnection();
  try {
    const session = sessionOverConnection(plan.engine.name, connection);
    if (!session) throw new LiveshiftError(`knex's ${dialect} client gave liveshift a connection it cannot drive for ${ENGINE_LABELS[plan.engine.name]}`, EXIT_BAD_INPUT);
    await work(session);
  } finally {
    await knex.client.releaseConnection(connection);
  }
}
