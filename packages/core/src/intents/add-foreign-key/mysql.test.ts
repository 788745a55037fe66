import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlOrdersTable, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

describe('add foreign key on MySQL/MariaDB', () => {
  it('index, orphan check, then ADD with foreign_key_checks = 0 in place; the orphan check again as its checkpoint', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), mysqlOrdersTable()));
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'validate', 'ddl']);
    expect(plan.steps[0]!.sql[0]).toBe('ALTER TABLE `app`.`orders` ADD INDEX `orders_user_id_idx` (`user_id`), ALGORITHM=INPLACE, LOCK=NONE');
    expect(plan.steps[2]!.sql).toEqual([
      'SET SESSION foreign_key_checks = 0',
      'ALTER TABLE `app`.`orders` ADD CONSTRAINT `orders_user_fk` FOREIGN KEY (`user_id`) REFERENCES `app`.`users` (`id`), ALGORITHM=INPLACE, LOCK=NONE',
      'SET SESSION foreign_key_checks = 1',
    ]);
    expect(plan.steps[2]!.checkpoint).toEqual(plan.steps[1]!.checkpoint);
    expect(plan.steps[2]!.lock.tables).toEqual(['app.orders', 'app.users']);
  });

  it('mismatched types are refused (InnoDB error 150)', async () => {
    const orders = mysqlOrdersTable({ columns: [{ name: 'id', type: 'bigint(20)', nullable: false, default: null }, { name: 'user_id', type: 'int(11)', nullable: true, default: null }] });
    await expect(planChange({ sql: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id)' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), orders))).rejects.toThrow(/error 150/);
  });
});
