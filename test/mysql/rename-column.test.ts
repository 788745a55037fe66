import { describe, expect, it } from 'vitest';
import { seedUsers, withMariadb } from './mariadb.js';
import { planAndRunUnderTraffic } from './step-by-step.js';
import type { MysqlQuery } from './workload.js';

/** The application through the rename: reads/writes full_name, then both, then display_name only. */
function renameApplication(release: number): MysqlQuery[] {
  const read = (col: string): MysqlQuery => ({ kind: 'read', build: (id) => ({ sql: `SELECT id, ${col} FROM users WHERE id = ?`, values: [id()] }) });
  if (release === 0) return [read('full_name'), { kind: 'update', build: (id) => ({ sql: "UPDATE users SET full_name = CONCAT('u', id) WHERE id = ?", values: [id()] }) }, { kind: 'insert', build: () => ({ sql: "INSERT INTO users (full_name) VALUES ('a')", values: [] }) }];
  if (release === 1)
    return [
      read('full_name'),
      { kind: 'update', build: (id) => ({ sql: "UPDATE users SET full_name = CONCAT('v', id), display_name = CONCAT('v', id) WHERE id = ?", values: [id()] }) },
      { kind: 'insert', build: () => ({ sql: "INSERT INTO users (full_name, display_name) VALUES ('b', 'b')", values: [] }) },
    ];
  return [read('display_name'), { kind: 'update', build: (id) => ({ sql: "UPDATE users SET display_name = CONCAT('w', id) WHERE id = ?", values: [id()] }) }, { kind: 'insert', build: () => ({ sql: "INSERT INTO users (display_name) VALUES ('c')", values: [] }) }];
}

describe('rename column on MariaDB', () => {
  const server = withMariadb();

  it('expand/contract under an application that moves release by release: no query fails, parity holds, old column gone', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await c.query('CREATE INDEX users_full_name_idx ON users (full_name)');
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, { application: renameApplication });
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'app@A+1', 'backfill@A+1', 'validate@A+1', 'ddl@A+1', 'app@A+2', 'ddl@A+3', 'ddl@A+3']);
    expect(reports.filter((r) => r.rolledBackAndReapplied).map((r) => r.step)).toEqual([1, 5, 7]);
    const [cols] = await c.query("SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' ORDER BY ORDINAL_POSITION");
    expect((cols as { name: string }[]).map((r) => r.name)).toEqual(['id', 'email', 'score', 'display_name']);
    const [idx] = await c.query("SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' ORDER BY 1");
    expect((idx as { name: string }[]).map((r) => r.name)).toEqual(['PRIMARY', 'users_display_name_idx']);
  });
});
