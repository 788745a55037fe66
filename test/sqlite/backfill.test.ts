import { afterEach, describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, openSqlite, sqliteSession, type BackfillProgress } from '@liveshift/runtime';
import { scratchDatabase, startWorkload, tableRows } from './support/sqlite.js';

/**
 * The SQLite backfill has the PostgreSQL runtime's features: batches by key (one short write
 * transaction each), progress, resumption after a killed run from the cursor saved with the last
 * committed batch, and rows of a table without a declared primary key walked by rowid.
 */
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

const SEED = (table: string) => `
CREATE TABLE ${table};
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) INSERT INTO users (full_name) SELECT 'user ' || i FROM n;
`;

describe('SQLite batched backfill', () => {
  it('reports progress, resumes after an interrupted run where the last batch committed, and fills every row', async () => {
    const db = scratchDatabase(SEED('users (id INTEGER PRIMARY KEY, full_name TEXT)'));
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      const plan = await planChange({ sql: "ALTER TABLE users ADD COLUMN created_at text DEFAULT CURRENT_TIMESTAMP" }, await session.introspect(), { batchSize: 200, pauseMs: 0 });
      const backfill = plan.steps.find((s) => s.kind === 'backfill')!;
      expect(backfill.backfill).toMatchObject({ keyColumns: ['id'], batchSize: 200 });
      await applyPlan(session, plan, { step: 1, log: () => {}, onProgress: false });

      const seen: BackfillProgress[] = [];
      const interrupted = applyPlan(session, plan, {
        step: backfill.n,
        log: () => {},
        onProgress: (p) => {
          seen.push({ ...p });
          if (p.batches === 3) throw new Error('killed after the third batch');
        },
      });
      await expect(interrupted).rejects.toThrow(/killed after the third batch/);
      expect(tableRows(db.path, 'SELECT count(*) AS n FROM users WHERE created_at IS NOT NULL'), 'three batches committed').toBe('[{"n":600}]');
      expect(seen.map((p) => [p.done, p.total, p.updated])).toEqual([
        [200, 2500, 200],
        [400, 2500, 400],
        [600, 2500, 600],
      ]);

      const messages: string[] = [];
      const resumed: BackfillProgress[] = [];
      await applyPlan(session, plan, { step: backfill.n, log: (m) => messages.push(m), onProgress: (p) => resumed.push({ ...p }) });
      expect(messages.join('\n')).toMatch(/running again after an interrupted run/);
      expect(messages.join('\n')).toMatch(/resuming after key \(600\), 600 rows done/);
      expect(resumed[0]).toMatchObject({ done: 800, batches: 4 });
      expect(resumed.at(-1)).toMatchObject({ done: 2500, updated: 2500, batches: 13, finished: true });
      expect(tableRows(db.path, 'SELECT count(*) AS n FROM users WHERE created_at IS NULL')).toBe('[{"n":0}]');
    } finally {
      await session.close();
    }
  });

  it('a table without a declared primary key is walked by rowid, under a writing workload, with no failed query', async () => {
    const db = scratchDatabase(SEED('users (full_name TEXT, nickname TEXT)'), 'delete');
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    const workload = await startWorkload(db.path, { reads: ['SELECT * FROM users WHERE rowid = ?'], writes: ["UPDATE users SET full_name = full_name WHERE rowid = ?"], keys: 2500 });
    try {
      const plan = await planChange({ sql: 'ALTER TABLE users ALTER COLUMN nickname SET NOT NULL' }, await session.introspect(), { batchSize: 250, pauseMs: 5, backfill: "'n/a'" });
      expect(plan.steps.find((s) => s.kind === 'backfill')!.backfill?.keyColumns).toEqual(['rowid']);
      await applyPlan(session, plan, { log: () => {}, onProgress: false, deployed: 'A+1' });
      expect(tableRows(db.path, "SELECT count(*) AS n FROM users WHERE nickname <> 'n/a' OR nickname IS NULL")).toBe('[{"n":0}]');
      expect(tableRows(db.path, "SELECT \"notnull\" FROM pragma_table_info('users') WHERE name = 'nickname'")).toBe('[{"notnull":1}]');
    } finally {
      const failures = await workload.stop();
      expect(failures, 'application queries that failed (rollback-journal mode)').toEqual([]);
      await session.close();
    }
    expect(workload.reads()).toBeGreaterThan(0);
  });
});
