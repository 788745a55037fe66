import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

const users = sqliteUsers({ columns: [{ name: 'id', type: 'INTEGER', nullable: false, default: null }, { name: 'email', type: 'TEXT', nullable: false, default: null }] });

describe('drop NOT NULL on SQLite', () => {
  it('a rebuild with the column nullable; the rollback is the rebuild back', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL' }, sqliteSnapshot(3045001, users));
    expect(plan.steps[0]!.sql[2]).toBe('CREATE TABLE "_liveshift_new_users" ("id" INTEGER NOT NULL, "email" TEXT, CONSTRAINT "users_pkey" PRIMARY KEY ("id"))');
    const rollback = plan.steps[0]!.rollback;
    expect(rollback.kind === 'sql' && rollback.sql[2]).toBe('CREATE TABLE "_liveshift_new_users" ("id" INTEGER NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "users_pkey" PRIMARY KEY ("id"))');
  });

  it('a primary key column is refused', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ALTER COLUMN id DROP NOT NULL' }, sqliteSnapshot(3045001, users))).rejects.toThrow(/part of the primary key/);
  });
});
