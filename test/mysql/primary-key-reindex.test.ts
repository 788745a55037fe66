import { describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { innodbTableId, seedUsers, withMariadb } from './mariadb.js';
import { planChange } from '@liveshift/core';
import { applyPlan, openMysqlSession } from '@liveshift/runtime';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic } from './step-by-step.js';
import { plainUsersApplication, type MysqlQuery } from './workload.js';

const EVENTS = 3000;

/** events without a primary key, as many old tables are: id nullable, a secondary index on name. */
async function seedEvents(c: mysql.Connection, nulls: number[] = [], duplicates: number[] = []): Promise<void> {
  await c.query(`SET SESSION max_recursive_iterations = ${EVENTS + 10}`);
  await c.query('CREATE TABLE events (id bigint NULL, name varchar(100) NOT NULL, KEY events_name_idx (name)) ENGINE=InnoDB');
  await c.query(`INSERT INTO events (id, name) WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${EVENTS}) SELECT n, CONCAT('event ', n) FROM seq`);
  for (const id of nulls) await c.query('UPDATE events SET id = NULL WHERE id = ?', [id]);
  for (const id of duplicates) await c.query("INSERT INTO events (id, name) VALUES (?, 'again')", [id]);
  await c.query('ANALYZE TABLE events');
}

/** Reads and updates by id, and inserts with fresh ids (one counter for every release): an application that already writes unique, non-NULL ids. */
function eventsApplication(): () => MysqlQuery[] {
  let next = 1_000_000;
  const queries: MysqlQuery[] = [
    { kind: 'read', build: (id) => ({ sql: 'SELECT * FROM events WHERE id = ?', values: [id()] }) },
    { kind: 'update', build: (id) => ({ sql: 'UPDATE events SET name = name WHERE id = ?', values: [id()] }) },
    { kind: 'insert', build: () => ({ sql: "INSERT INTO events (id, name) VALUES (?, 'new event')", values: [next++] }) },
  ];
  return () => queries;
}

/** Plans the change and runs every step in order, as `liveshift apply` does; rejects with the first step that fails. */
async function planAndApplyAll(url: string, sql: string): Promise<void> {
  const session = await openMysqlSession(url);
  try {
    const plan = await planChange({ sql }, await session.introspect(), LARGE_TABLE_OPTIONS);
    await applyPlan(session, plan, { deployed: 'A', log: () => {}, onProgress: false });
  } finally {
    await session.close();
  }
}

async function row(c: mysql.Connection, sql: string): Promise<Record<string, unknown>> {
  const [rows] = await c.query(sql);
  return (rows as Record<string, unknown>[])[0]!;
}

/** The seeded rows' count and checksum: the workload only inserts new ids and rewrites names unchanged. */
const seededEvents = 'SELECT COUNT(*) AS n, SUM(CRC32(CONCAT(id, name))) AS sum FROM events WHERE id <= 3000';
const seededUsers = "SELECT COUNT(*) AS n, SUM(CRC32(CONCAT_WS('|', id, full_name, email, score))) AS sum FROM users WHERE id <= 3000";

describe('primary key and table rebuild on MariaDB', () => {
  const server = withMariadb();

  it('add primary key on a nullable column: duplicate check, NULL check, MODIFY … NOT NULL in place (rolled back and re-applied), ADD PRIMARY KEY in place (a rebuild under LOCK=NONE, the point of no return); rows kept, the key enforced', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedEvents(c);
    const before = await row(c, seededEvents);
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE events ADD PRIMARY KEY (id)' }, { application: eventsApplication() });
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'validate', 'ddl', 'ddl']);
    expect(plan.steps[3]!.sql).toEqual([`ALTER TABLE \`${db.name}\`.\`events\` ADD PRIMARY KEY (\`id\`), ALGORITHM=INPLACE, LOCK=NONE`]);
    expect(plan.pointOfNoReturn?.step).toBe(4);
    expect(reports.slice(2)).toEqual([
      { step: 3, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: true, rolledBackAndReapplied: true },
      { step: 4, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: true, rolledBackAndReapplied: false },
    ]);
    expect(await row(c, seededEvents)).toEqual(before);
    expect(await row(c, "SELECT CONSTRAINT_TYPE AS t FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'events' AND CONSTRAINT_NAME = 'PRIMARY'")).toEqual({ t: 'PRIMARY KEY' });
    await expect(c.query("INSERT INTO events (id, name) VALUES (1, 'dup')")).rejects.toThrow(/Duplicate entry '1' for key 'PRIMARY'/);
    await expect(c.query("INSERT INTO events (id, name) VALUES (NULL, 'no id')")).rejects.toThrow(/cannot be null/);
  });

  it('the server refuses the rollback the plan calls impossible: DROP PRIMARY KEY alone with ALGORITHM=INPLACE (error 1846)', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedEvents(c);
    await c.query('ALTER TABLE events MODIFY id bigint NOT NULL, ADD PRIMARY KEY (id)');
    await expect(c.query('ALTER TABLE events DROP PRIMARY KEY, ALGORITHM=INPLACE, LOCK=NONE')).rejects.toThrow(/Dropping a primary key is not allowed without also adding a new primary key/);
  });

  it('NULLs present: the plan stops at the NULL check, before any rebuild; duplicates present: it stops at the duplicate check', async () => {
    const withNulls = await server.database();
    const c = await withNulls.connect();
    await seedEvents(c, [17]);
    const id = await innodbTableId(c, withNulls.name, 'events');
    await expect(planAndApplyAll(withNulls.url, 'ALTER TABLE events ADD PRIMARY KEY (id)')).rejects.toThrow(/step 2 \(Check that no row has id NULL.*\): checkpoint not met/);
    expect(await innodbTableId(c, withNulls.name, 'events')).toBe(id);
    expect(await row(c, "SELECT IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events' AND COLUMN_NAME = 'id'")).toEqual({ n: 'YES' });

    const withDuplicates = await server.database();
    const d = await withDuplicates.connect();
    await seedEvents(d, [], [5]);
    const did = await innodbTableId(d, withDuplicates.name, 'events');
    await expect(planAndApplyAll(withDuplicates.url, 'ALTER TABLE events ADD PRIMARY KEY (id)')).rejects.toThrow(/step 1 \(Check that no duplicates of \(id\) exist\): checkpoint not met/);
    expect(await innodbTableId(d, withDuplicates.name, 'events')).toBe(did);
    expect(await row(d, "SELECT COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events' AND INDEX_NAME = 'PRIMARY'")).toEqual({ n: '0' });
  });

  it('reindex: one ENGINE=InnoDB rebuild in place under the workload (new table id, LOCK=NONE held), rows and every index kept and used; by index name the same', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await c.query('CREATE INDEX users_email_idx ON users (email)');
    const before = await row(c, seededUsers);
    const byTable = await planAndRunUnderTraffic(db, { intents: [{ kind: 'reindex', table: 'users' }] }, { application: () => plainUsersApplication });
    expect(byTable.plan.steps[0]!.sql).toEqual([`ALTER TABLE \`${db.name}\`.\`users\` ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE`]);
    expect(byTable.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: true, rolledBackAndReapplied: false }]);
    expect(await row(c, seededUsers)).toEqual(before);
    const viaIndex = await row(c, "SELECT COUNT(*) AS n FROM users FORCE INDEX (users_email_idx) WHERE email LIKE 'u1%'");
    expect(viaIndex).toEqual(await row(c, "SELECT COUNT(*) AS n FROM users IGNORE INDEX (users_email_idx) WHERE email LIKE 'u1%'"));
    expect(Number(viaIndex.n)).toBeGreaterThan(100);

    const byIndex = await planAndRunUnderTraffic(db, { intents: [{ kind: 'reindex', index: 'users_email_idx' }] }, { application: () => plainUsersApplication });
    expect(byIndex.plan.warnings).toContainEqual(expect.stringMatching(/cannot rebuild one index: users_email_idx is rebuilt by rebuilding all of/));
    expect(byIndex.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: true, rolledBackAndReapplied: false }]);
    expect(await row(c, seededUsers)).toEqual(before);
  });
});
