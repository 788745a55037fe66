import { describe, expect, it } from 'vitest';
import { openMysqlSession } from '@liveshift/runtime';
import { seedUsers, withMariadb } from './mariadb.js';
import { planAndRunUnderTraffic } from './step-by-step.js';
import type { MysqlQuery } from './workload.js';
import { plainUsersApplication } from './workload.js';

describe('add column on MariaDB', () => {
  const server = withMariadb();

  it('nullable: ALGORITHM=INSTANT, LOCK=NONE accepted, no rebuild, rollback drops it, under traffic', async () => {
    const db = await server.database();
    await seedUsers(await db.connect());
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ADD COLUMN nickname varchar(40)' });
    expect(plan.steps[0]!.sql[0]).toMatch(/ALGORITHM=INSTANT, LOCK=NONE$/);
    expect(reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true }]);
  });

  it('NOT NULL with a constant default: one instant step; existing rows read the default', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await planAndRunUnderTraffic(db, { sql: "ALTER TABLE users ADD COLUMN status varchar(16) NOT NULL DEFAULT 'active'" });
    const [rows] = await c.query("SELECT COUNT(*) AS n FROM users WHERE status <> 'active'");
    expect(Number((rows as { n: unknown }[])[0]!.n)).toBe(0);
  });

  it('NOT NULL without default: nullable → application writes it → PK-range backfill → MODIFY NOT NULL in place; every row filled', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    // release 1 writes plan on every insert
    const app = (release: number): MysqlQuery[] =>
      release >= 1
        ? [plainUsersApplication[0]!, plainUsersApplication[1]!, { kind: 'insert', build: () => ({ sql: "INSERT INTO users (full_name, email, plan) VALUES ('newcomer', 'n@example.com', 'pro')", values: [] }) }]
        : plainUsersApplication;
    const { plan, reports } = await planAndRunUnderTraffic(db, { intents: [{ kind: 'add_column', table: 'users', column: { name: 'plan', type: 'varchar(20)', nullable: false, backfill: "'free'" } }] }, { application: app });
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'app', 'backfill', 'validate', 'ddl']);
    expect(reports[4]).toMatchObject({ rebuilt: true, rolledBackAndReapplied: true });
    const [rows] = await c.query('SELECT COUNT(*) AS n FROM users WHERE plan IS NULL');
    expect(Number((rows as { n: unknown }[])[0]!.n)).toBe(0);
    const session = await openMysqlSession(db.url);
    const users = (await session.introspect()).tables.find((t) => t.name === 'users')!;
    expect(users.columns.find((col) => col.name === 'plan')).toMatchObject({ type: 'varchar(20)', nullable: false });
    await session.close();
  });
});
