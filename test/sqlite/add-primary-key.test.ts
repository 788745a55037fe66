import { afterEach, describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, introspectSqlite, openSqlite, sqliteSession } from '@liveshift/runtime';
import { scratchDatabase, startWorkload, tableRows } from './support/sqlite.js';
import { runSqliteStepByStep } from './support/step-by-step.js';

/**
 * add_primary_key on a real file in WAL mode while a second connection reads and writes: the check,
 * then the rebuild with the key, the introspected schema equal to the prediction after each step and
 * each rollback, the rows kept, and what happens to the implicit rowid checked as the plan says.
 */
const SEED = (idType: string) => `
CREATE TABLE users (id ${idType}, full_name TEXT, email TEXT, age INTEGER);
CREATE INDEX users_email_idx ON users (email);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
INSERT INTO users (rowid, id, full_name, email, age) SELECT i, 5000 + i, 'user ' || i, 'u' || i || '@example.com', 20 + i % 50 FROM n;
`;
const TRAFFIC = { reads: ['SELECT full_name FROM users WHERE id = 5000 + ?', 'SELECT count(*) FROM users WHERE email = ?'], writes: ['UPDATE users SET age = age WHERE id = 5000 + ?'], keys: 1500 };
const DATA = 'SELECT id, full_name, email, age FROM users ORDER BY id';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function run(idType: string) {
  const db = scratchDatabase(SEED(idType));
  cleanups.push(db.cleanup);
  const seeded = tableRows(db.path, DATA);
  const session = sqliteSession(openSqlite(db.url), { owned: true });
  const plan = await planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (id)' }, await session.introspect());
  const workload = await startWorkload(db.path, TRAFFIC);
  try {
    const { rolledBack } = await runSqliteStepByStep({ session, plan });
    expect(rolledBack, 'the rebuild rolled back and applied again').toEqual([2]);
  } finally {
    const failures = await workload.stop();
    expect(failures, 'application queries that failed').toEqual([]);
    await session.close();
  }
  expect(workload.reads()).toBeGreaterThan(0);
  expect(tableRows(db.path, DATA), 'rows kept').toBe(seeded);
  const reader = openSqlite(db.url);
  const table = introspectSqlite(reader).tables.find((t) => t.name === 'users')!;
  reader.close();
  expect(table.constraints.find((k) => k.type === 'primary_key')).toMatchObject({ name: 'users_pkey', columns: ['id'] });
  expect(table.columns.find((c) => c.name === 'id')?.nullable).toBe(false);
  expect(table.indexes.map((i) => i.name)).toContain('users_email_idx');
  return { db, plan };
}

describe('SQLite add_primary_key under a concurrent workload (WAL)', () => {
  it('INTEGER column: becomes the rowid alias — every rowid is now the id, as the plan says', async () => {
    const { db, plan } = await run('INTEGER');
    expect(plan.steps[1]!.caveats.join('\n')).toMatch(/implicit rowids are not kept/);
    expect(tableRows(db.path, 'SELECT count(*) AS n FROM users WHERE rowid <> id')).toBe('[{"n":0}]');
    // a NULL key is given the next rowid, as the rowid alias does
    const conn = openSqlite(db.url);
    conn.prepare("INSERT INTO users (id, full_name) VALUES (NULL, 'new')").run();
    expect(conn.prepare("SELECT id FROM users WHERE full_name = 'new'").get()).toEqual({ id: 6501 });
    expect(() => conn.prepare("INSERT INTO users (id, full_name) VALUES (5001, 'dup')").run()).toThrow(/UNIQUE constraint failed|PRIMARY KEY/);
    conn.close();
  });

  it('TEXT column: the implicit rowids are kept, and the key refuses NULL and duplicates', async () => {
    const { db, plan } = await run('TEXT');
    expect(plan.steps[1]!.caveats.join('\n')).toMatch(/implicit rowids are kept/);
    expect(tableRows(db.path, "SELECT count(*) AS n FROM users WHERE id <> CAST(5000 + rowid AS TEXT)")).toBe('[{"n":0}]');
    const conn = openSqlite(db.url);
    expect(() => conn.prepare("INSERT INTO users (id, full_name) VALUES (NULL, 'x')").run()).toThrow(/NOT NULL constraint failed/);
    expect(() => conn.prepare("INSERT INTO users (id, full_name) VALUES ('5001', 'dup')").run()).toThrow(/UNIQUE constraint failed/);
    conn.close();
  });

  it('a duplicate key stops the plan at the check, before the rebuild: nothing changed', async () => {
    const db = scratchDatabase(SEED('INTEGER') + "INSERT INTO users (id, full_name) VALUES (5001, 'twin');");
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      const before = await session.introspect();
      const plan = await planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (id)' }, before);
      await expect(applyPlan(session, plan, { log: () => {}, onProgress: false })).rejects.toThrow(/checkpoint|expected/i);
      expect((await session.introspect()).tables).toEqual(before.tables);
    } finally {
      await session.close();
    }
  });
});
