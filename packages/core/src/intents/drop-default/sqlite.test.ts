import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

describe('drop default on SQLite', () => {
  it('a rebuild without the default; NOT NULL columns warn that inserts leaving it out fail', async () => {
    const users = sqliteUsers({ columns: [{ name: 'id', type: 'INTEGER', nullable: false, default: null }, { name: 'country', type: 'TEXT', nullable: false, default: "'fr'" }] });
    const plan = await planChange({ sql: 'ALTER TABLE users ALTER COLUMN country DROP DEFAULT' }, sqliteSnapshot(3045001, users));
    expect(plan.steps[0]!.sql[2]).toBe('CREATE TABLE "_liveshift_new_users" ("id" INTEGER NOT NULL, "country" TEXT NOT NULL, CONSTRAINT "users_pkey" PRIMARY KEY ("id"))');
    expect(plan.steps[0]!.caveats[0]).toMatch(/an INSERT that leaves it out fails/);
  });

  it('no default: refused', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ALTER COLUMN email DROP DEFAULT' }, sqliteSnapshot(3045001))).rejects.toThrow(/has no default/);
  });
});
