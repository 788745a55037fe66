import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import type { Plan, Step } from '@liveshift/core';
import { applyPlan, openMysqlSession, type BackfillProgress } from '@liveshift/runtime';
import { FAST_TIMEOUTS, collectLog, planOf } from '../support/step-fixtures.js';
import { SEED_ROWS, seedUsers, withMariadb, type ScratchDatabase } from './mariadb.js';
import { planAndRunUnderTraffic } from './step-by-step.js';

/** `n = n + 1` with an always-true predicate: a batch run twice shows up as n = 2. */
function incrementStep(table: string, keyColumns: string[], batchSize: number, overrides: Partial<Step> = {}): Step {
  return {
    n: 1,
    title: `backfill ${table}`,
    kind: 'backfill',
    deploy: 'A',
    instruction: '',
    sql: [],
    transactional: false,
    lock: { mode: 'LOCK=NONE', tables: [table], blocksReads: false, blocksWrites: false, duration: 'rows' },
    timeouts: FAST_TIMEOUTS,
    backfill: { table, set: '`n` = `n` + 1', predicate: '1 = 1', keyColumns, batchSize, pauseMs: 0 },
    checkpoint: { description: 'every row was incremented exactly once', sql: `SELECT COUNT(*) FROM \`${table.split('.')[1]}\` WHERE n <> 1`, expected: 0 },
    rollback: { kind: 'none', reason: 'test backfill' },
    caveats: [],
    changes: [],
    ...overrides,
  };
}

async function countsByN(c: mysql.Connection, table: string): Promise<Record<string, number>> {
  const [rows] = await c.query(`SELECT n, COUNT(*) AS r FROM ${table} GROUP BY n ORDER BY n`);
  return Object.fromEntries((rows as { n: unknown; r: unknown }[]).map((r) => [String(r.n), Number(r.r)]));
}

describe('a backfill by primary-key ranges on MariaDB', () => {
  const server = withMariadb();

  async function items(rows: number): Promise<{ db: ScratchDatabase; setup: mysql.Connection; plan: Plan }> {
    const db = await server.database();
    const setup = await db.connect();
    await setup.query(`SET SESSION max_recursive_iterations = ${rows + 10}`);
    await setup.query('CREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0) ENGINE=InnoDB');
    await setup.query(`INSERT INTO items (id) WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows}) SELECT i FROM s`);
    const session = await openMysqlSession(db.url);
    const plan = planOf(await session.serverInfo(), [incrementStep(`${db.name}.items`, ['id'], 100)]);
    await session.close();
    return { db, setup, plan };
  }

  it('stopped between batches (the runner dies after 3 batches) resumes without redoing a batch', async () => {
    const { db, setup, plan } = await items(1000);
    const first = await openMysqlSession(db.url);
    const dying = await applyPlan(first, plan, {
      log: () => {},
      onProgress: (p) => {
        if (p.batches === 3) throw new Error('runner killed after batch 3');
      },
    }).catch((e: unknown) => e);
    await first.close();
    expect((dying as Error).message).toMatch(/runner killed after batch 3/);
    expect(await countsByN(setup, 'items')).toEqual({ '0': 700, '1': 300 });
    const second = await openMysqlSession(db.url);
    const { log, text } = collectLog();
    const result = await applyPlan(second, plan, { log, onProgress: false });
    await second.close();
    expect(result.ran).toEqual([1]);
    expect(text()).toContain(`resuming the backfill of ${db.name}.items after key (300), 3 batches already committed`);
    expect(await countsByN(setup, 'items')).toEqual({ '1': 1000 });
  });

  it('walks a composite key with quotes and spaces in index order, each row once, reporting progress against the estimate', async () => {
    const db = await server.database();
    const setup = await db.connect();
    await setup.query('CREATE TABLE `Tenant Codes` (tenant int, `Code` varchar(20), n int NOT NULL DEFAULT 0, PRIMARY KEY (tenant, `Code`)) ENGINE=InnoDB');
    const codes = ['a', 'a b', "O'Brien", '"quoted"', 'Zürich', 'z,', '(x)', '', ' lead', 'ÿ'];
    for (let t = 1; t <= 5; t++) for (const code of codes) await setup.query('INSERT INTO `Tenant Codes` (tenant, `Code`) VALUES (?, ?)', [t, code]);
    const session = await openMysqlSession(db.url);
    const plan = planOf(await session.serverInfo(), [
      incrementStep(`${db.name}.Tenant Codes`, ['tenant', 'Code'], 7, {
        checkpoint: { description: 'every row once', sql: 'SELECT COUNT(*) FROM `Tenant Codes` WHERE n <> 1', expected: 0 },
        estimate: { rows: 50, batches: 8, seconds: 1, basis: 'test' },
      }),
    ]);
    const progress: BackfillProgress[] = [];
    const result = await applyPlan(session, plan, { log: () => {}, onProgress: (p) => progress.push(p) });
    await session.close();
    expect(result.ran).toEqual([1]);
    expect(await countsByN(setup, '`Tenant Codes`')).toEqual({ '1': 50 });
    expect(progress.map((p) => p.done)).toEqual([7, 14, 21, 28, 35, 42, 49, 50, 50]);
    expect(progress.every((p) => p.total === 50)).toBe(true);
  });

  it('retries a batch that waits on a row lock past innodb_lock_wait_timeout, rolling it back first, so no row is updated twice', async () => {
    const { db, setup, plan } = await items(300);
    const blocker = await db.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT * FROM items WHERE id = 150 FOR UPDATE');
    const session = await openMysqlSession(db.url);
    const { log, text } = collectLog();
    const applying = applyPlan(session, plan, { log, onProgress: false });
    await sleep(2500);
    await blocker.query('COMMIT');
    expect((await applying).ran).toEqual([1]);
    await session.close();
    expect(text()).toMatch(/lock not granted within lock_wait_timeout 1s \(error 1205\) \(attempt 1 of 31\)/);
    expect(await countsByN(setup, 'items')).toEqual({ '1': 300 });
  });
});

describe('backfill intent (UPDATE) on MariaDB', () => {
  const server = withMariadb();

  it('UPDATE … SET … WHERE runs as a backfill by key ranges under the workload; every targeted row gets its value, others are untouched; the given undo rolls it back', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const { plan, reports } = await planAndRunUnderTraffic(db, {
      intents: [{ kind: 'backfill', table: 'users', set: [{ column: 'email', expr: "CONCAT('filled', id, '@example.com')" }], where: 'email IS NULL', undo: ["UPDATE users SET email = NULL WHERE email LIKE 'filled%'"] }],
    });
    expect(plan.steps.map((s) => s.kind)).toEqual(['backfill']);
    // rolled back (the undo) and run again by the step-by-step runner
    expect(reports).toEqual([{ step: 1, rebuilt: false, rolledBackAndReapplied: true }]);
    const [rows] = await c.query("SELECT SUM(email IS NULL) AS missing, SUM(email = CONCAT('filled', id, '@example.com')) AS filled, SUM(email = CONCAT('u', id, '@example.com')) AS kept FROM users WHERE id <= ?", [SEED_ROWS]);
    expect(rows).toEqual([{ missing: '0', filled: String(SEED_ROWS / 10), kept: String(SEED_ROWS - SEED_ROWS / 10) }]);
  });
});
