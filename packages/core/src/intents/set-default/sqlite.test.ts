import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';

describe('set default on SQLite', () => {
  it('a rebuild writing the new default into the column definition', async () => {
    const plan = await planChange({ sql: "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'none'" }, sqliteSnapshot(3045001));
    expect(plan.steps[0]!.sql[2]).toBe(`CREATE TABLE "_liveshift_new_users" ("id" INTEGER NOT NULL, "full_name" TEXT, "email" TEXT DEFAULT 'none', CONSTRAINT "users_pkey" PRIMARY KEY ("id"))`);
    expect(plan.steps[0]!.changes).toEqual([{ op: 'set_default', table: { schema: 'main', name: 'users' }, column: 'email', default: "'none'" }]);
  });
});
