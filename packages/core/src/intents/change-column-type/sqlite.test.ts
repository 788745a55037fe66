import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';

describe('change column type on SQLite', () => {
  it('a rebuild copying through CAST; the rollback is the rebuild back', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ALTER COLUMN qty TYPE text' }, sqliteSnapshot(3045001));
    const step = plan.steps[0]!;
    expect(step.sql).toContain('INSERT INTO "_liveshift_new_orders" (rowid, "id", "user_id", "qty") SELECT rowid, "id", "user_id", CAST("qty" AS TEXT) FROM "orders"');
    expect(step.sql).toContain('CREATE INDEX "orders_user_idx" ON "orders" ("user_id")');
    expect(step.changes).toEqual([{ op: 'set_column_type', table: { schema: 'main', name: 'orders' }, column: 'qty', type: 'TEXT' }]);
    expect(step.rollback.kind === 'sql' && step.rollback.sql).toContain('INSERT INTO "_liveshift_new_orders" (rowid, "id", "user_id", "qty") SELECT rowid, "id", "user_id", CAST("qty" AS INTEGER) FROM "orders"');
  });

  it('USING is the copy expression', async () => {
    const plan = await planChange({ intents: [{ kind: 'change_column_type', table: 'orders', column: 'qty', type: 'REAL', using: 'qty * 1.0' }] }, sqliteSnapshot(3045001));
    expect(plan.steps[0]!.sql.some((s) => s.includes('SELECT rowid, "id", "user_id", qty * 1.0 FROM "orders"'))).toBe(true);
  });
});
