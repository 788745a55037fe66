import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteOrders, sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

describe('drop constraint on SQLite', () => {
  const orders = sqliteOrders({
    constraints: [
      { name: 'orders_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY ("id")', validated: true, references: null },
      { name: 'orders_qty_check', type: 'check', columns: ['qty'], definition: 'CHECK (qty > 0)', validated: true, references: null },
    ],
  });

  it('a rebuild without it', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders DROP CONSTRAINT orders_qty_check' }, sqliteSnapshot(3045001, sqliteUsers(), orders));
    expect(plan.steps[0]!.sql.join('\n')).not.toContain('orders_qty_check');
    const rollback = plan.steps[0]!.rollback;
    expect(rollback.kind === 'sql' && rollback.sql[2]).toContain('CONSTRAINT "orders_qty_check" CHECK (qty > 0)');
  });

  it('the primary key is refused; an unknown name lists the constraints', async () => {
    await expect(planChange({ sql: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey' }, sqliteSnapshot(3045001, sqliteUsers(), orders))).rejects.toThrow(/primary key/);
    await expect(planChange({ sql: 'ALTER TABLE orders DROP CONSTRAINT nope' }, sqliteSnapshot(3045001, sqliteUsers(), orders))).rejects.toThrow(/constraints: orders_pkey, orders_qty_check/);
  });
});
