import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';

describe('drop index on SQLite', () => {
  it('DROP INDEX, brief; the rollback runs its CREATE INDEX text again', async () => {
    const plan = await planChange({ sql: 'DROP INDEX orders_user_idx' }, sqliteSnapshot(3045001));
    expect(plan.steps[0]!.sql).toEqual(['DROP INDEX IF EXISTS "orders_user_idx"']);
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['CREATE INDEX "orders_user_idx" ON "orders" ("user_id")'] });
    expect(plan.steps[0]!.changes).toEqual([{ op: 'drop_index', table: { schema: 'main', name: 'orders' }, index: 'orders_user_idx' }]);
  });
});
