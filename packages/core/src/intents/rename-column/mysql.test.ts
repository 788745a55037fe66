import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

describe('rename column on MySQL/MariaDB', () => {
  it('expand/contract with the application in sync (the instant RENAME COLUMN would break running instances)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'app@A+1', 'backfill@A+1', 'validate@A+1', 'app@A+2', 'ddl@A+3']);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`users` ADD COLUMN `display_name` varchar(200) NULL, ALGORITHM=INSTANT, LOCK=NONE']);
    expect(plan.steps[2]!.backfill!.predicate).toBe('(`display_name` <> `full_name` OR (`display_name` IS NULL AND `full_name` IS NOT NULL) OR (`display_name` IS NOT NULL AND `full_name` IS NULL))');
    expect(plan.steps[5]!.sql).toEqual(['ALTER TABLE `app`.`users` DROP COLUMN `full_name`, ALGORITHM=INSTANT, LOCK=NONE']);
    expect(plan.pointOfNoReturn?.step).toBe(6);
    expect(plan.warnings.join(' ')).toMatch(/Not a plain RENAME COLUMN: on 10\.11\.19 it would be instant, but breaks every running application instance/);
  });

  it('an indexed NOT NULL column: index copied in place, NOT NULL moved, old index dropped before the column', async () => {
    const table = mysqlUsersTable({
      columns: [
        { name: 'id', type: 'bigint(20)', nullable: false, default: null },
        { name: 'email', type: 'varchar(200)', nullable: false, default: "''" },
      ],
      indexes: [
        { name: 'PRIMARY', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: '' },
        { name: 'users_email_key', columns: ['email'], unique: true, primary: false, valid: true, predicate: null, method: 'btree', definition: '' },
      ],
      constraints: [
        { name: 'PRIMARY', type: 'primary_key', columns: ['id'], definition: '', validated: true, references: null },
        { name: 'users_email_key', type: 'unique', columns: ['email'], definition: '', validated: true, references: null },
      ],
    });
    const plan = await planChange({ sql: 'ALTER TABLE users RENAME COLUMN email TO login' }, mysqlSnapshot(MARIADB_10_11, table));
    const titles = plan.steps.map((s) => s.title);
    expect(titles).toContain('Copy index users_email_key onto login as users_login_key');
    expect(titles).toContain('Set login NOT NULL (in-place rebuild, reads and writes continue)');
    expect(titles).toContain('Make email nullable so writers may stop setting it');
    expect(titles.indexOf('Drop index users_email_key on email')).toBe(titles.indexOf('Drop column email') - 1);
  });

  it('--sync trigger is refused on MySQL/MariaDB with what is planned instead', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, mysqlSnapshot(MARIADB_10_11), { sync: 'trigger' })).rejects.toThrow(/--sync app/);
  });
});
