import type pg from 'pg';
import type { MigrationParams, UmzugStorage } from 'umzug';
import { quoteIdent } from '@liveshift/core';
import { sqlState } from '@liveshift/runtime';
import { clientOf, type UmzugContext } from './context.js';

export interface PostgresStorageOptions {
  /** Default `umzug_migrations`. */
  table?: string;
  /** Default: the first schema on the connection's search_path (usually public); created if missing when given. */
  schema?: string;
}

/**
 * Umzug storage in the migrated database itself: one row per executed migration in a table
 * created on first use (`CREATE TABLE IF NOT EXISTS`), through the context's own client, so what
 * ran and what it did are in the same place. Umzug records a migration after its `up` returns and
 * forgets it after its `down`; liveshift also records each step in `liveshift.step_state`, so a
 * crash between the two makes the re-run a no-op rather than a second run.
 */
export class PostgresStorage implements UmzugStorage<UmzugContext> {
  /** The table as SQL, quoted (and schema-qualified when a schema was given). */
  readonly table: string;
  private readonly schema: string | undefined;
  private readonly ready = new WeakSet<object>();

  constructor(options: PostgresStorageOptions = {}) {
    this.schema = options.schema;
    this.table = `${options.schema ? `${quoteIdent(options.schema)}.` : ''}${quoteIdent(options.table ?? 'umzug_migrations')}`;
  }

  async executed({ context }: Pick<MigrationParams<UmzugContext>, 'context'>): Promise<string[]> {
    const client = await this.prepared(context);
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${this.table} ORDER BY executed_at, name`);
    return rows.map((row) => row.name);
  }

  async logMigration({ name, context }: MigrationParams<UmzugContext>): Promise<void> {
    const client = await this.prepared(context);
    // two runners finishing the same step both log it; the step itself ran once (the runtime records it)
    await client.query(`INSERT INTO ${this.table} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
  }

  async unlogMigration({ name, context }: MigrationParams<UmzugContext>): Promise<void> {
    const client = await this.prepared(context);
    await client.query(`DELETE FROM ${this.table} WHERE name = $1`, [name]);
  }

  private async prepared(context: UmzugContext): Promise<pg.ClientBase> {
    const client = clientOf(context);
    if (this.ready.has(client)) return client;
    try {
      if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (name text PRIMARY KEY, executed_at timestamptz NOT NULL DEFAULT now())`);
    } catch (error) {
      // two runners creating it at the same instant: IF NOT EXISTS is not atomic, the loser sees a duplicate
      if (!['23505', '42P06', '42P07'].includes(sqlState(error) ?? '')) throw error;
    }
    this.ready.add(client);
    return client;
  }
}
