import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Plan, Step } from '@liveshift/core';
import { LiveshiftError, applyPlan, engineInfo, planId, readStepStates, type BackfillProgress } from '@liveshift/runtime';
import { pgMajorsUnderTest, withPostgres } from '../support/postgres.js';
import { FAST_TIMEOUTS, collectLog, planOf } from '../support/step-fixtures.js';

/**
 * `n = n + 1` on every row, with a predicate that is always true: the batches are NOT idempotent,
 * so a batch run twice shows up as n = 2. Only an exactly-resumed cursor leaves every n at 1.
 */
function incrementStep(table: string, keyColumns: string[], batchSize: number, overrides: Partial<Step> = {}): Step {
  return {
    n: 1,
    title: `backfill ${table}`,
    kind: 'backfill',
    deploy: 'A',
    instruction: '',
    sql: [],
    transactional: false,
    lock: { mode: 'ROW EXCLUSIVE', tables: [table], blocksReads: false, blocksWrites: false, duration: 'rows' },
    timeouts: FAST_TIMEOUTS,
    backfill: { table, set: '"n" = "n" + 1', predicate: 'true', keyColumns, batchSize, pauseMs: 0 },
    checkpoint: { description: 'every row was incremented exactly once', sql: `SELECT count(*) FROM ${table} WHERE "n" <> 1`, expected: 0 },
    rollback: { kind: 'none', reason: 'test backfill' },
    caveats: [],
    changes: [],
    ...overrides,
  };
}

async function countsByN(client: pg.Client, table: string): Promise<Record<string, number>> {
  const { rows } = await client.query(`SELECT n, count(*)::int AS rows FROM ${table} GROUP BY n ORDER BY n`);
  return Object.fromEntries(rows.map((r) => [String(r.n), r.rows]));
}

for (const major of pgMajorsUnderTest()) {
  describe(`a batched backfill on PostgreSQL ${major}`, () => {
    const postgres = withPostgres(major);

    async function itemsTable(rows: number): Promise<{ setup: pg.Client; plan: Plan; url: string }> {
      const db = await postgres.database();
      const setup = await db.client();
      await setup.query(`CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO items (id) SELECT generate_series(1, ${rows})`);
      const plan = planOf(await engineInfo(setup), [incrementStep('public.items', ['id'], 100)]);
      return { setup, plan, url: db.url };
    }

    it('killed inside a batch (backend terminated while it waits on a row lock) resumes from the last committed batch', async () => {
      const db = await postgres.database();
      const setup = await db.client();
      await setup.query(`CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO items (id) SELECT generate_series(1, 1000)`);
      const step = incrementStep('public.items', ['id'], 100, { timeouts: { ...FAST_TIMEOUTS, lockTimeoutMs: 60_000 } });
      const plan = planOf(await engineInfo(setup), [step]);

      // the application holds row 350: batch 4 (rows 301-400) waits for it
      const blocker = await db.client('blocker');
      await blocker.query('BEGIN');
      await blocker.query('SELECT * FROM items WHERE id = 350 FOR UPDATE');

      const runner = await db.client('backfill-runner');
      const { log, text } = collectLog();
      const firstRun = applyPlan(runner, plan, { log, onProgress: false }).catch((e: unknown) => e);
      const waitingPid = await waitForLockWait(setup, 'backfill-runner');
      await setup.query('SELECT pg_terminate_backend($1)', [waitingPid]);
      const error = await firstRun;
      expect(error).toBeInstanceOf(LiveshiftError);
      expect((error as LiveshiftError).exitCode).toBe(1);
      await blocker.query('ROLLBACK');

      // batches 1-3 committed with their cursor; batch 4 rolled back entirely
      expect(await countsByN(setup, 'items')).toEqual({ '0': 700, '1': 300 });
      const state = (await readStepStates(setup, planId(plan))).get(1);
      expect(state).toMatchObject({ status: 'running', upperKey: ['1000'], cursor: { after: ['300'], rowsScanned: 300, batches: 3 } });

      const rerunner = await db.client('backfill-rerunner');
      const progress: BackfillProgress[] = [];
      const result = await applyPlan(rerunner, plan, { log, onProgress: (p) => progress.push(p) });
      expect(result.ran).toEqual([1]);
      expect(text()).toContain('resuming the backfill of public.items after key (300), 3 batches already committed');
      expect(await countsByN(setup, 'items')).toEqual({ '1': 1000 });
      expect(progress[0]).toMatchObject({ done: 400, batches: 4, finished: false });
      expect(progress.at(-1)).toMatchObject({ done: 1000, total: 1000, updated: 1000, batches: 10, finished: true });
    });

    it('stopped between batches (the runner dies after 3 batches) resumes without redoing a batch', async () => {
      const { setup, plan } = await itemsTable(1000);
      const dying = await applyPlan(setup, plan, {
        log: () => {},
        onProgress: (p) => {
          if (p.batches === 3) throw new Error('runner killed after batch 3');
        },
      }).catch((e: unknown) => e);
      expect((dying as Error).message).toMatch(/runner killed after batch 3/);
      expect(await countsByN(setup, 'items')).toEqual({ '0': 700, '1': 300 });

      const result = await applyPlan(setup, plan, { log: () => {}, onProgress: false });
      expect(result.ran).toEqual([1]);
      expect(await countsByN(setup, 'items')).toEqual({ '1': 1000 });
    });

    it('walks a composite text key with quotes and spaces in row order, each row once, reporting progress against the estimate', async () => {
      const db = await postgres.database();
      const setup = await db.client();
      await setup.query(`
        CREATE TABLE "Tenant Codes" (tenant int, "Code" text, n int NOT NULL DEFAULT 0, PRIMARY KEY (tenant, "Code"));
        INSERT INTO "Tenant Codes" (tenant, "Code")
          SELECT t, c FROM generate_series(1, 5) t,
            unnest(ARRAY['a', 'a b', 'O''Brien', '"quoted"', 'Zürich', 'z,', '(x)', '', ' lead', 'ÿ']) c`);
      const plan = planOf(await engineInfo(setup), [
        incrementStep('public.Tenant Codes', ['tenant', 'Code'], 7, {
          checkpoint: { description: 'every row once', sql: `SELECT count(*) FROM "Tenant Codes" WHERE n <> 1`, expected: '0' },
          estimate: { rows: 50, batches: 8, seconds: 1, basis: 'test' },
        }),
      ]);
      const progress: BackfillProgress[] = [];
      const result = await applyPlan(setup, plan, { log: () => {}, onProgress: (p) => progress.push(p) });
      expect(result.ran).toEqual([1]);
      expect(await countsByN(setup, '"Tenant Codes"')).toEqual({ '1': 50 });
      // never analyzed: the total comes from the plan's estimate
      expect(progress.map((p) => p.done)).toEqual([7, 14, 21, 28, 35, 42, 49, 50, 50]);
      expect(progress.every((p) => p.total === 50)).toBe(true);
    });

    it('does nothing on an empty table', async () => {
      const { setup, plan } = await itemsTable(0);
      const { log, text } = collectLog();
      const result = await applyPlan(setup, plan, { log, onProgress: false });
      expect(result.ran).toEqual([1]);
      expect(text()).toContain('public.items was empty when the backfill started; nothing to do');
    });

    it('keeps the upper key captured at the start across a restart: rows inserted later are left to the application', async () => {
      const { setup, plan: original } = await itemsTable(250);
      const step = { ...original.steps[0]!, checkpoint: { description: 'rows that existed at the start', sql: 'SELECT count(*) FROM items WHERE id <= 250 AND n <> 1', expected: 0 } };
      const plan = { ...original, steps: [step] };
      await applyPlan(setup, plan, {
        log: () => {},
        onProgress: () => {
          throw new Error('runner killed after batch 1');
        },
      }).catch(() => {});
      await setup.query('INSERT INTO items (id) SELECT generate_series(251, 300)');
      await applyPlan(setup, plan, { log: () => {}, onProgress: false });
      const { rows } = await setup.query('SELECT id <= 250 AS existed, n, count(*)::int AS rows FROM items GROUP BY 1, 2 ORDER BY 1, 2');
      expect(rows).toEqual([
        { existed: false, n: 0, rows: 50 },
        { existed: true, n: 1, rows: 250 },
      ]);
    });

    it('retries a batch that hits a row lock after lock_timeout, rolling it back first, so no row is updated twice', async () => {
      const db = await postgres.database();
      const setup = await db.client();
      await setup.query(`CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO items (id) SELECT generate_series(1, 300)`);
      const plan = planOf(await engineInfo(setup), [incrementStep('public.items', ['id'], 100)]);
      const blocker = await db.client('blocker');
      await blocker.query('BEGIN');
      await blocker.query('SELECT * FROM items WHERE id = 150 FOR UPDATE');
      const { log, text } = collectLog();
      const applying = applyPlan(setup, plan, { log, onProgress: false });
      await sleep(1500);
      await blocker.query('COMMIT');
      expect((await applying).ran).toEqual([1]);
      expect(text()).toMatch(/lock not granted within lock_timeout 300ms \(attempt 1 of 31\)/);
      expect(await countsByN(setup, 'items')).toEqual({ '1': 300 });
    });
  });
}

/** Polls pg_stat_activity until the session named `applicationName` waits on a lock; returns its pid. */
async function waitForLockWait(client: pg.Client, applicationName: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await client.query(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
      [applicationName],
    );
    if (rows[0]) return rows[0].pid as number;
    await sleep(25);
  }
  throw new Error(`${applicationName} never waited on a lock`);
}
