import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';

describe('add CHECK on SQLite', () => {
  it('a violation check, then a rebuild writing the named constraint', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD CHECK (qty > 0)' }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[0]!.checkpoint?.sql).toBe('SELECT NOT EXISTS (SELECT 1 FROM "orders" WHERE NOT (qty > 0))');
    expect(plan.steps[1]!.changes).toEqual([
      { op: 'add_constraint', table: { schema: 'main', name: 'orders' }, constraint: { name: 'orders_qty_check', type: 'check', columns: ['qty'], definition: 'CHECK (qty > 0)', validated: true, references: null } },
    ]);
  });
});
