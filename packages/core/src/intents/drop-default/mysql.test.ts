import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

const withScore = mysqlUsersTable({ columns: [...mysqlUsersTable().columns, { name: 'score', type: 'int(11)', nullable: false, default: '0' }] });

describe('drop default on MySQL/MariaDB', () => {
  it('one instant ALTER COLUMN … DROP DEFAULT; a NOT NULL column is warned about; rollback sets the default again', async () => {
    const plan = await planChange({ intents: [{ kind: 'drop_default', table: 'users', column: 'score' }] }, mysqlSnapshot(MARIADB_10_11, withScore));
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`users` ALTER COLUMN `score` DROP DEFAULT, ALGORITHM=INSTANT, LOCK=NONE']);
    expect(plan.steps[0]!.caveats.join('\n')).toMatch(/NOT NULL: from now on an INSERT that leaves it out fails \(error 1364/);
    expect(plan.steps[0]!.rollback).toMatchObject({ sql: ['ALTER TABLE `app`.`users` ALTER COLUMN `score` SET DEFAULT 0, ALGORITHM=INSTANT, LOCK=NONE'] });
  });

  it('an expression default comes back in parentheses on rollback', async () => {
    const table = mysqlUsersTable({ columns: [...mysqlUsersTable().columns, { name: 'token', type: 'char(36)', nullable: true, default: 'uuid()' }] });
    const plan = await planChange({ intents: [{ kind: 'drop_default', table: 'users', column: 'token' }] }, mysqlSnapshot(MARIADB_10_11, table));
    expect(plan.steps[0]!.rollback).toMatchObject({ sql: ['ALTER TABLE `app`.`users` ALTER COLUMN `token` SET DEFAULT (uuid()), ALGORITHM=INSTANT, LOCK=NONE'] });
  });

  it('no default: refused', async () => {
    await expect(planChange({ intents: [{ kind: 'drop_default', table: 'users', column: 'email' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/has no default; nothing to drop/);
  });
});
