import pg from 'pg';
import { expect } from 'vitest';
import { applyToSnapshot, releaseIndex, type Plan, type LockMode, type PgLockMode, type Step } from '@liveshift/core';
import { applyPlan, connect, introspectPostgres, rollbackPlanStep } from '@liveshift/runtime';
import { comparable } from './schema-compare.js';
import { observeWhileBlocked, strongest, tableLocks } from './lock-observer.js';

export interface StepReport {
  step: number;
  /** The strongest lock observed on the claimed tables. */
  observedLock?: PgLockMode;
  /** The strongest lock observed on each claimed table, and on each table of `locksBeyondClaim`. */
  observedLocks: Record<string, PgLockMode | undefined>;
  rewrote: boolean;
  rolledBackAndReapplied: boolean;
}

/**
 * Runs a plan one step at a time the way an operator would, and after every step checks what a
 * user would check: the lock observed while it ran equals the step's claim, a "no rewrite" claim
 * holds (relfilenode unchanged), the introspected schema equals applyToSnapshot's prediction, and
 * — before the point of no return — the rollback restores the previous schema, after which the
 * step is applied again.
 */
export async function runStepByStep(args: {
  url: string;
  plan: Plan;
  /** Called before an application step runs: the test "deploys" that release. */
  onRelease?: (release: number) => void | Promise<void>;
  /** SQL a blocker runs so non-transactional steps wait while holding their lock (e.g. UPDATE one row). */
  blockingSql: string;
  /**
   * Locks a step takes on tables its claim does not list (a claim has one mode; a foreign key's
   * VALIDATE also holds ROW SHARE on the referenced table): table → mode (undefined: none), observed and asserted like the claim.
   */
  locksBeyondClaim?: (step: Step) => Partial<Record<string, PgLockMode>>;
}): Promise<StepReport[]> {
  const { url, plan } = args;
  const client = await connect(url);
  const reports: StepReport[] = [];
  const quiet = { log: () => {}, onProgress: false as const };
  try {
    for (const step of plan.steps) {
      const deployed = step.deploy;
      if (step.kind === 'app') {
        await args.onRelease?.(releaseIndex(step.deploy));
        const r = await applyPlan(client, plan, { step: step.n, deployed, ...quiet });
        expect(r.ran).toEqual([step.n]);
        reports.push({ step: step.n, observedLocks: {}, rewrote: false, rolledBackAndReapplied: false });
        continue;
      }
      const before = await introspectPostgres(client);
      const beyond = { ...Object.fromEntries((step.lock.alsoLocks ?? []).map((a) => [a.table, a.mode])), ...args.locksBeyondClaim?.(step) };
      // tables are followed by OID, so a step that renames or drops one is still observed; a table it creates, by name
      const oids = await relationOids(client, [...step.lock.tables, ...Object.keys(beyond)]);
      const files = await relfilenodes(client, oids, step.lock.tables);
      const observed = await applyObserved(url, client, plan, step, args.blockingSql, [...step.lock.tables, ...Object.keys(beyond)], oids);
      const observedLock = strongest(step.lock.tables.flatMap((t) => (observed.get(t) ? [observed.get(t)!] : [])));
      const after = await introspectPostgres(client);
      const expected = applyToSnapshot(before, step);
      expect(comparable(after), `schema after step ${step.n} (${step.title})`).toEqual(comparable(expected));
      if (step.sql.length) {
        const wanted = [...step.lock.tables.map((t): [string, LockMode | 'none' | undefined] => [t, step.lock.mode]), ...Object.entries(beyond)];
        for (const [table, mode] of wanted) expect(observed.get(table), `lock taken on ${table} by step ${step.n} (${step.title})`).toBe(mode);
      }
      const rewrote = !sameFiles(files, await relfilenodes(client, oids, step.lock.tables));
      if (step.lock.duration !== 'rewrite') expect(rewrote, `step ${step.n} claims no rewrite`).toBe(false);

      let rolledBackAndReapplied = false;
      const beforePonr = !plan.pointOfNoReturn || step.n < plan.pointOfNoReturn.step;
      if (beforePonr && step.rollback.kind === 'sql') {
        const rb = await rollbackPlanStep(client, plan, step.n, { deployed, log: () => {} });
        expect(rb.rolledBack, `rollback of step ${step.n}`).toBe(true);
        expect(comparable(await introspectPostgres(client)), `schema after rolling back step ${step.n}`).toEqual(comparable(before));
        await applyPlan(client, plan, { step: step.n, deployed, ...quiet });
        expect(comparable(await introspectPostgres(client)), `schema after re-applying step ${step.n}`).toEqual(comparable(expected));
        rolledBackAndReapplied = true;
      }
      reports.push({ step: step.n, observedLock, observedLocks: Object.fromEntries(observed), rewrote, rolledBackAndReapplied });
    }
    return reports;
  } finally {
    await client.end();
  }
}

/** Applies the step and returns the strongest lock it held on each of `tables` (empty for a step without SQL). */
async function applyObserved(
  url: string,
  client: pg.Client,
  plan: Plan,
  step: Step,
  blockingSql: string,
  tables: string[],
  oids: Map<string, number>,
): Promise<Map<string, PgLockMode | undefined>> {
  const quiet = { log: () => {}, onProgress: false as const, deployed: step.deploy };
  const strongestPerTable = (locks: Map<string, PgLockMode[]>) => new Map(tables.map((t) => [t, strongest(locks.get(t) ?? [])]));
  if (!step.sql.length) {
    await applyPlan(client, plan, { step: step.n, ...quiet });
    return new Map();
  }
  if (step.transactional) {
    let seen = new Map<string, PgLockMode | undefined>();
    await applyPlan(client, plan, {
      step: step.n,
      ...quiet,
      observe: async (_s, c) => {
        seen = strongestPerTable(await tableLocks(c, tables, undefined, oids));
      },
    });
    return seen;
  }
  const { locks } = await observeWhileBlocked(url, tables, blockingSql, () => applyPlan(client, plan, { step: step.n, ...quiet }));
  return strongestPerTable(locks);
}

/** OIDs of the tables (schema.table) that exist now; a table a step is about to create has none. */
async function relationOids(client: pg.Client, tables: string[]): Promise<Map<string, number>> {
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

/** relfilenode of each of `tables` by OID; a table created or dropped by the step has no entry on one side. */
async function relfilenodes(client: pg.Client, oids: Map<string, number>, tables: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const t of tables) {
    const oid = oids.get(t);
    if (oid === undefined) continue;
    const { rows } = await client.query<{ relfilenode: string }>(`SELECT relfilenode::text FROM pg_class WHERE oid = $1`, [oid]);
    if (rows[0]) out.set(t, rows[0].relfilenode);
  }
  return out;
}

/** Only a table present before and after can have been rewritten. */
function sameFiles(a: Map<string, string>, b: Map<string, string>): boolean {
  return [...a].every(([k, v]) => !b.has(k) || b.get(k) === v);
}
