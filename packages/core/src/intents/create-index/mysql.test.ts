import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, MYSQL_8_0_36, mysqlSnapshot } from '../mysql-fixtures.test-support.js';

describe('create index on MySQL/MariaDB', () => {
  it('ALGORITHM=INPLACE, LOCK=NONE; rollback drops it the same way', async () => {
    const plan = await planChange({ sql: 'CREATE INDEX users_email_idx ON users (email, full_name)' }, mysqlSnapshot(MYSQL_8_0_36));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`users` ADD INDEX `users_email_idx` (`email`, `full_name`), ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'LOCK=NONE', algorithm: 'INPLACE', duration: 'scan', blocksWrites: false });
    expect(plan.steps[0]!.rollback).toMatchObject({ sql: ['ALTER TABLE `app`.`users` DROP INDEX `users_email_idx`, ALGORITHM=INPLACE, LOCK=NONE'] });
  });

  it('unique: a duplicate check first, and the unique constraint MySQL lists with it', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD UNIQUE INDEX users_email_key (email)' }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[1]!.changes.map((c) => c.op)).toEqual(['add_index', 'add_constraint']);
  });

  it('a partial index is refused: MySQL has none', async () => {
    await expect(planChange({ intents: [{ kind: 'create_index', table: 'users', columns: ['email'], where: 'email IS NOT NULL' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/no partial indexes/);
  });
});
