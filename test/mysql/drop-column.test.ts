import { describe, expect, it } from 'vitest';
import { openMysqlSession, rollbackPlanStep } from '@liveshift/runtime';
import { seedUsers, withMariadb } from './mariadb.js';
import { planAndRunUnderTraffic } from './step-by-step.js';
import { plainUsersApplication, type MysqlQuery } from './workload.js';

describe('drop column and set NOT NULL on MariaDB', () => {
  const server = withMariadb();

  it('drop column: the application stops using it (release A+1), then an instant DROP COLUMN, the point of no return', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    // release 0 reads everything; release 1 no longer names email
    const app = (release: number): MysqlQuery[] =>
      release === 0 ? plainUsersApplication : [{ kind: 'read', build: (id) => ({ sql: 'SELECT id, full_name FROM users WHERE id = ?', values: [id()] }) }, { kind: 'insert', build: () => ({ sql: "INSERT INTO users (full_name) VALUES ('x')", values: [] }) }];
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users DROP COLUMN email' }, { application: app });
    expect(plan.steps[1]!.sql[0]).toMatch(/DROP COLUMN `email`, ALGORITHM=INSTANT, LOCK=NONE$/);
    expect(reports[1]).toMatchObject({ rebuilt: false, rolledBackAndReapplied: false });
  });

  it('set NOT NULL: backfill of the NULLs by key ranges, NULL check, MODIFY … NOT NULL in place (a rebuild with writes going on), rollback restores NULL', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users MODIFY email varchar(200) NOT NULL' }, { plan: { backfill: "''" } });
    expect(plan.steps.map((s) => s.kind)).toEqual(['backfill', 'validate', 'ddl']);
    // the backfill is the point of no return (which rows were NULL is not kept); the MODIFY after it still rolls back
    expect(reports[2]).toMatchObject({ rebuilt: true, rolledBackAndReapplied: false });
    const [rows] = await c.query('SELECT COUNT(*) AS n FROM users WHERE email IS NULL');
    expect(Number((rows as { n: unknown }[])[0]!.n)).toBe(0);
    const session = await openMysqlSession(db.url);
    const rb = await rollbackPlanStep(session, plan, 3, { log: () => {} });
    expect(rb.rolledBack).toBe(true);
    const users = (await session.introspect()).tables.find((t) => t.name === 'users')!;
    expect(users.columns.find((col) => col.name === 'email')).toMatchObject({ nullable: true });
    await session.close();
  });

  it('set NOT NULL on a column with a COMMENT: the check stops the plan before the MODIFY, which would silently drop the comment', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await c.query("ALTER TABLE users MODIFY email varchar(200) NULL COMMENT 'login address'");
    await expect(planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users MODIFY email varchar(200) NOT NULL' }, { plan: { backfill: "''" } })).rejects.toThrow(/checkpoint not met: no NULL in email, and email is varchar\(200\) with nothing MODIFY would drop/);
    const [cols] = await c.query("SELECT IS_NULLABLE AS n, COLUMN_COMMENT AS comment FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'email'");
    expect(cols).toEqual([{ n: 'YES', comment: 'login address' }]);
  });
});
