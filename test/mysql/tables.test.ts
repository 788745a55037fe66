import { describe, expect, it } from 'vitest';
import { seedOrders, seedUsers, withMariadb } from './mariadb.js';
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
