import { introspectPostgres } from '@liveshift/runtime';
import type { SchemaSnapshot } from '@liveshift/core';
import type { TestDatabase } from '../support/postgres.js';

/** The application's database: a users table like the demo's (the rows live in the scratch copy). */
export async function createUsersSource(db: TestDatabase): Promise<SchemaSnapshot> {
  const client = await db.client();
  await client.query(`CREATE TABLE users (
    id bigserial PRIMARY KEY,
    full_name text NOT NULL,
    email text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
  return introspectPostgres(client);
}

/** Names of the scratch databases left on the server (there should be none after a run). */
export async function scratchDatabasesLeft(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'liveshift\\_verify\\_%'`);
  return rows.map((r) => r.datname);
}
