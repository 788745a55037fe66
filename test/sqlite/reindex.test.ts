import { afterEach, describe, expect, it } from 'vitest';
import { planChange, type Step } from '@liveshift/core';
import { openSqlite, sqliteSession } from '@liveshift/runtime';
import Database from 'better-sqlite3';
import { scratchDatabase, startWorkload, tableRows } from './support/sqlite.js';
import { runSqliteStepByStep } from './support/step-by-step.js';

/**
 * reindex on a real file in WAL mode while a second connection reads and writes: one REINDEX step
 * per index, the schema unchanged, the data and the index's answers intact, and, inside the step's
 * write transaction, what the plan claims: another writer is refused (the database write lock),
 * a WAL reader still reads.
 */
const SEED = `
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, qty INTEGER, note TEXT UNIQUE);
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE INDEX orders_qty_idx ON orders (qty) WHERE qty > 3;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO orders (id, user_id, qty, note) SELECT i, 1 + i % 500, 1 + i % 7, 'order ' || i FROM n;
`;
const TRAFFIC = { reads: ['SELECT count(*) FROM orders WHERE user_id = ?'], writes: ['UPDATE orders SET qty = qty WHERE id = ?'], keys: 3000 };

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

describe('SQLite reindex under a concurrent workload (WAL)', () => {
  it('REINDEX TABLE → one REINDEX per named index; writers held back and WAL readers served during each build; schema and answers unchanged', async () => {
    const db = scratchDatabase(SEED);
    cleanups.push(db.cleanup);
    const answers = 'SELECT user_id, count(*) AS n FROM orders INDEXED BY orders_user_idx WHERE user_id BETWEEN 10 AND 20 GROUP BY user_id';
    const before = tableRows(db.path, answers);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    const plan = await planChange({ sql: 'REINDEX TABLE orders' }, await session.introspect());
    expect(plan.steps.map((s) => s.sql)).toEqual([['REINDEX "orders_qty_idx"'], ['REINDEX "orders_user_idx"']]);
    const seen: { step: number; write: string; read: unknown }[] = [];
    const workload = await startWorkload(db.path, TRAFFIC);
    try {
      await runSqliteStepByStep({
        session,
        plan,
        observe: async (step: Step) => {
          const other = new Database(db.path);
          try {
            other.pragma('busy_timeout = 0');
            let write = 'committed';
            try {
              other.prepare('UPDATE orders SET qty = qty WHERE id = 1').run();
            } catch (error) {
              write = (error as { code?: string }).code ?? String(error);
            }
            seen.push({ step: step.n, write, read: other.prepare('SELECT count(*) AS n FROM orders WHERE user_id = 7').get() });
          } finally {
            other.close();
          }
        },
      });
    } finally {
      const failures = await workload.stop();
      expect(failures, 'application queries that failed').toEqual([]);
      await session.close();
    }
    expect(workload.reads()).toBeGreaterThan(0);
    expect(seen).toEqual([
      { step: 1, write: 'SQLITE_BUSY', read: { n: 6 } },
      { step: 2, write: 'SQLITE_BUSY', read: { n: 6 } },
    ]);
    expect(tableRows(db.path, answers)).toBe(before);
    expect(tableRows(db.path, 'PRAGMA integrity_check')).toBe('[{"integrity_check":"ok"}]');
  });
});
