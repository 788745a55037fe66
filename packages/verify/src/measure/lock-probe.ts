import pg from 'pg';
import type { PgLockMode } from '@liveshift/core';
import { documentedMode, strongest } from './lock-modes.js';

/**
 * Watches the table locks the runner's session holds while a step runs outside a transaction
 * (CREATE INDEX CONCURRENTLY, a batched backfill), polling pg_locks from its own session as fast
 * as it can. A fast step can finish between two polls, so the probe also holds an old snapshot
 * (a REPEATABLE READ transaction that has read nothing) until it has seen a lock or `maxHoldMs`
 * passed: CREATE INDEX CONCURRENTLY waits for older snapshots while it holds its lock, which gives
 * the probe time to see it. The snapshot holds no table lock, so the application is not touched.
 */

export interface LockProbe {
  /** Stops polling; the strongest mode seen on each table. */
  stop(): Promise<Map<string, PgLockMode>>;
}

export async function startLockProbe(url: string, runnerPid: number, oids: ReadonlyMap<string, number>, options: { maxHoldMs: number }): Promise<LockProbe> {
  const client = new pg.Client({ connectionString: url, application_name: 'liveshift-verify-probe' });
  client.on('error', () => {});
  await client.connect();
  const seen = new Map<string, PgLockMode[]>();
  let running = true;
  let holding = false;
  if (oids.size > 0 && options.maxHoldMs > 0) {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await client.query('SELECT 1');
    holding = true;
  }
  const heldSince = Date.now();
  const release = async () => {
    if (!holding) return;
    holding = false;
    await client.query('COMMIT');
  };
  const loop = (async () => {
    while (running && oids.size > 0) {
      const { rows } = await client.query<{ relation: number; mode: string }>(
        `SELECT relation::int AS relation, mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND granted AND relation = ANY($2::oid[])`,
        [runnerPid, [...oids.values()]],
      );
      for (const [table, oid] of oids) {
        for (const r of rows.filter((row) => row.relation === oid)) seen.set(table, [...(seen.get(table) ?? []), documentedMode(r.mode)]);
      }
      if (holding && (rows.length > 0 || Date.now() - heldSince > options.maxHoldMs)) await release();
      if (!holding) await new Promise((r) => setTimeout(r, 1));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => {});
      await release().catch(() => {});
      await client.end().catch(() => {});
      const out = new Map<string, PgLockMode>();
      for (const [table, modes] of seen) out.set(table, strongest(modes)!);
      return out;
    },
  };
}
