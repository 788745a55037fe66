import { describe, expect, it } from 'vitest';
import { seedUsers, withMariadb } from './mariadb.js';
import { planAndRunUnderTraffic } from './step-by-step.js';
import { plainUsersApplication, type MysqlQuery } from './workload.js';

const uniqueEmails: MysqlQuery[] = [plainUsersApplication[0]!, plainUsersApplication[1]!, { kind: 'insert', build: () => ({ sql: "INSERT INTO users (full_name, email) VALUES ('n', CONCAT(UUID(), '@example.com'))", values: [] }) }];

describe('indexes on MariaDB', () => {
  const server = withMariadb();

  it('create index: ALGORITHM=INPLACE, LOCK=NONE accepted under writes, no table rebuild, rollback drops it; then drop index the same way', async () => {
    const db = await server.database();
    await seedUsers(await db.connect());
    const created = await planAndRunUnderTraffic(db, { sql: 'CREATE INDEX users_email_name_idx ON users (email, full_name)' });
    expect(created.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true }]);
    const dropped = await planAndRunUnderTraffic(db, { sql: 'DROP INDEX users_email_name_idx ON users' });
    expect(dropped.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true }]);
  });

  it('unique index: duplicate check, build, and the index enforces uniqueness', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const { plan } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ADD UNIQUE INDEX users_email_key (email)' }, { application: () => uniqueEmails });
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    await expect(c.query("INSERT INTO users (full_name, email) VALUES ('dup', 'u1@example.com')")).rejects.toThrow(/Duplicate entry/);
  });

  it('duplicates present: the check step stops the plan before any index is built', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await c.query("UPDATE users SET email = 'same@example.com' WHERE id IN (2, 3)");
    await expect(planAndRunUnderTraffic(db, { sql: 'CREATE UNIQUE INDEX users_email_key ON users (email)' }, { application: () => uniqueEmails })).rejects.toThrow(/checkpoint not met/);
    const [idx] = await c.query("SELECT COUNT(DISTINCT INDEX_NAME) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users'");
    expect(Number((idx as { n: unknown }[])[0]!.n)).toBe(1);
  });
});
