import { describe, expect, it } from 'vitest';
import { seedOrders, seedUsers, withMariadb } from './mariadb.js';
import { planAndRunUnderTraffic } from './step-by-step.js';
import type { MysqlQuery } from './workload.js';

const shop: MysqlQuery[] = [
  { kind: 'read', build: (id) => ({ sql: 'SELECT * FROM orders WHERE user_id = ?', values: [id()] }) },
  { kind: 'insert', build: (id) => ({ sql: 'INSERT INTO orders (user_id, total) VALUES (?, 1)', values: [1 + (id() % 500)] }) },
  { kind: 'update', build: (id) => ({ sql: 'UPDATE users SET email = email WHERE id = ?', values: [id()] }) },
];

describe('add foreign key on MariaDB', () => {
  const server = withMariadb();

  it('index, orphan check, ADD with foreign_key_checks = 0 (INPLACE, LOCK=NONE accepted, no rebuild), orphan check again; rollback drops it; enforced afterwards', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await seedOrders(c);
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)' }, { application: () => shop });
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'validate', 'ddl']);
    expect(reports[2]).toEqual({ step: 3, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true });
    await expect(c.query('INSERT INTO orders (user_id, total) VALUES (999999, 1)')).rejects.toThrow(/foreign key constraint fails/);
    // the runner's session put foreign_key_checks back; a fresh one has it on as always
    const [vars] = await c.query('SELECT @@SESSION.foreign_key_checks AS v');
    expect(Number((vars as { v: unknown }[])[0]!.v)).toBe(1);
  });

  it('orphans present: the check stops the plan before the constraint is added', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await seedOrders(c);
    await c.query('INSERT INTO orders (user_id, total) VALUES (777777, 1)');
    await expect(planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)' }, { application: () => shop })).rejects.toThrow(/checkpoint not met: no row of .*orders references a missing/);
    const [fks] = await c.query("SELECT COUNT(*) AS n FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'FOREIGN KEY'");
    expect(Number((fks as { n: unknown }[])[0]!.n)).toBe(0);
  });
});

describe('add reference column on MariaDB', () => {
  const server = withMariadb();

  it('the column (instant), its index, the orphan check, the key in place: each step accepted under the workload and rolled back; the new column then only takes existing users', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await seedOrders(c);
    const { plan, reports } = await planAndRunUnderTraffic(
      db,
      { intents: [{ kind: 'add_reference_column', table: 'orders', column: { name: 'buyer_id', type: 'bigint' }, references: { table: 'users' }, onDelete: 'set null' }] },
      { application: () => shop },
    );
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'ddl', 'validate', 'ddl']);
    expect(reports.filter((r) => r.observedMdl).map((r) => r.observedMdl)).toEqual(['MDL_SHARED_UPGRADABLE', 'MDL_SHARED_UPGRADABLE', 'MDL_SHARED_UPGRADABLE']);
    expect(reports.map((r) => r.rolledBackAndReapplied)).toEqual([true, true, false, true]);
    await c.query('UPDATE orders SET buyer_id = 7 WHERE id = 1');
    await expect(c.query('UPDATE orders SET buyer_id = 999999 WHERE id = 2')).rejects.toThrow(/foreign key constraint fails/);
    await c.query('DELETE FROM users WHERE id = 7');
    const [rows] = await c.query('SELECT buyer_id FROM orders WHERE id = 1');
    expect(rows).toEqual([{ buyer_id: null }]);
  });
});
