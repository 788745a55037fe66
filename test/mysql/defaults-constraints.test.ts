import { describe, expect, it } from 'vitest';
import { seedOrders, seedUsers, withMariadb } from './mariadb.js';
import { planAndRunUnderTraffic } from './step-by-step.js';
import { plainUsersApplication, type MysqlQuery } from './workload.js';

const uniqueEmails: MysqlQuery[] = [plainUsersApplication[0]!, plainUsersApplication[1]!, { kind: 'insert', build: () => ({ sql: "INSERT INTO users (full_name, email) VALUES ('n', CONCAT(UUID(), '@example.com'))", values: [] }) }];
/** An application that always writes score itself, so a dropped default changes nothing for it. */
const writesScore: MysqlQuery[] = [plainUsersApplication[0]!, plainUsersApplication[1]!, { kind: 'insert', build: (id) => ({ sql: "INSERT INTO users (full_name, email, score) VALUES ('n', 'n@example.com', ?)", values: [id()] }) }];
const shop: MysqlQuery[] = [
  { kind: 'read', build: (id) => ({ sql: 'SELECT * FROM orders WHERE user_id = ?', values: [id()] }) },
  { kind: 'insert', build: (id) => ({ sql: 'INSERT INTO orders (user_id, total) VALUES (?, 1)', values: [1 + (id() % 500)] }) },
  { kind: 'update', build: (id) => ({ sql: 'UPDATE orders SET total = total + 1 WHERE id = ?', values: [id()] }) },
];

async function one(c: { query: (sql: string) => Promise<[unknown, unknown]> }, sql: string): Promise<unknown> {
  const [rows] = await c.query(sql);
  return Object.values((rows as Record<string, unknown>[])[0]!)[0];
}

/** COUNT(*) is a BIGINT, which the connection returns as a string. */
async function count(c: { query: (sql: string) => Promise<[unknown, unknown]> }, sql: string): Promise<number> {
  return Number(await one(c, sql));
}

describe('defaults, NOT NULL, constraints and unique keys on MariaDB', () => {
  const server = withMariadb();

  it('drop NOT NULL: definition check, MODIFY … NULL in place (a rebuild with reads and writes going on), rollback restores NOT NULL; NULL accepted afterwards, the default kept', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users MODIFY score int NULL' });
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(reports[1]).toEqual({ step: 2, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: true, rolledBackAndReapplied: true });
    await c.query("INSERT INTO users (full_name, score) VALUES ('no score', NULL)");
    expect(await count(c, "SELECT COUNT(*) FROM users WHERE score IS NULL AND full_name = 'no score'")).toBe(1);
    expect(await one(c, "SELECT COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'score'")).toBe('0');
  });

  it('set default, then drop default: each one instant ALTER COLUMN (accepted with ALGORITHM=INSTANT, LOCK=NONE, no rebuild), rolled back and re-applied; new rows get the default, then must name the column', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const set = await planAndRunUnderTraffic(db, { intents: [{ kind: 'set_default', table: 'users', column: 'score', default: '7' }] });
    expect(set.plan.steps[0]!.sql).toEqual([`ALTER TABLE \`${db.name}\`.\`users\` ALTER COLUMN \`score\` SET DEFAULT 7, ALGORITHM=INSTANT, LOCK=NONE`]);
    expect(set.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true }]);
    await c.query("INSERT INTO users (full_name) VALUES ('defaulted')");
    expect(await one(c, "SELECT score FROM users WHERE full_name = 'defaulted'")).toBe(7);
    // rows written before keep their values
    expect(await one(c, 'SELECT score FROM users WHERE id = 5')).toBe(5);

    // a string default: MariaDB prints it quoted, and the checkpoint compares it exactly
    const text = await planAndRunUnderTraffic(db, { intents: [{ kind: 'set_default', table: 'users', column: 'email', default: "'none@example.com'" }] });
    expect(text.plan.steps[0]!.checkpoint!.sql).toMatch(/COLUMN_DEFAULT = '''none@example.com'''$/);
    expect(text.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true }]);
    await c.query("INSERT INTO users (full_name) VALUES ('no email')");
    expect(await one(c, "SELECT email FROM users WHERE full_name = 'no email'")).toBe('none@example.com');

    const dropped = await planAndRunUnderTraffic(db, { intents: [{ kind: 'drop_default', table: 'users', column: 'score' }] }, { application: () => writesScore });
    expect(dropped.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true }]);
    await expect(c.query("INSERT INTO users (full_name) VALUES ('no score')")).rejects.toThrow(/doesn't have a default value/);
  });

  it('drop foreign key (INSTANT, rollback re-adds it in place) and drop CHECK (INSTANT, the point of no return); neither enforced afterwards', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    await seedOrders(c);
    await c.query('ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE');
    await c.query('ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0)');
    const fk = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders DROP FOREIGN KEY orders_user_fk' }, { application: () => shop });
    expect(fk.plan.steps[0]!.sql[0]).toMatch(/DROP FOREIGN KEY `orders_user_fk`, ALGORITHM=INSTANT, LOCK=NONE$/);
    expect(fk.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true }]);
    await c.query('INSERT INTO orders (user_id, total) VALUES (999999, 1)');
    // its index stays, as the plan's schema said
    expect(await count(c, "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' AND INDEX_NAME = 'orders_user_fk'")).toBe(1);

    const check = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders DROP CONSTRAINT orders_total_check' }, { application: () => shop });
    expect(check.plan.pointOfNoReturn?.step).toBe(1);
    expect(check.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: false }]);
    await c.query('INSERT INTO orders (user_id, total) VALUES (1, -5)');
  });

  it('add unique constraint: duplicate check, unique index built in place (LOCK=NONE, no rebuild), rollback drops it; duplicates rejected afterwards; then drop constraint drops its index', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const { plan, reports } = await planAndRunUnderTraffic(db, { intents: [{ kind: 'add_unique_constraint', table: 'users', columns: ['email'] }] }, { application: () => uniqueEmails });
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(reports[1]).toEqual({ step: 2, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true });
    expect(await count(c, "SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'users_email_key' AND CONSTRAINT_TYPE = 'UNIQUE'")).toBe(1);
    await expect(c.query("INSERT INTO users (full_name, email) VALUES ('dup', 'u1@example.com')")).rejects.toThrow(/Duplicate entry/);

    // and dropped again as a constraint: its index goes in place, rolled back and re-applied
    const dropped = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users DROP CONSTRAINT users_email_key' }, { application: () => uniqueEmails });
    expect(dropped.plan.steps[0]!.sql[0]).toMatch(/DROP INDEX `users_email_key`, ALGORITHM=INPLACE, LOCK=NONE$/);
    expect(dropped.reports).toEqual([{ step: 1, observedMdl: 'MDL_SHARED_UPGRADABLE', rebuilt: false, rolledBackAndReapplied: true }]);
    await c.query("INSERT INTO users (full_name, email) VALUES ('dup', 'u1@example.com')");
  });
});
