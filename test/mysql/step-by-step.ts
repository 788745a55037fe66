import { expect } from 'vitest';
import { applyToSnapshot, planChange, releaseIndex, type Plan, type PlanInput, type PlanOptions, type Step } from '@liveshift/core';
import { applyPlan, openMysqlSession, rollbackPlanStep, type EngineSession } from '@liveshift/runtime';
import { comparable } from '../support/schema-compare.js';
import { innodbTableId, type ScratchDatabase } from './mariadb.js';
import { MysqlWorkload, plainUsersApplication, type MysqlQuery } from './workload.js';

/** Forces the full online recipe on a test-sized table. */
export const LARGE_TABLE_OPTIONS: PlanOptions = { smallTableBytes: 0, batchSize: 500, pauseMs: 0, lockTimeoutMs: 2000 };

export interface StepReport {
  step: number;
  /** The metadata lock the runner held on the step's table while its DDL waited behind a reader (METADATA_LOCK_INFO). */
  observedMdl?: string;
  /** The table was rebuilt (InnoDB table id changed). */
  rebuilt: boolean;
  rolledBackAndReapplied: boolean;
}

/**
 * Plans `input` against the scratch database, then runs the plan one step at a time under a
 * read/insert/update workload, the way an operator would, checking after every step: the server
 * accepted the step's statements (with their ALGORITHM= and LOCK=), the metadata lock a DDL step holds
 * while it waits behind a reader is the one its LOCK= claim means (METADATA_LOCK_INFO), the introspected schema equals
 * applyToSnapshot's prediction, a "no rebuild" claim holds (InnoDB table id unchanged), and before the
 * point of no return the rollback restores the previous schema, after which the step is applied
 * again. No workload query may fail.
 */
export async function planAndRunUnderTraffic(
  db: ScratchDatabase,
  input: PlanInput,
  options: { plan?: PlanOptions; application?: (release: number) => MysqlQuery[]; onOperatorStep?: (step: Step) => Promise<void>; retryDeadlocks?: boolean } = {},
): Promise<{ plan: Plan; reports: StepReport[]; deadlocksRetried: number }> {
  const session = await openMysqlSession(db.url);
  const probe = await db.connect();
  const plan = await planChange(input, await session.introspect(), { ...LARGE_TABLE_OPTIONS, ...options.plan });
  const workload = new MysqlWorkload(db.url, options.application ?? (() => plainUsersApplication), 3000, 3, options.retryDeadlocks);
  const quiet = { log: () => {}, onProgress: false as const };
  const reports: StepReport[] = [];
  let deadlocksRetried = 0;
  let stats: Awaited<ReturnType<MysqlWorkload['stop']>>;
  await workload.start();
  try {
    for (const step of plan.steps) {
      const deployed = step.deploy;
      const before = await session.introspect();
      const tables = step.lock.tables.map((t) => t.slice(t.indexOf('.') + 1));
      const ids = await Promise.all(tables.map((t) => innodbTableId(probe, db.name, t)));
      if (step.kind === 'app') {
        workload.setRelease(releaseIndex(step.deploy));
        if (step.changes.length) await options.onOperatorStep?.(step);
      }
      // a step whose first table is not an InnoDB table yet (a view it creates or drops) has no reader to wait behind
      const observedMdl = step.kind === 'ddl' && ids[0] !== undefined ? await heldWhileBlocked(db, tables[0]!, session.connection.threadId) : undefined;
      const result = await applyPlan(session, plan, { step: step.n, deployed, ...quiet });
      const mdl = observedMdl ? await observedMdl.done(result) : undefined;
      // a statement with no ALGORITHM= (RENAME/DROP TABLE, CREATE/DROP VIEW) holds nothing weaker: it waits for the exclusive lock itself
      if (observedMdl) expect(mdl, `metadata lock of step ${step.n} (${step.title}) while it waited`).toBe(step.lock.algorithm ? MDL_FOR_CLAIM[step.lock.mode] : WAITED_FOR_EXCLUSIVE);
      expect(result.ran, `step ${step.n} (${step.title}) ran`).toEqual([step.n]);
      const expected = applyToSnapshot(before, step);
      expect(comparable(await session.introspect()), `schema after step ${step.n} (${step.title})`).toEqual(comparable(expected));
      const after = await Promise.all(tables.map((t) => innodbTableId(probe, db.name, t)));
      const rebuilt = ids.some((id, i) => id !== undefined && after[i] !== undefined && id !== after[i]);
      if (step.kind !== 'app' && step.lock.duration !== 'rewrite') expect(rebuilt, `step ${step.n} (${step.title}) claims no rebuild`).toBe(false);
      let rolledBackAndReapplied = false;
      const beforePonr = !plan.pointOfNoReturn || step.n < plan.pointOfNoReturn.step;
      if (beforePonr && step.rollback.kind === 'sql') {
        const rb = await rollbackPlanStep(session, plan, step.n, { deployed, log: () => {} });
        expect(rb.rolledBack, `rollback of step ${step.n}`).toBe(true);
        expect(comparable(await session.introspect()), `schema after rolling back step ${step.n}`).toEqual(comparable(before));
        await applyPlan(session, plan, { step: step.n, deployed, ...quiet });
        expect(comparable(await session.introspect()), `schema after re-applying step ${step.n}`).toEqual(comparable(expected));
        rolledBackAndReapplied = true;
      }
      reports.push({ step: step.n, rebuilt, rolledBackAndReapplied, ...(mdl ? { observedMdl: mdl } : {}) });
    }
  } finally {
    // asserted after the finally block, so a step's own error (a checkpoint refusing) is what a failed run reports
    stats = await workload.stop();
    deadlocksRetried = stats.deadlocksRetried;
    await session.close();
  }
  expect(stats.failures, JSON.stringify(stats.failures.slice(0, 3))).toEqual([]);
  expect(stats.queries).toBeGreaterThan(20);
  return { plan, reports, deadlocksRetried };
}

export type { EngineSession };

/**
 * What each LOCK= claim looks like in information_schema.METADATA_LOCK_INFO while the ALTER waits for
 * its exclusive metadata lock (locks.md §3.3 [E]): LOCK=NONE holds MDL_SHARED_UPGRADABLE (reads and
 * writes go on); LOCK=SHARED MDL_SHARED_NO_WRITE; LOCK=EXCLUSIVE MDL_SHARED_NO_READ_WRITE.
 */
export const MDL_FOR_CLAIM: Record<string, string> = {
  'LOCK=NONE': 'MDL_SHARED_UPGRADABLE',
  'LOCK=SHARED': 'MDL_SHARED_NO_WRITE',
  'LOCK=EXCLUSIVE': 'MDL_SHARED_NO_READ_WRITE',
};

/** What heldWhileBlocked reports for a runner that held no weaker lock and was seen waiting for the table's metadata lock. */
export const WAITED_FOR_EXCLUSIVE = 'waited for MDL_EXCLUSIVE';

/**
 * Holds a read transaction on `table` so the next DDL of `runner` has to wait for its exclusive
 * metadata lock, releases it once the runner is seen holding a lock on the table (or after 5 s), and
 * keeps sampling METADATA_LOCK_INFO until `done`, which returns the strongest mode the runner held
 * apart from the exclusive one every ALTER takes briefly at its start and end — or, for a runner that
 * held none and was seen in the processlist waiting for the table's metadata lock, WAITED_FOR_EXCLUSIVE.
 */
export async function heldWhileBlocked(db: ScratchDatabase, table: string, runner: number): Promise<{ done: (applied: unknown) => Promise<string | undefined> }> {
  const blocker = await db.connect();
  const observer = await db.connect();
  try {
    await observer.query("INSTALL SONAME 'metadata_lock_info'");
  } catch {
    // installed already
  }
  await blocker.query('BEGIN');
  await blocker.query(`SELECT 1 FROM \`${table}\` LIMIT 1`);
  const seen: string[] = [];
  let waited = false;
  let stop = false;
  const sampling = (async () => {
    const deadline = Date.now() + 5000;
    let released = false;
    while (!stop) {
      const [rows] = await observer.query('SELECT LOCK_MODE AS mode FROM information_schema.METADATA_LOCK_INFO WHERE THREAD_ID = ? AND TABLE_SCHEMA = ? AND TABLE_NAME = ?', [runner, db.name, table]);
      seen.push(...(rows as { mode: string }[]).map((r) => r.mode));
      // a statement that needs the exclusive lock outright holds nothing on the table while it waits: its processlist state says so
      const [states] = await observer.query('SELECT STATE AS state FROM information_schema.PROCESSLIST WHERE ID = ?', [runner]);
      if ((states as { state: string | null }[]).some((r) => r.state === 'Waiting for table metadata lock')) waited = true;
      if (!released && (seen.length || waited || Date.now() > deadline)) {
        await blocker.query('COMMIT');
        released = true;
      }
      await new Promise((r) => setTimeout(r, released ? 2 : 20));
    }
    if (!released) await blocker.query('COMMIT');
  })();
  return {
    async done() {
      stop = true;
      await sampling;
      const order = ['MDL_SHARED_UPGRADABLE', 'MDL_SHARED_NO_WRITE', 'MDL_SHARED_NO_READ_WRITE'];
      return seen.filter((m) => order.includes(m)).sort((a, b) => order.indexOf(b) - order.indexOf(a))[0] ?? (waited ? WAITED_FOR_EXCLUSIVE : undefined);
    },
  };
}
