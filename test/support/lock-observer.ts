import pg from 'pg';
import { PG_LOCK_MODES, type PgLockMode } from '@liveshift/core';

/** pg_locks.mode → the documented name: "ShareUpdateExclusiveLock" → "SHARE UPDATE EXCLUSIVE". */
export function documentedMode(pgLocksMode: string): PgLockMode {
  const name = pgLocksMode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
  if (!(PG_LOCK_MODES as readonly string[]).includes(name)) throw new Error(`unknown lock mode ${pgLocksMode}`);
  return name as PgLockMode;
}

export function strongest(modes: PgLockMode[]): PgLockMode | undefined {
  return [...modes].sort((a, b) => PG_LOCK_MODES.indexOf(b) - PG_LOCK_MODES.indexOf(a))[0];
}

/**
 * Granted table locks of backend `pid` (or the calling backend) on each table: schema.table → modes.
 * A table with an entry in `oids` is found by OID (so one renamed or dropped by the step still is), the others by name.
 */
export async function tableLocks(client: pg.ClientBase, tables: string[], pid?: number, oids?: Map<string, number>): Promise<Map<string, PgLockMode[]>> {
  const out = new Map<string, PgLockMode[]>();
  for (const table of tables) {
    const oid = oids?.get(table);
    if (oid !== undefined) {
      const { rows } = await client.query<{ mode: string }>(
        `SELECT l.mode FROM pg_locks l WHERE l.locktype = 'relation' AND l.granted AND l.pid = coalesce($1, pg_backend_pid()) AND l.relation = $2`,
        [pid ?? null, oid],
      );
      out.set(table, rows.map((r) => documentedMode(r.mode)));
      continue;
    }
    const [schema, name] = splitName(table);
    const { rows } = await client.query<{ mode: string }>(
      `SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE l.locktype = 'relation' AND l.granted AND l.pid = coalesce($1, pg_backend_pid()) AND n.nspname = $2 AND c.relname = $3`,
      [pid ?? null, schema, name],
    );
    out.set(table, rows.map((r) => documentedMode(r.mode)));
  }
  return out;
}

function splitName(table: string): [string, string] {
  const dot = table.indexOf('.');
  return [table.slice(0, dot), table.slice(dot + 1)];
}

/**
 * Observes a statement that runs outside a transaction (CONCURRENTLY, a batched backfill): a
 * blocker transaction updates one row so the step has to wait while holding its table lock; we
 * read the waiting backend's granted locks from a second session, then release the blocker.
 */
export async function observeWhileBlocked<T>(
  url: string,
  tables: string | string[],
  blockingSql: string,
  run: () => Promise<T>,
): Promise<{ result: T; locks: Map<string, PgLockMode[]> }> {
  const blocker = new pg.Client({ connectionString: url, application_name: 'blocker' });
  const watcher = new pg.Client({ connectionString: url, application_name: 'watcher' });
  await blocker.connect();
  await watcher.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(blockingSql);
    const running = run();
    let locks: Map<string, PgLockMode[]> | undefined;
    const deadline = Date.now() + 10_000;
    while (!locks && Date.now() < deadline) {
      const { rows } = await watcher.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'liveshift' AND wait_event_type = 'Lock' AND datname = current_database()`,
      );
      if (rows[0]) locks = await tableLocks(watcher, typeof tables === 'string' ? [tables] : tables, rows[0].pid);
      else await new Promise((r) => setTimeout(r, 10));
    }
    await blocker.query('ROLLBACK');
    const result = await running;
    if (!locks) throw new Error('the step never waited behind the blocker, so its locks could not be observed');
    return { result, locks };
  } finally {
    await blocker.end().catch(() => {});
    await watcher.end().catch(() => {});
  }
}
