import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlOrdersTable, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

const withIndex = mysqlUsersTable({
  indexes: [
    { name: 'PRIMARY', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: '' },
    { name: 'users_email_idx', columns: ['email'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '' },
  ],
});

describe('drop index on MySQL/MariaDB', () => {
  it('DROP INDEX … ON t: metadata only, rollback rebuilds it in place', async () => {
    const plan = await planChange({ sql: 'DROP INDEX users_email_idx ON users' }, mysqlSnapshot(MARIADB_10_11, withIndex));
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`users` DROP INDEX `users_email_idx`, ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[0]!.rollback).toMatchObject({ sql: ['ALTER TABLE `app`.`users` ADD INDEX `users_email_idx` (`email`), ALGORITHM=INPLACE, LOCK=NONE'] });
  });

  it('the only index a foreign key uses is refused (error 1553)', async () => {
    const orders = mysqlOrdersTable({
      indexes: [...mysqlOrdersTable().indexes, { name: 'orders_user_id_idx', columns: ['user_id'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '' }],
      constraints: [...mysqlOrdersTable().constraints, { name: 'orders_user_fk', type: 'foreign_key', columns: ['user_id'], definition: '', validated: true, references: { table: 'app.users', columns: ['id'] } }],
    });
    await expect(planChange({ sql: 'DROP INDEX orders_user_id_idx ON orders' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), orders))).rejects.toThrow(/error 1553/);
  });
});
