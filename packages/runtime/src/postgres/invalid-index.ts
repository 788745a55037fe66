import type pg from 'pg';
import { quoteIdent } from '@liveshift/core';

/**
 * A failed or interrupted CREATE INDEX CONCURRENTLY leaves its index behind, INVALID but still
 * maintained on every write (reference/locks.md §1.4). It must be dropped before a retry, which
 * would otherwise fail with "relation already exists".
 */

export interface IndexLocation {
  schema: string;
  name: string;
}

export function displayIndex(index: IndexLocation): string {
  return `${index.schema}.${index.name}`;
}

export async function isInvalidIndex(client: Pick<pg.ClientBase, 'query'>, index: IndexLocation): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT i.indisvalid AS valid
     FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2`,
    [index.schema, index.name],
  );
  return rows.length > 0 && rows[0].valid === false;
}

/** Must run outside a transaction block; honours the session's lock_timeout. */
export async function dropIndexConcurrently(client: Pick<pg.ClientBase, 'query'>, index: IndexLocation): Promise<void> {
  await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(index.schema)}.${quoteIdent(index.name)}`);
}
