import { afterEach, describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, openSqlite, rollbackPlanStep, sqliteSession } from '@liveshift/runtime';
import { scratchDatabase, startWorkload, tableRows } from './support/sqlite.js';
import { runSqliteStepByStep } from './support/step-by-step.js';

/**
 * The backfill intent (UPDATE … SET … WHERE) on a real file in WAL mode while a second connection
 * reads and writes: batches by primary key, the rows changed as asked and no others, the given undo
 * restoring the previous values, and no application query failing.
 */
const SEED = `
CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO users (id, full_name, email, age) SELECT i, 'User ' || i, CASE WHEN i % 4 = 0 THEN NULL ELSE 'u' || i || '@example.com' END, 20 + i % 50 FROM n;
`;
const TRAFFIC = { reads: ['SELECT id, email FROM users WHERE id = ?'], writes: ['UPDATE users SET age = age WHERE id = ?'], keys: 2000 };
const ALL_ROWS = 'SELECT id, full_name, email, age FROM users ORDER BY id';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

describe('SQLite backfill intent under a concurrent workload (WAL)', () => {
  it('fills only the rows the WHERE selects, in batches; the undo given restores the previous values; no query of the application fails', async () => {
    const db = scratchDatabase(SEED);
    cleanups.push(db.cleanup);
    const seeded = tableRows(db.path, ALL_ROWS);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    const plan = await planChange(
      { intents: [{ kind: 'backfill', table: 'users', set: [{ column: 'email', expr: "lower(replace(full_name, ' ', '.')) || '@example.com'" }], where: 'email IS NULL', undo: ["UPDATE users SET email = NULL WHERE email = lower(replace(full_name, ' ', '.')) || '@example.com'"] }] },
      await session.introspect(),
      { batchSize: 300, pauseMs: 0 },
    );
    expect(plan.steps.map((s) => s.kind)).toEqual(['backfill']);
    expect(plan.steps[0]!.backfill?.keyColumns).toEqual(['id']);
    expect(plan.pointOfNoReturn).toBeNull();
    const workload = await startWorkload(db.path, TRAFFIC);
    try {
      // schema unchanged after the step and its rollback; the rollback is run and the step applied again
      const { rolledBack } = await runSqliteStepByStep({ session, plan });
      expect(rolledBack).toEqual([1]);
      expect(tableRows(db.path, "SELECT count(*) AS n FROM users WHERE email IS NULL OR (id % 4 = 0 AND email <> 'user.' || id || '@example.com')")).toBe('[{"n":0}]');
      expect(tableRows(db.path, "SELECT id, email FROM users WHERE id % 4 <> 0 ORDER BY id"), 'rows the WHERE did not select are unchanged').toBe(
        tableRows(db.path, "SELECT id, 'u' || id || '@example.com' AS email FROM users WHERE id % 4 <> 0 ORDER BY id"),
      );
      // running the finished backfill again changes nothing: no row is left in its predicate
      const again = await applyPlan(session, plan, { step: 1, log: () => {}, onProgress: false });
      expect(again.ran).toEqual([]);

      const rb = await rollbackPlanStep(session, plan, 1, { log: () => {} });
      expect(rb.rolledBack).toBe(true);
      expect(tableRows(db.path, ALL_ROWS), 'the undo restored every row').toBe(seeded);
    } finally {
      const failures = await workload.stop();
      expect(failures, 'application queries that failed').toEqual([]);
      await session.close();
    }
    expect(workload.reads(), 'the application kept reading').toBeGreaterThan(0);
  });

  it('without undo the backfill is the point of no return: its rollback is refused and the new values stay (the statement\'s own CAST run by SQLite)', async () => {
    const db = scratchDatabase(SEED);
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      const plan = await planChange({ sql: "UPDATE users SET full_name = upper(email) || ':' || CAST(age AS TEXT) WHERE email IS NOT NULL" }, await session.introspect(), { batchSize: 700, pauseMs: 0 });
      expect(plan.pointOfNoReturn?.step).toBe(1);
      await applyPlan(session, plan, { step: 1, log: () => {}, onProgress: false });
      expect(tableRows(db.path, 'SELECT count(*) AS n FROM users WHERE email IS NOT NULL AND full_name IS NOT upper(email) || \':\' || age')).toBe('[{"n":0}]');
      expect(tableRows(db.path, "SELECT count(*) AS n FROM users WHERE email IS NULL AND full_name = 'User ' || id")).toBe('[{"n":500}]');
      await expect(rollbackPlanStep(session, plan, 1, { log: () => {} })).rejects.toThrow(/irreversible|point of no return|cannot be rolled back/i);
      expect(tableRows(db.path, 'SELECT count(*) AS n FROM users WHERE email IS NOT NULL AND full_name IS NOT upper(email) || \':\' || age')).toBe('[{"n":0}]');
    } finally {
      await session.close();
    }
  });
});
