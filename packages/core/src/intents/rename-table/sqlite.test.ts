import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

describe('rename table on SQLite', () => {
  it('RENAME TO with a read-only view under the old name, and the plain truth about writes', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users RENAME TO members' }, sqliteSnapshot(3045001));
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "users" RENAME TO "members"', 'CREATE VIEW "users" AS SELECT * FROM "members"']);
    expect(plan.warnings.join(' ')).toMatch(/no online path.*writes that use the old name fail/);
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'app', 'ddl']);
  });

  it('an unnamed constraint is known by a name derived from the table, which follows the rename', async () => {
    const users = sqliteUsers({ definition: 'CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, full_name TEXT, email TEXT)' });
    const plan = await planChange({ intents: [{ kind: 'rename_table', table: 'users', to: 'members', via: 'app' }] }, sqliteSnapshot(3045001, users));
    expect(plan.steps[0]!.changes.map((c) => c.op)).toEqual(['rename_table', 'drop_constraint', 'add_constraint']);
  });
});
