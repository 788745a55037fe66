import type pg from 'pg';
import { PG_LOCK_MODES, type PgLockMode, type Step } from '@liveshift/core';
import type { HeldLockSample, LockWait } from './lock-monitor.js';
import { documentedMode, isStronger, strongest } from './lock-modes.js';

/**
 * Whether a step's lock claim held: the locks its session was seen holding on each table are no
 * stronger than claimed, and no workload query the claim says is not blocked (reads, writes) was
 * seen waiting for a table lock the runner held.
 */

export type ClaimVerdict = 'held' | 'violated' | 'unobserved' | 'no-lock';

/** How the runner's locks were seen: inside the step's own transaction (exact), or by sampling pg_locks. */
export type ObservationMethod = 'in-transaction' | 'sampled' | 'none';

export interface LockClaimCheck {
  step: number;
  title: string;
  claimed: { mode: string; tables: string[]; blocksReads: boolean; blocksWrites: boolean; duration: string };
  /** Strongest mode seen on each claimed (and also-locked) table; null when none was seen. */
  observed: Record<string, PgLockMode | null>;
  method: ObservationMethod;
  verdict: ClaimVerdict;
  /** Why the verdict is what it is, in words. */
  reasons: string[];
}

/** OIDs of the tables (schema.table) that exist now; a table the step is about to create has none. */
export async function relationOids(client: pg.ClientBase, tables: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of tables) {
    const dot = t.indexOf('.');
    const { rows } = await client.query<{ oid: number }>(
      `SELECT c.oid::int AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [t.slice(0, dot), t.slice(dot + 1)],
    );
    if (rows[0]) out.set(t, rows[0].oid);
  }
  return out;
}

/** Granted table locks of the calling session (inside the step's transaction), strongest per table. */
export async function ownTableLocks(client: pg.ClientBase, oids: ReadonlyMap<string, number>): Promise<Map<string, PgLockMode>> {
  const out = new Map<string, PgLockMode>();
  if (oids.size === 0) return out;
  const { rows } = await client.query<{ relation: number; mode: string }>(
    `SELECT relation::int AS relation, mode FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation = ANY($1::oid[])`,
    [[...oids.values()]],
  );
  for (const [table, oid] of oids) {
    const mode = strongest(rows.filter((r) => r.relation === oid).map((r) => documentedMode(r.mode)));
    if (mode) out.set(table, mode);
  }
  return out;
}

/** Strongest mode per table among samples taken in [fromMs, toMs]. */
export function sampledTableLocks(samples: readonly HeldLockSample[], oids: ReadonlyMap<string, number>, fromMs: number, toMs: number): Map<string, PgLockMode> {
  const out = new Map<string, PgLockMode>();
  for (const [table, oid] of oids) {
    const mode = strongest(samples.filter((s) => s.relation === oid && s.atMs >= fromMs && s.atMs <= toMs).map((s) => s.mode));
    if (mode) out.set(table, mode);
  }
  return out;
}

const normalize = (sql: string) => sql.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim();

/**
 * Waits the step's own statements caused: the runner was blocking them while it executed one of
 * the step's statements (or its backfill batches). Time windows alone would blame a step for a
 * wait behind the previous step's last statement when a monitor sample comes back late.
 */
export function waitsCausedBy(step: Pick<Step, 'sql' | 'backfill'>, waits: readonly LockWait[]): LockWait[] {
  const statements = step.sql.map(normalize);
  return waits.filter((w) => {
    if (!w.blockedByPlan || !w.runnerQuery) return false;
    const running = normalize(w.runnerQuery);
    if (statements.some((s) => s === running || (running.length >= 1900 && s.startsWith(running)))) return true;
    return step.backfill !== undefined && running.includes(step.backfill.set);
  });
}

const isRead = (query: string) => /^\s*(select|with)\b/i.test(query);

export function checkLockClaim(
  step: Pick<Step, 'n' | 'title' | 'kind' | 'sql' | 'lock' | 'backfill'>,
  observed: ReadonlyMap<string, PgLockMode>,
  method: ObservationMethod,
  /** Lock waits seen during the run; those the step's statements caused are picked out. */
  waits: readonly LockWait[],
): LockClaimCheck {
  const claim = step.lock;
  const tables = [...claim.tables, ...(claim.alsoLocks ?? []).map((a) => a.table)];
  const base: Omit<LockClaimCheck, 'verdict' | 'reasons'> = {
    step: step.n,
    title: step.title,
    claimed: { mode: claim.mode, tables: [...claim.tables], blocksReads: claim.blocksReads, blocksWrites: claim.blocksWrites, duration: claim.duration },
    observed: Object.fromEntries(tables.map((t) => [t, observed.get(t) ?? null])),
    method,
  };
  if (step.kind === 'app' || step.sql.length === 0 || claim.mode === 'none') {
    return { ...base, verdict: 'no-lock', reasons: ['no SQL: nothing to lock'] };
  }
  const isPgMode = (mode: string): mode is PgLockMode => (PG_LOCK_MODES as readonly string[]).includes(mode);
  if (!isPgMode(claim.mode)) return { ...base, verdict: 'unobserved', reasons: [`${claim.mode} is not a PostgreSQL lock mode: verify observes PostgreSQL plans only`] };
  const claimedMode = claim.mode;
  const reasons: string[] = [];
  const limits = new Map<string, PgLockMode>([
    ...claim.tables.map((t): [string, PgLockMode] => [t, claimedMode]),
    ...(claim.alsoLocks ?? []).flatMap((a): [string, PgLockMode][] => (isPgMode(a.mode) ? [[a.table, a.mode]] : [])),
  ]);
  for (const [table, limit] of limits) {
    const seen = observed.get(table);
    if (seen && isStronger(seen, limit)) reasons.push(`took ${seen} on ${table}; the plan claims ${limit}`);
  }
  // only table-lock waits count: row locks of a backfill batch are what "rows" promises
  const blockedByStep = waitsCausedBy(step, waits).filter((w) => w.role === 'workload' && w.waitEvent === 'relation');
  const blockedReads = blockedByStep.filter((w) => isRead(w.query));
  const blockedWrites = blockedByStep.filter((w) => !isRead(w.query));
  if (!claim.blocksReads && blockedReads.length > 0) reasons.push(`${blockedReads.length} application read(s) waited for this step's table lock; the plan claims reads are not blocked`);
  if (!claim.blocksWrites && blockedWrites.length > 0) reasons.push(`${blockedWrites.length} application write(s) waited for this step's table lock; the plan claims writes are not blocked`);
  if (reasons.length > 0) return { ...base, verdict: 'violated', reasons };
  const seenOnClaimed = claim.tables.filter((t) => observed.has(t));
  if (seenOnClaimed.length === 0) {
    return {
      ...base,
      verdict: 'unobserved',
      reasons: [
        method === 'sampled'
          ? `the step ran outside a transaction and finished between two samples of pg_locks, so its lock was never seen; no application query waited for it`
          : 'no lock was seen on the claimed tables',
      ],
    };
  }
  const weaker = claim.tables.filter((t) => observed.get(t) !== claim.mode);
  return {
    ...base,
    verdict: 'held',
    reasons: [
      weaker.length === 0
        ? `observed ${claim.mode} on ${claim.tables.join(', ')} (${method === 'in-transaction' ? 'inside the step\'s transaction' : 'sampled from a monitor session'}), as claimed`
        : `observed at most ${claim.tables.map((t) => `${observed.get(t) ?? 'nothing'} on ${t}`).join(', ')}; the claim (${claim.mode}) is an upper bound`,
    ],
  };
}
