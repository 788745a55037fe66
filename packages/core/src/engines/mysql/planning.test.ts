import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { planViolations } from '../../plan/invariants.js';
import { MARIADB_10_11, MYSQL_8_0_36, mysqlSnapshot, mysqlUsersTable } from '../../intents/mysql-fixtures.test-support.js';
import { mysqlType } from './column-type.js';

describe('MySQL/MariaDB planning', () => {
  it('an intent with no MySQL/MariaDB plan gets a PlanningError naming the plans that exist', async () => {
    await expect(planChange({ intents: [{ kind: 'drop_table', table: 'users' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/drop_table is not planned on MySQL\/MariaDB yet.*add_column, rename_column, create_index/s);
    await expect(planChange({ sql: 'RENAME TABLE users TO people' }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/not planned on MySQL\/MariaDB yet/);
  });

  it('a table that is not InnoDB is refused: no online DDL there', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable({ storageEngine: 'MyISAM' })))).rejects.toThrow(/uses the MyISAM storage engine: only InnoDB changes tables online/);
    expect((await planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable({ storageEngine: 'InnoDB' })))).steps).toHaveLength(1);
  });

  it('refuses servers it cannot plan for', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot({ name: 'mysql', version: '5.7.44' }))).rejects.toThrow(/MySQL 5\.7\.44 is not supported/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot({ name: 'mariadb', version: '10.2.44' }))).rejects.toThrow(/MariaDB 10\.2\.44 is not supported/);
  });

  it('CHANGE a b … (rename and redefine at once) is refused with what to write instead', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users CHANGE full_name display_name varchar(200)' }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/RENAME COLUMN a TO b/);
  });

  it('invariants: a DDL without ALGORITHM= or LOCK=, two DDLs in one step, a transactional DDL step are all flagged', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot(MARIADB_10_11));
    const step = plan.steps[0]!;
    const broken = (sql: string[], over: object = {}) => planViolations({ ...plan, steps: [{ ...step, sql, ...over }] }, { smallTableBytes: 0 });
    expect(broken(['ALTER TABLE `app`.`users` ADD COLUMN `a` int NULL'])).toEqual([expect.stringMatching(/states no ALGORITHM=/), expect.stringMatching(/states no LOCK=/)]);
    expect(broken([step.sql[0]!, 'ALTER TABLE `app`.`users` ADD COLUMN `b` int NULL, ALGORITHM=INSTANT, LOCK=NONE'])).toContainEqual(expect.stringMatching(/2 DDL statements/));
    expect(broken(step.sql, { transactional: true })).toContainEqual(expect.stringMatching(/cannot be transactional/));
    expect(broken(['ALTER TABLE `app`.`users` MODIFY `a` bigint NULL, ALGORITHM=COPY, LOCK=SHARED'])).toContainEqual(expect.stringMatching(/copies the table with writes blocked/));
  });

  it('invariants: INSTANT with a LOCK clause on MySQL, and a version gate (instant DROP COLUMN before 8.0.29)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot(MYSQL_8_0_36));
    const step = plan.steps[0]!;
    expect(planViolations({ ...plan, steps: [{ ...step, sql: ['ALTER TABLE `app`.`users` ADD COLUMN `a` int NULL, ALGORITHM=INSTANT, LOCK=NONE'] }] }, { smallTableBytes: 0 })).toContainEqual(expect.stringMatching(/only LOCK=DEFAULT/));
    const old = { ...plan, engine: { name: 'mysql' as const, version: '8.0.20', versionNum: 80020 } };
    expect(planViolations({ ...old, steps: [{ ...step, sql: ['ALTER TABLE `app`.`users` DROP COLUMN `a`, ALGORITHM=INSTANT'] }] }, { smallTableBytes: 0 })).toContainEqual(expect.stringMatching(/instant DROP COLUMN: no rebuild is not available on MySQL 8\.0\.20/));
  });

  it('column types as each server prints them', () => {
    expect(mysqlType('INTEGER', { name: 'mariadb', version: '10.11.19', versionNum: 101119 }, '').printed).toBe('int(11)');
    expect(mysqlType('int', { name: 'mysql', version: '8.0.36', versionNum: 80036 }, '').printed).toBe('int');
    expect(mysqlType('boolean', { name: 'mysql', version: '8.0.36', versionNum: 80036 }, '').printed).toBe('tinyint(1)');
    expect(mysqlType('numeric(12,2)', { name: 'mariadb', version: '10.11.19', versionNum: 101119 }, '').printed).toBe('decimal(12,2)');
  });
});
