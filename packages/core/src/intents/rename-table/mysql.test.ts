import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlOrdersTable, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

describe('rename table on MySQL/MariaDB', () => {
  it('via a view (default): a MERGE view under the new name, the application moves, one atomic RENAME TABLE swaps view and table, the leftover view goes', async () => {
    const plan = await planChange({ sql: 'RENAME TABLE users TO people' }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'app@A+1', 'ddl@A+2', 'ddl@A+2']);
    expect(plan.steps[0]!.sql).toEqual(['CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `app`.`people` AS SELECT * FROM `app`.`users`']);
    expect(plan.steps[2]!.sql).toEqual(['RENAME TABLE `app`.`people` TO `app`.`liveshift_old_people`, `app`.`users` TO `app`.`people`']);
    expect(plan.steps[2]!.rollback).toMatchObject({ kind: 'sql', sql: ['RENAME TABLE `app`.`people` TO `app`.`users`, `app`.`liveshift_old_people` TO `app`.`people`'] });
    expect(plan.steps[2]!.lock).toMatchObject({ mode: 'LOCK=EXCLUSIVE', duration: 'brief', tables: ['app.users', 'app.people'] });
    expect(plan.steps[3]!.sql).toEqual(['DROP VIEW `app`.`liveshift_old_people`']);
    expect(plan.pointOfNoReturn).toBeNull();
  });

  it('via app, from ALTER TABLE … RENAME TO: the application copes with both names, a plain RENAME TABLE, then the fallback goes', async () => {
    const plan = await planChange({ intents: [{ kind: 'rename_table', table: 'users', to: 'people', via: 'app' }] }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps.map((s) => s.kind)).toEqual(['app', 'ddl', 'app']);
    expect(plan.steps[1]!.sql).toEqual(['RENAME TABLE `app`.`users` TO `app`.`people`']);
    const fromAlter = await planChange({ sql: 'ALTER TABLE users RENAME TO people' }, mysqlSnapshot(MARIADB_10_11));
    expect(fromAlter.intents).toMatchObject([{ kind: 'rename_table', to: 'people' }]);
  });

  it('a taken name, and a move to another database, are refused', async () => {
    await expect(planChange({ sql: 'RENAME TABLE users TO orders' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), mysqlOrdersTable()))).rejects.toThrow(/a table named "orders" already exists/);
    await expect(planChange({ sql: 'RENAME TABLE app.users TO other.users' }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/another database/);
  });
});
