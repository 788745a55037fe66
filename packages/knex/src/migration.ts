import type pg from 'pg';
import type { Plan } from '@liveshift/core';
import { EXIT_BAD_INPUT, LiveshiftError, migrateStepDown, migrateStepUp, type MigrationStepOptions } from '@liveshift/runtime';

/**
 * What an emitted Knex migration file exports: `up` runs one plan step through the liveshift
 * runtime, `down` runs its rollback. Each step manages its own transactions (a bounded lock wait
 * with retries needs to roll back and try again), so every file sets
 * `config = { transaction: false }` and the runtime borrows one connection from knex's pool.
 */

/** The part of a Knex instance this needs; any knex >= 2.4 with the pg client has it. */
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
const POSTGRES_CLIENTS = new Set(['pg', 'postgres', 'postgresql']);

export function knexMigration(plan: Plan, step: number, options: MigrationStepOptions = {}): KnexMigration {
  return {
    up: (knex) => withConnection(knex, (client) => migrateStepUp(client, plan, step, { rerunCommand: KNEX_RERUN, ...options })).catch(plainMessage),
    down: (knex) => withConnection(knex, (client) => migrateStepDown(client, plan, step, { rerunCommand: KNEX_RERUN, ...options })).catch(plainMessage),
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

async function withConnection(knex: KnexLike, work: (client: pg.ClientBase) => Promise<void>): Promise<void> {
  const dialect = knex.client.config?.client;
  if (typeof dialect !== 'string' || !POSTGRES_CLIENTS.has(dialect)) {
    throw new LiveshiftError(`this migration was planned for PostgreSQL, but knex is configured with client ${JSON.stringify(dialect)}`, EXIT_BAD_INPUT);
  }
  const connection = await knex.client.acquireConnection();
  try {
    await work(connection as pg.ClientBase);
  } finally {
    await knex.client.releaseConnection(connection);
  }
}
