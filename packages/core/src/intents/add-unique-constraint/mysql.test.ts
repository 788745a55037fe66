import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlSnapshot } from '../mysql-fixtures.test-support.js';

describe('add unique constraint on MySQL/MariaDB', () => {
  it('a duplicate check, then a unique index built in place (LOCK=NONE), named <table>_<cols>_key; rollback drops it', async () => {
    const plan = await planChange({ intents: [{ kind: 'add_unique_constraint', table: 'users', columns: ['email'] }] }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[0]!.checkpoint!.sql).toMatch(/GROUP BY `email` HAVING COUNT\(\*\) > 1/);
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE `app`.`users` ADD UNIQUE INDEX `users_email_key` (`email`), ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[1]!.rollback).toMatchObject({ sql: ['ALTER TABLE `app`.`users` DROP INDEX `users_email_key`, ALGORITHM=INPLACE, LOCK=NONE'] });
  });

  it('a taken name and a missing column are refused', async () => {
    await expect(planChange({ intents: [{ kind: 'add_unique_constraint', table: 'users', columns: ['email'], name: 'PRIMARY' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/already has an index or constraint named "PRIMARY"/);
    await expect(planChange({ intents: [{ kind: 'add_unique_constraint', table: 'users', columns: ['nope'] }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/column "nope" does not exist/);
  });
});
