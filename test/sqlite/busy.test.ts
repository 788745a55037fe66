import { afterEach, describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, LiveshiftError, openSqlite, planId, sqliteSession } from '@liveshift/runtime';
import { holdWriteLock, scratchDatabase, tableRows } from './support/sqlite.js';

/**
 * A DDL step behind another connection's open write transaction: SQLite makes it wait busy_timeout,
 * then SQLITE_BUSY; the runner rolls back, backs off and tries again, and the step succeeds once the
 * blocker commits. With a budget too small for the blocker, it gives up with nothing changed.
 */
const SCHEMA = `
CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT);
CREATE TABLE events (id INTEGER PRIMARY KEY, note TEXT);
INSERT INTO users (full_name) VALUES ('a'), ('b');
`;

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

describe('SQLite bounded lock waits', () => {
  it('waits within busy_timeout, retries with backoff, and succeeds after the blocker commits', async () => {
    const db = scratchDatabase(SCHEMA);
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname text' }, await session.introspect(), { lockTimeoutMs: 200, retries: 20 });
      const blocker = await holdWriteLock(db.path, "INSERT INTO events (note) VALUES ('long write')", 1500);
      const messages: string[] = [];
      // the step itself, as the runner executes it (the runner's own state writes would otherwise queue first)
      await session.executeDatabaseStep(plan.steps[0]!, { planId: 'busy-test', log: (m) => messages.push(m), resumeFrom: { cursor: null, upperKey: null } });
      const finished = Date.now();
      const committedAt = await blocker.committed;
      expect(messages.some((m) => /database busy after busy_timeout 200ms \(attempt 1 of 21\); retrying in \d+ms/.test(m)), messages.join('\n')).toBe(true);
      expect(finished, 'the step finished only after the blocker committed').toBeGreaterThanOrEqual(committedAt);
      expect(tableRows(db.path, "SELECT count(*) AS n FROM pragma_table_xinfo('users') WHERE name = 'nickname'")).toBe('[{"n":1}]');
      expect(tableRows(db.path, 'SELECT count(*) AS n FROM events')).toBe('[{"n":1}]');
    } finally {
      await session.close();
    }
  });

  it('gives up when the budget runs out, saying so, with nothing changed', async () => {
    const db = scratchDatabase(SCHEMA);
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname text' }, await session.introspect(), { lockTimeoutMs: 100, retries: 1 });
      const blocker = await holdWriteLock(db.path, "INSERT INTO events (note) VALUES ('long write')", 3000);
      const error = await session.executeDatabaseStep(plan.steps[0]!, { planId: 'busy-test', log: () => {}, resumeFrom: { cursor: null, upperKey: null } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LiveshiftError);
      expect((error as LiveshiftError).message).toMatch(/could not take the database write lock within the budget: 2 attempts of busy_timeout 100ms.*nothing was left half-done/s);
      expect(tableRows(db.path, "SELECT count(*) AS n FROM pragma_table_xinfo('users') WHERE name = 'nickname'")).toBe('[{"n":0}]');
      await blocker.committed;
      // and once the blocker is gone, the whole run goes through the runner
      await applyPlan(session, plan, { log: () => {}, onProgress: false });
      expect(tableRows(db.path, "SELECT count(*) AS n FROM pragma_table_xinfo('users') WHERE name = 'nickname'")).toBe('[{"n":1}]');
    } finally {
      await session.close();
    }
  });

  it('a second runner of the same plan is kept out by the plan lock, told who holds it and how to clear a stale one', async () => {
    const db = scratchDatabase(SCHEMA);
    cleanups.push(db.cleanup);
    const first = sqliteSession(openSqlite(db.url), { owned: true });
    const second = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname text' }, await first.introspect());
      await first.ensureStateTable();
      await first.withPlanLock(planId(plan), async () => {
        const error = await applyPlan(second, plan, { log: () => {}, onProgress: false }).catch((e: unknown) => e);
        expect((error as Error).message).toMatch(new RegExp(`another liveshift runner is running this plan on this database \\(pid ${process.pid} on .*DELETE FROM liveshift_plan_lock WHERE plan_id = '${planId(plan)}'`));
      });
      // released: now it runs
      await applyPlan(second, plan, { log: () => {}, onProgress: false });
      expect(tableRows(db.path, "SELECT count(*) AS n FROM pragma_table_xinfo('users') WHERE name = 'nickname'")).toBe('[{"n":1}]');
    } finally {
      await first.close();
      await second.close();
    }
  });
});
