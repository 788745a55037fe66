import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, MYSQL_8_0_29, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

describe('drop column on MySQL/MariaDB', () => {
  it('the application stops using it first; then an instant DROP COLUMN, the point of no return', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['app@A+1', 'ddl@A+2']);
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE `app`.`users` DROP COLUMN `email`, ALGORITHM=INSTANT, LOCK=NONE']);
    expect(plan.pointOfNoReturn?.step).toBe(2);
  });

  it('MySQL 8.0.29: INPLACE instead of the defective instant drop', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, mysqlSnapshot(MYSQL_8_0_29));
    expect(plan.steps[1]!.sql[0]).toMatch(/ALGORITHM=INPLACE, LOCK=NONE$/);
  });

  it('NOT NULL without default: made nullable first, or inserts of the new release would fail', async () => {
    const table = mysqlUsersTable({ columns: [...mysqlUsersTable().columns, { name: 'legacy', type: 'int(11)', nullable: false, default: null }] });
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN legacy' }, mysqlSnapshot(MARIADB_10_11, table));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl', 'app', 'ddl']);
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE `app`.`users` MODIFY `legacy` int(11) NULL, ALGORITHM=INPLACE, LOCK=NONE']);
  });

  it('a column shared with other columns in an index is refused (the server would narrow the index)', async () => {
    const table = mysqlUsersTable({ indexes: [...mysqlUsersTable().indexes, { name: 'users_name_email', columns: ['full_name', 'email'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '' }] });
    await expect(planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, mysqlSnapshot(MARIADB_10_11, table))).rejects.toThrow(/narrow that index/);
  });
});
