import { describe, expect, it } from 'vitest';
import { seedOrders, seedUsers, withMariadb } from './mariadb.js';
import { runPlannedPtOsc } from './online-schema-change.js';
import { planAndRunUnderTraffic } from './step-by-step.js';
import { plainUsersApplication, type MysqlQuery } from './workload.js';

const scoringApplication: MysqlQuery[] = [
  ...plainUsersApplication,
  { kind: 'update', build: (id) => ({ sql: 'UPDATE users SET score = score + 1 WHERE id = ?', values: [id()] }) },
];

describe('changes with no in-place online path on MariaDB 10.11, through pt-online-schema-change', () => {
  const server = withMariadb();

  it('int → bigint: the planned pt-online-schema-change command, run as printed, copies the table while reads and writes go on; the type check passes', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const [before] = await c.query('SELECT SUM(score) AS s, COUNT(*) AS n FROM users WHERE id <= 3000');
    let output = '';
    const { plan } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users MODIFY score bigint NOT NULL' }, {
      application: () => scoringApplication,
      onOperatorStep: async (step) => {
        output = await runPlannedPtOsc(step);
      },
      // the tool's chunk copy can deadlock with application writes; the plan says so, the application retries them
      retryDeadlocks: true,
    });
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'app', 'validate']);
    expect(plan.steps[1]!.caveats.join(' ')).toMatch(/deadlock/);
    expect(output).toMatch(/Successfully altered `liveshift_t_[0-9a-f]+`\.`users`/);
    const [after] = await c.query('SELECT COUNT(*) AS n FROM users WHERE id <= 3000');
    expect((after as { n: string }[])[0]!.n).toBe((before as { n: string }[])[0]!.n);
  });

  it('add CHECK: application release, violation check, pt-online-schema-change, the constraint exists and is enforced', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await seedOrders(c);
    const orders: MysqlQuery[] = [
      { kind: 'read', build: (id) => ({ sql: 'SELECT * FROM orders WHERE id = ?', values: [id()] }) },
      { kind: 'insert', build: (id) => ({ sql: 'INSERT INTO orders (user_id, total) VALUES (?, 5)', values: [id()] }) },
      { kind: 'update', build: (id) => ({ sql: 'UPDATE orders SET total = total + 1 WHERE id = ?', values: [id()] }) },
    ];
    await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0)' }, { application: () => orders, onOperatorStep: async (step) => void (await runPlannedPtOsc(step)), retryDeadlocks: true });
    await expect(c.query('INSERT INTO orders (user_id, total) VALUES (1, -1)')).rejects.toThrow(/CONSTRAINT `orders_total_check` failed/);
  });
});
