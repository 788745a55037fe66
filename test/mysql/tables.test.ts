import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, openMysqlSession } from '@liveshift/runtime';
import { SEED_ROWS, seedOrders, seedUsers, withMariadb } from './mariadb.js';
import { planAndRunUnderTraffic, WAITED_FOR_EXCLUSIVE } from './step-by-step.js';
import { plainUsersApplication, type MysqlQuery } from './workload.js';

async function tableCount(c: { query: (sql: string, values: unknown[]) => Promise<[unknown, unknown]> }, name: string): Promise<number> {
  const [rows] = await c.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [name]);
  return Number((rows as { n: unknown }[])[0]!.n);
}

describe('tables on MariaDB', () => {
  const server = withMariadb();

  it('drop table: the application stops using it (release A+1), then DROP TABLE behind a reader (it waits for the exclusive metadata lock), the point of no return', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await seedOrders(c);
    // release 0 also reads and writes orders; release 1 no longer names it
    const app = (release: number): MysqlQuery[] =>
      release === 0
        ? [...plainUsersApplication, { kind: 'read', build: (id) => ({ sql: 'SELECT * FROM orders WHERE id = ?', values: [id()] }) }, { kind: 'insert', build: () => ({ sql: 'INSERT INTO orders (user_id, total) VALUES (1, 1)', values: [] }) }]
        : plainUsersApplication;
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'DROP TABLE orders' }, { application: app });
    expect(plan.steps.map((s) => s.kind)).toEqual(['app', 'ddl']);
    expect(plan.pointOfNoReturn?.step).toBe(2);
    expect(reports[1]).toEqual({ step: 2, observedMdl: WAITED_FOR_EXCLUSIVE, rebuilt: false, rolledBackAndReapplied: false });
    expect(await tableCount(c, 'orders')).toBe(0);
    expect(await tableCount(c, 'users')).toBe(1);
  });
});

/** The default application under the new name (through the view until the swap, then the table). */
const onPeople: MysqlQuery[] = plainUsersApplication.map((q) => ({ kind: q.kind, build: (id: () => number) => { const b = q.build(id); return { sql: b.sql.replace('users', 'people'), values: b.values }; } }));

describe('rename table on MariaDB', () => {
  const server = withMariadb();

  it('via a view: the view under the new name serves the moved application (reads, updates, inserts), the atomic swap keeps both releases working, each step rolled back and re-applied', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'RENAME TABLE users TO people' }, { application: (release) => (release === 0 ? plainUsersApplication : onPeople) });
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'app', 'ddl', 'ddl']);
    expect(reports.map((r) => r.rolledBackAndReapplied)).toEqual([true, false, true, false]);
    // the swap waited behind a reader of users for the exclusive metadata lock; the table kept its InnoDB id (no copy)
    expect(reports[2]).toMatchObject({ observedMdl: WAITED_FOR_EXCLUSIVE, rebuilt: false });
    expect(await tableCount(c, 'users')).toBe(0);
    expect(await tableCount(c, 'liveshift_old_people')).toBe(0);
    const [rows] = await c.query("SELECT TABLE_TYPE AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'people'");
    expect(rows).toEqual([{ t: 'BASE TABLE' }]);
  });

  it('via a view: after the first step, inserts and updates under the new name land in the table, with its auto-increment and defaults', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const session = await openMysqlSession(db.url);
    const plan = await planChange({ sql: 'RENAME TABLE users TO people' }, await session.introspect());
    await applyPlan(session, plan, { step: 1, log: () => {}, onProgress: false });
    await session.close();
    await c.query("INSERT INTO people (full_name, email) VALUES ('via view', 'v@example.com')");
    await c.query("UPDATE people SET email = 'changed@example.com' WHERE full_name = 'via view'");
    const [rows] = await c.query("SELECT id, email, score FROM users WHERE full_name = 'via view'");
    expect(rows).toEqual([{ id: expect.any(String), email: 'changed@example.com', score: 0 }]);
    // a fresh id from the table's counter (the bulk seed may leave a gap before it)
    expect(Number((rows as { id: string }[])[0]!.id)).toBeGreaterThan(SEED_ROWS);
  });

  it('via app: a plain RENAME TABLE between the two application releases; rollback renames it back', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    // release 1's fallback between the names is application code; here it stays off the table while the rename and its rollback run
    const neutral: MysqlQuery[] = [{ kind: 'read', build: () => ({ sql: 'SELECT 1', values: [] }) }];
    const app = (release: number): MysqlQuery[] => (release === 0 ? plainUsersApplication : release === 1 ? neutral : onPeople);
    const { plan, reports } = await planAndRunUnderTraffic(db, { intents: [{ kind: 'rename_table', table: 'users', to: 'people', via: 'app' }] }, { application: app });
    expect(plan.steps.map((s) => s.kind)).toEqual(['app', 'ddl', 'app']);
    expect(reports[1]).toEqual({ step: 2, observedMdl: WAITED_FOR_EXCLUSIVE, rebuilt: false, rolledBackAndReapplied: true });
    expect(await tableCount(c, 'people')).toBe(1);
  });
});

describe('create table on MariaDB', () => {
  const server = withMariadb();

  it('one CREATE TABLE: the introspected table (keys, the foreign key and its implicit index, CHECK) is the planned one; rollback drops it; the constraints are enforced', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const sql =
      'CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id bigint NULL, code varchar(20) NOT NULL UNIQUE, total int NOT NULL DEFAULT 0, ' +
      'CONSTRAINT orders_total_check CHECK (total >= 0), CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE) ENGINE=InnoDB';
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql });
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl']);
    expect(reports).toEqual([{ step: 1, rebuilt: false, rolledBackAndReapplied: true }]);
    await c.query("INSERT INTO orders (user_id, code) VALUES (1, 'a')");
    await expect(c.query("INSERT INTO orders (user_id, code) VALUES (1, 'a')")).rejects.toThrow(/Duplicate entry/);
    await expect(c.query("INSERT INTO orders (user_id, code, total) VALUES (1, 'b', -1)")).rejects.toThrow(/CONSTRAINT `orders_total_check` failed/);
    await expect(c.query("INSERT INTO orders (user_id, code) VALUES (999999, 'c')")).rejects.toThrow(/foreign key constraint fails/);
  });
});
