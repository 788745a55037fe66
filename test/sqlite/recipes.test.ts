import { afterEach, describe, expect, it } from 'vitest';
import { planChange, type IntentInput, type Plan } from '@liveshift/core';
import { openSqlite, sqliteSession } from '@liveshift/runtime';
import { scratchDatabase, startWorkload, tableRows, type WorkloadStatements } from './support/sqlite.js';
import { runSqliteStepByStep } from './support/step-by-step.js';

/**
 * Every SQLite recipe executed step by step on a real file in WAL mode while a second connection
 * reads and writes (busy_timeout 10 s, as an application would set): the introspected schema equals
 * the plan's prediction after every step and every rollback, the seeded rows survive, and no
 * application query fails.
 */
const SEED = `
CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, age INTEGER, country TEXT NOT NULL DEFAULT 'fr', note TEXT DEFAULT 'none');
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, qty INTEGER, note TEXT, CONSTRAINT orders_note_short CHECK (length(note) < 100));
CREATE INDEX orders_user_idx ON orders (user_id);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO users (id, full_name, email, age) SELECT i, 'user ' || i, 'u' || i || '@example.com', CASE WHEN i % 10 = 0 THEN NULL ELSE 20 + i % 50 END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO orders (id, user_id, qty, note) SELECT i, 1 + i % 2000, 1 + i % 7, 'order ' || i FROM n;
`;

const usersTraffic = (columns = 'full_name'): WorkloadStatements => ({
  reads: [`SELECT id, ${columns} FROM users WHERE id = ?`, 'SELECT count(*) FROM orders WHERE user_id = ?'],
  // an update that changes no seeded value, and inserts above the seeded ids
  writes: ['UPDATE users SET age = age WHERE id = ?', `INSERT INTO users (${columns}) VALUES (${columns.split(',').map(() => "'w' || ?").join(', ')})`],
  keys: 2000,
});

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function runCase(spec: { input: { sql: string } | { intents: IntentInput[] }; releases: WorkloadStatements[]; seededRows: string[]; backfill?: string; setup?: string; sync?: 'app' | 'trigger'; check?: (plan: Plan, path: string) => void }): Promise<Plan> {
  const db = scratchDatabase(SEED + (spec.setup ?? ''));
  cleanups.push(db.cleanup);
  const session = sqliteSession(openSqlite(db.url), { owned: true });
  const rowsBefore = spec.seededRows.map((sql) => tableRows(db.path, sql));
  const plan = await planChange(spec.input, await session.introspect(), { batchSize: 500, pauseMs: 0, ...(spec.backfill ? { backfill: spec.backfill } : {}), ...(spec.sync ? { sync: spec.sync } : {}) });
  const workload = await startWorkload(db.path, spec.releases[0]!);
  try {
    await runSqliteStepByStep({ session, plan, onRelease: (release) => workload.release(spec.releases[release] ?? spec.releases[spec.releases.length - 1]!) });
  } finally {
    const failures = await workload.stop();
    expect(failures, 'application queries that failed').toEqual([]);
    expect(workload.failures()).toBe(0);
    await session.close();
  }
  expect(workload.reads(), 'the application kept reading').toBeGreaterThan(0);
  expect(spec.seededRows.map((sql) => tableRows(db.path, sql)), 'seeded rows').toEqual(rowsBefore);
  spec.check?.(plan, db.path);
  return plan;
}

describe('SQLite recipes under a concurrent workload (WAL)', () => {
  it('add_column nullable: one catalog-only ALTER TABLE … ADD COLUMN', async () => {
    const plan = await runCase({ input: { sql: 'ALTER TABLE users ADD COLUMN nickname text' }, releases: [usersTraffic()], seededRows: ['SELECT id, full_name, email FROM users WHERE id <= 2000'] });
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl']);
  });

  it('add_column NOT NULL without a default: nullable, the application writes it, backfill, NOT NULL by rebuild', async () => {
    const plan = await runCase({
      input: { intents: [{ kind: 'add_column', table: 'users', column: { name: 'plan', type: 'TEXT', nullable: false, backfill: "'free'" } }] },
      releases: [usersTraffic(), usersTraffic('full_name, plan')],
      seededRows: ['SELECT id, full_name, email FROM users WHERE id <= 2000'],
      check: (_plan, path) => expect(tableRows(path, "SELECT count(*) AS n FROM users WHERE plan IS NULL OR (id <= 2000 AND plan <> 'free')")).toBe('[{"n":0}]'),
    });
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'app', 'backfill', 'ddl']);
  });

  it('add_column with CURRENT_TIMESTAMP (not constant for ADD COLUMN): nullable, backfill, default by rebuild', async () => {
    await runCase({
      input: { sql: 'ALTER TABLE users ADD COLUMN created_at text DEFAULT CURRENT_TIMESTAMP' },
      releases: [usersTraffic()],
      seededRows: ['SELECT id, full_name, email FROM users WHERE id <= 2000'],
      check: (_plan, path) => expect(tableRows(path, 'SELECT count(*) AS n FROM users WHERE created_at IS NULL')).toBe('[{"n":0}]'),
    });
  });

  it('rename_column: expand/contract with the application moving release by release', async () => {
    const plan = await runCase({
      input: { sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' },
      releases: [
        usersTraffic('full_name'),
        usersTraffic('full_name, display_name'),
        usersTraffic('display_name'),
        usersTraffic('display_name'),
      ],
      seededRows: ['SELECT id, email, age FROM users WHERE id <= 2000'],
      check: (_plan, path) => expect(tableRows(path, "SELECT count(*) AS n FROM users WHERE id <= 2000 AND display_name <> 'user ' || id")).toBe('[{"n":0}]'),
    });
    expect(plan.pointOfNoReturn?.step).toBe(plan.steps.length);
  });

  it('rename_column with --sync trigger: no dual-write release; old instances writing the old name stay in sync', async () => {
    const plan = await runCase({
      input: { sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' },
      sync: 'trigger',
      releases: [usersTraffic('full_name'), usersTraffic('display_name'), usersTraffic('display_name')],
      seededRows: ['SELECT id, email, age FROM users WHERE id <= 2000'],
      check: (_plan, path) => {
        expect(tableRows(path, "SELECT count(*) AS n FROM users WHERE id <= 2000 AND display_name <> 'user ' || id")).toBe('[{"n":0}]');
        expect(tableRows(path, "SELECT count(*) AS n FROM users WHERE display_name IS NULL")).toBe('[{"n":0}]');
        expect(tableRows(path, "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger'")).toBe('[{"n":0}]');
      },
    });
    expect(plan.steps.filter((s) => s.kind === 'app')).toHaveLength(1);
  });

  it('rename_column of an indexed, UNIQUE and CHECKed column: the index copied before the switch, everything moved to the new name at the end', async () => {
    const accounts = (reads: string, insert: string): WorkloadStatements => ({ reads: [`SELECT id, ${reads} FROM accounts WHERE id = ?`], writes: ['UPDATE accounts SET id = id WHERE id = ?', insert], keys: 500 });
    const plan = await runCase({
      setup: `
        CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT UNIQUE, CONSTRAINT accounts_email_shape CHECK (email LIKE '%@%'));
        CREATE INDEX accounts_email_lower ON accounts (lower(email)) WHERE email IS NOT NULL;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO accounts SELECT i, 'a' || i || '@example.com' FROM n;`,
      input: { sql: 'ALTER TABLE accounts RENAME COLUMN email TO login' },
      releases: [
        accounts('email', "INSERT INTO accounts (email) VALUES ('w' || ? || '-' || random() || '@x')"),
        accounts('email', "INSERT INTO accounts (email, login) SELECT v, v FROM (SELECT 'w' || ? || '-' || random() || '@x' AS v)"),
        accounts('login', "INSERT INTO accounts (login) VALUES ('w' || ? || '-' || random() || '@x')"),
      ],
      seededRows: ['SELECT id FROM accounts WHERE id <= 500'],
      check: (_plan, path) => {
        expect(tableRows(path, "SELECT count(*) AS n FROM accounts WHERE id <= 500 AND login <> 'a' || id || '@example.com'")).toBe('[{"n":0}]');
        expect(tableRows(path, "SELECT name FROM pragma_index_list('accounts') WHERE origin = 'c'")).toBe('[{"name":"accounts_email_lower"}]');
        expect(tableRows(path, "SELECT name FROM pragma_index_info('accounts_email_lower')")).toBe('[{"name":null}]');
        expect(tableRows(path, "SELECT sql FROM sqlite_schema WHERE name = 'accounts_email_lower'")).toBe(`[{"sql":"CREATE INDEX \\"accounts_email_lower\\" ON \\"accounts\\" (lower(\\"login\\")) WHERE \\"login\\" IS NOT NULL"}]`);
      },
    });
    expect(plan.steps.filter((s) => s.title.startsWith('Build index'))).toHaveLength(1);
  });

  it('drop_column: the application stops using it, then DROP COLUMN (3.35+)', async () => {
    const plan = await runCase({ input: { sql: 'ALTER TABLE users DROP COLUMN email' }, releases: [usersTraffic(), usersTraffic()], seededRows: ['SELECT id, full_name, age FROM users WHERE id <= 2000'] });
    expect(plan.steps.at(-1)!.sql[0]).toBe('ALTER TABLE "users" DROP COLUMN "email"');
  });

  it('create_index unique, after a duplicate check', async () => {
    await runCase({ input: { sql: 'CREATE UNIQUE INDEX users_email_key ON users (email)' }, releases: [usersTraffic()], seededRows: ['SELECT * FROM users WHERE id <= 2000'] });
  });

  it('drop_index, its rollback rebuilding it from its CREATE INDEX text', async () => {
    await runCase({ input: { sql: 'DROP INDEX orders_user_idx' }, releases: [usersTraffic()], seededRows: ['SELECT * FROM orders'] });
  });

  it('set_not_null with a value for NULL rows: the application, backfill, check, rebuild', async () => {
    await runCase({
      input: { sql: 'ALTER TABLE users ALTER COLUMN age SET NOT NULL' },
      backfill: '0',
      releases: [usersTraffic(), { ...usersTraffic(), writes: ['UPDATE users SET age = age WHERE id = ?', "INSERT INTO users (full_name, age) VALUES ('w' || ?, 1)"] }],
      seededRows: ['SELECT id, full_name, email FROM users WHERE id <= 2000'],
      check: (_plan, path) => expect(tableRows(path, 'SELECT "notnull" FROM pragma_table_info(\'users\') WHERE name = \'age\'')).toBe('[{"notnull":1}]'),
    });
  });

  it('change_column_type by rebuild, the index kept', async () => {
    await runCase({
      input: { sql: 'ALTER TABLE orders ALTER COLUMN qty TYPE text' },
      releases: [usersTraffic()],
      seededRows: ["SELECT id, user_id, CAST(qty AS TEXT) AS qty, note FROM orders"],
      check: (_plan, path) => expect(tableRows(path, "SELECT count(*) AS n FROM orders WHERE typeof(qty) <> 'text'")).toBe('[{"n":0}]'),
    });
  });

  it('add_foreign_key: orphan check, then rebuild; the child table index kept', async () => {
    await runCase({ input: { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)' }, releases: [usersTraffic()], seededRows: ['SELECT * FROM orders'] });
  });

  it('add_check: violation check, then rebuild', async () => {
    await runCase({ input: { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0)' }, releases: [usersTraffic()], seededRows: ['SELECT * FROM orders'] });
  });

  it('rename_table with a read-only view under the old name until the application moves', async () => {
    const reads = (t: string): WorkloadStatements => ({ reads: [`SELECT * FROM ${t} WHERE id = ?`], writes: ['UPDATE users SET age = age WHERE id = ?'], keys: 2000 });
    await runCase({ input: { sql: 'ALTER TABLE orders RENAME TO purchases' }, releases: [reads('orders'), reads('purchases')], seededRows: ['SELECT * FROM users WHERE id <= 2000'] });
  });

  it('drop_table after the application stops using it', async () => {
    const plan = await runCase({ input: { sql: 'DROP TABLE orders' }, releases: [usersTraffic(), { reads: ['SELECT * FROM users WHERE id = ?'], writes: [], keys: 2000 }], seededRows: ['SELECT * FROM users WHERE id <= 2000'] });
    expect(plan.pointOfNoReturn?.step).toBe(2);
  });

  it('drop_not_null by rebuild', async () => {
    await runCase({ input: { sql: 'ALTER TABLE users ALTER COLUMN country DROP NOT NULL' }, releases: [usersTraffic()], seededRows: ['SELECT * FROM users WHERE id <= 2000'] });
  });

  it('set_default by rebuild: existing rows keep their value, new ones get the new default', async () => {
    await runCase({
      input: { sql: "ALTER TABLE users ALTER COLUMN country SET DEFAULT 'de'" },
      releases: [usersTraffic()],
      seededRows: ['SELECT * FROM users WHERE id <= 2000'],
      check: (_plan, path) => expect(tableRows(path, "SELECT dflt_value FROM pragma_table_info('users') WHERE name = 'country'")).toBe(`[{"dflt_value":"'de'"}]`),
    });
  });

  it('drop_default by rebuild', async () => {
    await runCase({ input: { sql: 'ALTER TABLE users ALTER COLUMN note DROP DEFAULT' }, releases: [usersTraffic()], seededRows: ['SELECT * FROM users WHERE id <= 2000'] });
  });

  it('add_unique_constraint: duplicate check, then rebuild', async () => {
    await runCase({ input: { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_unique UNIQUE (email)' }, releases: [usersTraffic()], seededRows: ['SELECT * FROM users WHERE id <= 2000'] });
  });

  it('drop_constraint (a CHECK) by rebuild', async () => {
    await runCase({ input: { sql: 'ALTER TABLE orders DROP CONSTRAINT orders_note_short' }, releases: [usersTraffic()], seededRows: ['SELECT * FROM orders'] });
  });

  it('add_reference_column: ADD COLUMN with its own REFERENCES, then its index', async () => {
    await runCase({
      input: { sql: 'ALTER TABLE orders ADD COLUMN buyer_id integer REFERENCES users ON DELETE SET NULL' },
      releases: [usersTraffic()],
      seededRows: ['SELECT id, user_id, qty, note FROM orders'],
      check: (_plan, path) => expect(tableRows(path, "SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('orders')")).toBe('[{"table":"users","from":"buyer_id","to":"id","on_delete":"SET NULL"}]'),
    });
  });

  it('create_table with named constraints the introspection reads back', async () => {
    await runCase({
      input: { sql: 'CREATE TABLE tags (id integer PRIMARY KEY, user_id integer REFERENCES users (id), name text NOT NULL UNIQUE, CHECK (length(name) > 0))' },
      releases: [usersTraffic()],
      seededRows: ['SELECT * FROM users WHERE id <= 2000'],
    });
  });
});
