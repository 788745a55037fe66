import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

describe('create index on SQLite', () => {
  it('one write transaction that scans the table (there is no CONCURRENTLY)', async () => {
    const plan = await planChange({ sql: 'CREATE INDEX users_email_idx ON users (email)' }, sqliteSnapshot(3045001));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual(['CREATE INDEX "users_email_idx" ON "users" ("email")']);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'DATABASE WRITE', duration: 'scan', blocksWrites: true, blocksReads: false });
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['DROP INDEX IF EXISTS "users_email_idx"'] });
  });

  it('unique: a duplicate check first, partial predicate kept', async () => {
    const plan = await planChange({ sql: 'CREATE UNIQUE INDEX users_email_key ON users (email) WHERE email IS NOT NULL' }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[0]!.checkpoint?.sql).toBe('SELECT NOT EXISTS (SELECT 1 FROM "users" WHERE email IS NOT NULL GROUP BY "email" HAVING count(*) > 1 AND "email" IS NOT NULL)');
  });

  it('a big table is refused: the build would hold the database write lock throughout', async () => {
    await expect(planChange({ sql: 'CREATE INDEX ON users (email)' }, sqliteSnapshot(3045001, sqliteUsers({ sizeBytes: 1e9 })))).rejects.toThrow(/no online way to do this \(building index users_email_idx\)/);
  });

  it('non-b-tree methods do not exist on SQLite', async () => {
    await expect(planChange({ sql: 'CREATE INDEX ON users USING gin (email)' }, sqliteSnapshot(3045001))).rejects.toThrow(/USING gin does not exist/);
  });
});
