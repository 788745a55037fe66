import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteOrders, sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

describe('drop table on SQLite', () => {
  it('the application stops using it, then DROP TABLE, the point of no return', async () => {
    const plan = await planChange({ sql: 'DROP TABLE orders' }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['app@A+1', 'ddl@A+1']);
    expect(plan.pointOfNoReturn?.step).toBe(2);
  });

  it('a table another table references is refused', async () => {
    const orders = sqliteOrders({ constraints: [{ name: 'orders_user_fk', type: 'foreign_key', columns: ['user_id'], definition: '', validated: true, references: { table: 'main.users', columns: ['id'] } }] });
    await expect(planChange({ sql: 'DROP TABLE users' }, sqliteSnapshot(3045001, sqliteUsers(), orders))).rejects.toThrow(/referenced by foreign key orders_user_fk/);
  });
});
