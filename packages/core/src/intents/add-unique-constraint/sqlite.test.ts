import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';

describe('add unique constraint on SQLite', () => {
  it('a duplicate check, then a rebuild with the named constraint', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD UNIQUE (email)' }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[1]!.sql[2]).toContain('CONSTRAINT "users_email_key" UNIQUE ("email")');
  });
});
