import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteOrders, sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

describe('drop column on SQLite', () => {
  it('3.35+: the application stops using it, then ALTER TABLE … DROP COLUMN, the point of no return', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, sqliteSnapshot(3035000));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['app@A+1', 'ddl@A+2']);
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE "users" DROP COLUMN "email"']);
    expect(plan.steps[1]!.lock.duration).toBe('rewrite');
    expect(plan.pointOfNoReturn?.step).toBe(2);
  });

  it('before 3.35: a table rebuild without the column', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, sqliteSnapshot(3034001));
    expect(plan.steps[1]!.transactional).toBe(false);
    expect(plan.steps[1]!.sql).toContain('CREATE TABLE "_liveshift_new_users" ("id" INTEGER NOT NULL, "full_name" TEXT, CONSTRAINT "users_pkey" PRIMARY KEY ("id"))');
  });

  it('an indexed column (DROP COLUMN refuses it): a rebuild that leaves the index out and keeps the trigger', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders DROP COLUMN user_id' }, sqliteSnapshot(3045001, sqliteUsers(), sqliteOrders()));
    const sql = plan.steps[1]!.sql;
    expect(sql.some((s) => s.includes('orders_user_idx'))).toBe(false);
    expect(sql).toContain('CREATE TRIGGER "orders_touch" AFTER UPDATE ON "orders" BEGIN SELECT 1; END');
  });

  it('NOT NULL without a default: first made nullable, so the next release can insert without it', async () => {
    const users = sqliteUsers({ columns: [{ name: 'id', type: 'INTEGER', nullable: false, default: null }, { name: 'email', type: 'TEXT', nullable: false, default: null }] });
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, sqliteSnapshot(3045001, users));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'app@A+1', 'ddl@A+2']);
    expect(plan.steps[0]!.changes).toEqual([{ op: 'set_nullable', table: { schema: 'main', name: 'users' }, column: 'email', nullable: true }]);
  });

  it('a column another table references is refused', async () => {
    const orders = sqliteOrders({ constraints: [{ name: 'orders_user_fk', type: 'foreign_key', columns: ['user_id'], definition: '', validated: true, references: { table: 'main.users', columns: ['email'] } }] });
    await expect(planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, sqliteSnapshot(3045001, sqliteUsers(), orders))).rejects.toThrow(/referenced by foreign key orders_user_fk/);
  });
});
