import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';

describe('set NOT NULL on SQLite', () => {
  it('the application writes it, NULLs filled, a check, then a rebuild (no ALTER COLUMN before 3.53)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' }, sqliteSnapshot(3045001), { backfill: "''" });
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['app@A+1', 'backfill@A+1', 'validate@A+1', 'ddl@A+1']);
    expect(plan.steps[3]!.sql[2]).toBe('CREATE TABLE "_liveshift_new_users" ("id" INTEGER NOT NULL, "full_name" TEXT, "email" TEXT NOT NULL, CONSTRAINT "users_pkey" PRIMARY KEY ("id"))');
    expect(plan.steps[3]!.rollback).toMatchObject({ kind: 'sql', transactional: false });
  });

  it('without a value the check alone stands between the rebuild and NULL rows', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => s.kind)).toEqual(['app', 'validate', 'ddl']);
  });

  it('an already NOT NULL column is refused', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ALTER COLUMN id SET NOT NULL' }, sqliteSnapshot(3045001))).rejects.toThrow(/already NOT NULL/);
  });
});
