import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, MYSQL_8_0_36, mysqlOrdersTable, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

const fk = { name: 'orders_user_fk', type: 'foreign_key' as const, columns: ['user_id'], definition: 'FOREIGN KEY (user_id) REFERENCES app.users (id) ON DELETE CASCADE ON UPDATE RESTRICT', validated: true, references: { table: 'app.users', columns: ['id'] } };
const check = { name: 'orders_total_check', type: 'check' as const, columns: ['total'], definition: 'CHECK (`total` >= 0)', validated: true, references: null };
const orders = mysqlOrdersTable({
  constraints: [...mysqlOrdersTable().constraints, fk, check],
  indexes: [...mysqlOrdersTable().indexes, { name: 'orders_user_fk', columns: ['user_id'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '' }],
});

describe('drop constraint on MySQL/MariaDB', () => {
  it('foreign key: DROP FOREIGN KEY, INSTANT on MariaDB; rollback re-adds it in place with foreign_key_checks = 0, keeping its actions', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders DROP FOREIGN KEY orders_user_fk' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), orders));
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`orders` DROP FOREIGN KEY `orders_user_fk`, ALGORITHM=INSTANT, LOCK=NONE']);
    expect(plan.steps[0]!.lock.tables).toEqual(['app.orders', 'app.users']);
    expect(plan.steps[0]!.rollback).toMatchObject({
      kind: 'sql',
      sql: ['SET SESSION foreign_key_checks = 0', 'ALTER TABLE `app`.`orders` ADD CONSTRAINT `orders_user_fk` FOREIGN KEY (`user_id`) REFERENCES `app`.`users` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT, ALGORITHM=INPLACE, LOCK=NONE', 'SET SESSION foreign_key_checks = 1'],
    });
  });

  it('MySQL: foreign key dropped in place (the manual lists no instant drop); CHECK with DROP CHECK', async () => {
    const snap = mysqlSnapshot(MYSQL_8_0_36, mysqlUsersTable(), orders);
    expect((await planChange({ intents: [{ kind: 'drop_constraint', table: 'orders', name: 'orders_user_fk' }] }, snap)).steps[0]!.sql[0]).toMatch(/DROP FOREIGN KEY `orders_user_fk`, ALGORITHM=INPLACE, LOCK=NONE$/);
    expect((await planChange({ intents: [{ kind: 'drop_constraint', table: 'orders', name: 'orders_total_check' }] }, snap)).steps[0]!.sql[0]).toBe('ALTER TABLE `app`.`orders` DROP CHECK `orders_total_check`, ALGORITHM=INPLACE, LOCK=NONE');
  });

  it('CHECK on MariaDB: instant DROP CONSTRAINT, the point of no return (re-adding it has no online path)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders DROP CONSTRAINT orders_total_check' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), orders));
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`orders` DROP CONSTRAINT `orders_total_check`, ALGORITHM=INSTANT, LOCK=NONE']);
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'irreversible' });
    expect(plan.pointOfNoReturn?.step).toBe(1);
  });

  it('UNIQUE is dropped as its index; a unique key another table references and the primary key are refused', async () => {
    const users = mysqlUsersTable({
      indexes: [...mysqlUsersTable().indexes, { name: 'users_email_key', columns: ['email'], unique: true, primary: false, valid: true, predicate: null, method: 'btree', definition: '' }],
      constraints: [...mysqlUsersTable().constraints, { name: 'users_email_key', type: 'unique', columns: ['email'], definition: 'UNIQUE (email)', validated: true, references: null }],
    });
    const plan = await planChange({ intents: [{ kind: 'drop_constraint', table: 'users', name: 'users_email_key' }] }, mysqlSnapshot(MARIADB_10_11, users));
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`users` DROP INDEX `users_email_key`, ALGORITHM=INPLACE, LOCK=NONE']);
    const byEmail = mysqlOrdersTable({ constraints: [...mysqlOrdersTable().constraints, { ...fk, name: 'orders_email_fk', references: { table: 'app.users', columns: ['email'] } }] });
    await expect(planChange({ intents: [{ kind: 'drop_constraint', table: 'users', name: 'users_email_key' }] }, mysqlSnapshot(MARIADB_10_11, users, byEmail))).rejects.toThrow(/orders_email_fk .* drop that foreign key first/);
    await expect(planChange({ intents: [{ kind: 'drop_constraint', table: 'users', name: 'PRIMARY' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/primary key .* not planned/);
    await expect(planChange({ intents: [{ kind: 'drop_constraint', table: 'users', name: 'nope' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/does not exist on app.users \(constraints: PRIMARY\)/);
  });
});
