import { afterEach, describe, expect, it } from 'vitest';
import { planChange, type Plan, type Step } from '@liveshift/core';
import { applyPlan, openSqlite, sqliteSession, type ApplyOptions } from '@liveshift/runtime';
import Database from 'better-sqlite3';
import { scratchDatabase, sleep, startWorkload, tableRows } from './support/sqlite.js';
import { runSqliteStepByStep } from './support/step-by-step.js';

/**
 * The 12-step table rebuild on a table that is a foreign-key child (orders → customers) and parent
 * (order_items → orders), with a plain, an expression and a partial index, a trigger on it, a
 * trigger on its child that writes elsewhere, a view over it and a COLLATE NOCASE column: after
 * the rebuild (and after its rollback, the rebuild back) every one of them is there and works,
 * the rows are the same, and in WAL mode a reader kept reading during the rebuild's write
 * transaction while writers waited.
 */
const SCHEMA = `
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  qty INTEGER NOT NULL DEFAULT 1,
  status TEXT COLLATE NOCASE,
  updated_at TEXT,
  CONSTRAINT orders_status_known CHECK (status IN ('new', 'paid', 'shipped'))
);
CREATE TABLE order_items (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE, sku TEXT);
CREATE TABLE audit (order_id INTEGER, note TEXT);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_status_lower ON orders (lower(status)) WHERE status <> 'shipped';
CREATE TRIGGER orders_touch AFTER UPDATE OF qty ON orders BEGIN UPDATE orders SET updated_at = 'touched' WHERE id = NEW.id; END;
CREATE TRIGGER order_items_audit AFTER INSERT ON order_items BEGIN INSERT INTO audit VALUES (NEW.order_id, 'item'); END;
CREATE VIEW order_sizes AS SELECT o.id, count(i.id) AS items FROM orders o LEFT JOIN order_items i ON i.order_id = o.id GROUP BY o.id;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO customers SELECT i, 'customer ' || i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO orders (id, customer_id, qty, status) SELECT i, 1 + i % 300, 1 + i % 5, CASE i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' ELSE 'shipped' END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) INSERT INTO order_items (order_id, sku) SELECT 1 + i % 3000, 'sku-' || i FROM n;
`;

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function schemaObjects(path: string): string {
  // everything but the rebuilt table's own CREATE TABLE text (liveshift writes it out anew) and liveshift's state tables
  return tableRows(path, "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE NOT (type = 'table' AND name = 'orders') AND tbl_name NOT LIKE 'liveshift%' ORDER BY type, name");
}

describe('SQLite table rebuild', () => {
  it('keeps indexes, triggers, foreign keys (child and parent), the view and COLLATE; readers go on in WAL mode while writers wait', async () => {
    const db = scratchDatabase(SCHEMA, 'wal');
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    const objectsBefore = schemaObjects(db.path);
    const rows = () => [tableRows(db.path, 'SELECT * FROM orders ORDER BY id'), tableRows(db.path, 'SELECT * FROM order_items ORDER BY id'), tableRows(db.path, 'SELECT count(*) FROM audit')];
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD CONSTRAINT orders_qty_positive CHECK (qty > 0)' }, await session.introspect());
    const rebuild = plan.steps.find((s) => s.sql.includes('BEGIN IMMEDIATE'))!;
    expect(rebuild.lock).toMatchObject({ mode: 'DATABASE WRITE', blocksReads: false, blocksWrites: true, duration: 'rewrite' });
    expect(rebuild.caveats.join(' ')).toMatch(/In WAL mode readers keep reading.*rollback-journal mode.*readers are also held back/);
    const rowsBefore = rows();

    // reads of the rebuilt table and its view; no writes, so the row comparison below is exact
    const workload = await startWorkload(db.path, { reads: ['SELECT * FROM orders WHERE id = ?', 'SELECT items FROM order_sizes WHERE id = ?'], writes: [], keys: 3000 });
    const writer = await startWorkload(db.path, { reads: [], writes: ['UPDATE customers SET name = name WHERE id = ?'], keys: 300 });
    const during: { reads: number; writes: number }[] = [];
    try {
      await runSqliteStepByStep({
        session,
        plan,
        observe: async (step: Step) => {
          if (step.n !== rebuild.n) return;
          // the rebuild's write transaction is open, its copy done: for 300 ms, who gets through?
          // (a write that committed just before the lock may still be counting itself: let it)
          await sleep(50);
          const [r0, w0] = [workload.reads(), writer.writes()];
          await sleep(300);
          during.push({ reads: workload.reads() - r0, writes: writer.writes() - w0 });
        },
      });
    } finally {
      const failures = [...(await workload.stop()), ...(await writer.stop())];
      expect(failures, 'application queries that failed').toEqual([]);
      await session.close();
    }
    expect(during, 'observed once, inside the rebuild transaction').toHaveLength(1);
    expect(during[0]!.reads, 'WAL: readers kept reading during the rebuild').toBeGreaterThan(0);
    expect(during[0]!.writes, 'the database write lock held writers back').toBe(0);

    expect(rows(), 'rows of orders, order_items, audit').toEqual(rowsBefore);
    expect(schemaObjects(db.path), 'indexes, triggers, the view and the other tables, as they were').toEqual(objectsBefore);

    const check = new Database(db.path);
    try {
      check.pragma('foreign_keys = ON');
      expect(() => check.prepare('INSERT INTO orders (customer_id, qty, status) VALUES (999999, 1, ?)').run('new'), 'orders → customers enforced').toThrow(/FOREIGN KEY/);
      expect(() => check.prepare('INSERT INTO orders (customer_id, qty, status) VALUES (1, 0, ?)').run('new'), 'the new CHECK').toThrow(/CHECK constraint failed/);
      expect(() => check.prepare('INSERT INTO orders (customer_id, qty, status) VALUES (1, 1, ?)').run('lost'), 'the old CHECK').toThrow(/CHECK constraint failed/);
      expect(() => check.prepare('INSERT INTO order_items (order_id, sku) VALUES (999999, ?)').run('x'), 'order_items → orders enforced').toThrow(/FOREIGN KEY/);
      check.prepare('UPDATE orders SET qty = qty + 1 WHERE id = 1').run();
      expect(check.prepare('SELECT updated_at FROM orders WHERE id = 1').pluck().get(), 'trigger on orders').toBe('touched');
      expect(check.prepare("SELECT count(*) FROM orders WHERE status = 'NEW'").pluck().get(), 'COLLATE NOCASE kept').toBe(1000);
      const items = check.prepare('SELECT count(*) FROM order_items WHERE order_id = 2').pluck().get() as number;
      expect(items).toBeGreaterThan(0);
      check.prepare('DELETE FROM orders WHERE id = 2').run();
      expect(check.prepare('SELECT count(*) FROM order_items WHERE order_id = 2').pluck().get(), 'ON DELETE CASCADE from orders').toBe(0);
      check.prepare('DELETE FROM customers WHERE id = 5').run();
      expect(check.prepare('SELECT count(*) FROM orders WHERE customer_id = 5').pluck().get(), 'ON DELETE CASCADE to orders').toBe(0);
      expect(check.prepare('SELECT items FROM order_sizes WHERE id = 3').pluck().get(), 'the view').toBeGreaterThan(0);
      expect(check.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    } finally {
      check.close();
    }
  });

  it('a row that breaks a foreign key written after the orphan check: foreign_key_check fails the rebuild, which rolls back whole', async () => {
    const db = scratchDatabase(`${SCHEMA}\nCREATE TABLE notes (id INTEGER PRIMARY KEY, order_ref INTEGER, body TEXT); INSERT INTO notes (order_ref, body) VALUES (1, 'a'), (2, 'b');`);
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      const plan: Plan = await planChange({ sql: 'ALTER TABLE notes ADD CONSTRAINT notes_order_fk FOREIGN KEY (order_ref) REFERENCES orders (id)' }, await session.introspect());
      const quiet: ApplyOptions = { log: () => {}, onProgress: false };
      await applyPlan(session, plan, { step: 1, ...quiet });
      const before = schemaObjects(db.path) + tableRows(db.path, "SELECT sql FROM sqlite_schema WHERE name = 'notes'");
      session.db.prepare("INSERT INTO notes (order_ref, body) VALUES (424242, 'orphan')").run();
      await expect(applyPlan(session, plan, { step: 2, ...quiet })).rejects.toThrow(/foreign_key_check found 1 row.*rolled back, nothing changed/s);
      expect(schemaObjects(db.path) + tableRows(db.path, "SELECT sql FROM sqlite_schema WHERE name = 'notes'"), 'schema unchanged').toBe(before);
      expect(tableRows(db.path, 'SELECT count(*) AS n FROM notes')).toBe('[{"n":3}]');
      expect(session.db.pragma('foreign_keys', { simple: true }), 'foreign_keys restored on the connection').toBe(1);
    } finally {
      await session.close();
    }
  });

  it('a rebuild that would break a view (it drops a column the view selects) rolls back instead of leaving the view broken', async () => {
    const db = scratchDatabase(`${SCHEMA}\nCREATE VIEW order_statuses AS SELECT id, status FROM orders;`);
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      // status is in an index, so the column goes by rebuild, not by DROP COLUMN (which would check views itself)
      const plan = await planChange({ sql: 'ALTER TABLE orders DROP COLUMN status' }, await session.introspect());
      const drop = plan.steps.at(-1)!;
      expect(drop.sql).toContain('BEGIN IMMEDIATE');
      const before = schemaObjects(db.path) + tableRows(db.path, "SELECT sql FROM sqlite_schema WHERE name = 'orders'");
      const quiet: ApplyOptions = { log: () => {}, onProgress: false };
      await expect(applyPlan(session, plan, { ...quiet, deployed: drop.deploy })).rejects.toThrow(/view order_statuses no longer works after the rebuild.*no such column: status.*rolled back, nothing changed/s);
      expect(schemaObjects(db.path) + tableRows(db.path, "SELECT sql FROM sqlite_schema WHERE name = 'orders'"), 'schema unchanged').toBe(before);
      expect(tableRows(db.path, 'SELECT count(*) AS n FROM order_statuses')).toBe('[{"n":3000}]');
    } finally {
      await session.close();
    }
  });

  it('keeps STRICT and WITHOUT ROWID through a rebuild, and its rollback', async () => {
    const db = scratchDatabase(`CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL) STRICT, WITHOUT ROWID;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) INSERT INTO kv SELECT 'k' || i, i FROM n;`);
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    const rowsBefore = tableRows(db.path, 'SELECT * FROM kv ORDER BY k');
    try {
      const plan = await planChange({ sql: 'ALTER TABLE kv ADD CONSTRAINT kv_v_positive CHECK (v > 0)' }, await session.introspect());
      expect(plan.steps[1]!.sql.join('\n')).not.toContain('rowid');
      await runSqliteStepByStep({ session, plan });
    } finally {
      await session.close();
    }
    expect(tableRows(db.path, "SELECT strict, wr FROM pragma_table_list('kv')")).toBe('[{"strict":1,"wr":1}]');
    expect(tableRows(db.path, 'SELECT * FROM kv ORDER BY k')).toEqual(rowsBefore);
  });

  it('refuses a rebuild of a table above the small-table threshold, saying there is no online path and how to accept the pause', async () => {
    const db = scratchDatabase(SCHEMA);
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      const snapshot = await session.introspect();
      await expect(planChange({ sql: 'ALTER TABLE orders ALTER COLUMN qty TYPE text' }, snapshot, { smallTableBytes: 1000 })).rejects.toThrow(/SQLite has no online way to do this.*database-wide write lock.*--small-table-bytes/s);
    } finally {
      await session.close();
    }
  });
});
