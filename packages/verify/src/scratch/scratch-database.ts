import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from '@liveshift/core';
import { redactUrl } from '@liveshift/runtime';

/**
 * A throwaway database on the same server as `serverUrl`, named liveshift_verify_<random>, so
 * the plan can be run for real without touching the application's data. `drop()` removes it
 * (ending any session still connected), and is safe to call twice.
 */

export interface ScratchDatabase {
  name: string;
  /** serverUrl with the scratch database as its path. */
  url: string;
  drop(): Promise<void>;
}

export const SCRATCH_PREFIX = 'liveshift_verify_';

export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `${SCRATCH_PREFIX}${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, async (admin) => {
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (error) {
      throw new Error(
        `cannot create the scratch database ${name} on ${redactUrl(serverUrl)}: ${error instanceof Error ? error.message : String(error)} ` +
          '(verify needs a role allowed to CREATE DATABASE; it never writes to the database of --db itself)',
        { cause: error },
      );
    }
  });
  const url = withDatabase(serverUrl, name);
  let dropped: Promise<void> | undefined;
  return {
    name,
    url,
    drop() {
      dropped ??= withAdmin(serverUrl, async (admin) => {
        // sessions left behind by a failed run must not keep the database alive
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
      });
      return dropped;
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'liveshift-verify' });
  client.on('error', () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}
