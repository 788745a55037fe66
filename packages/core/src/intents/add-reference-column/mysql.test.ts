import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlOrdersTable, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

describe('add reference column on MySQL/MariaDB', () => {
  it('the column (instant), its index in place, the orphan check, the key added in place with foreign_key_checks = 0', async () => {
    const plan = await planChange(
      { intents: [{ kind: 'add_reference_column', table: 'orders', column: { name: 'buyer_id', type: 'bigint(20)' }, references: { table: 'users' }, onDelete: 'set null' }] },
      mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), mysqlOrdersTable()),
    );
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'ddl', 'validate', 'ddl']);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`orders` ADD COLUMN `buyer_id` bigint(20) NULL, ALGORITHM=INSTANT, LOCK=NONE']);
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE `app`.`orders` ADD INDEX `orders_buyer_id_idx` (`buyer_id`), ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[3]!.sql[1]).toBe('ALTER TABLE `app`.`orders` ADD CONSTRAINT `orders_buyer_id_fkey` FOREIGN KEY (`buyer_id`) REFERENCES `app`.`users` (`id`) ON DELETE SET NULL, ALGORITHM=INPLACE, LOCK=NONE');
  });

  it('a type that does not match the referenced key is refused before any step; the inline SQL form points to the two statements', async () => {
    const snap = mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), mysqlOrdersTable());
    await expect(planChange({ intents: [{ kind: 'add_reference_column', table: 'orders', column: { name: 'buyer_id', type: 'int' }, references: { table: 'users' } }] }, snap)).rejects.toThrow(/error 150/);
    await expect(planChange({ sql: 'ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id)' }, snap)).rejects.toThrow(/silently ignore it.*two statements/);
  });
});
