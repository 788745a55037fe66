import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

const withScore = mysqlUsersTable({ columns: [...mysqlUsersTable().columns, { name: 'score', type: 'int(11)', nullable: false, default: '0' }] });

describe('drop NOT NULL on MySQL/MariaDB', () => {
  it('MODIFY c <its type> NULL → the definition check, then MODIFY … NULL in place (a rebuild, LOCK=NONE); rollback restores NOT NULL', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users MODIFY score int NULL' }, mysqlSnapshot(MARIADB_10_11, withScore));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[0]!.checkpoint!.sql).toMatch(/COLUMN_TYPE = 'int\(11\)' AND c.COLUMN_COMMENT = ''/);
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE `app`.`users` MODIFY `score` int(11) NULL DEFAULT 0, ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[1]!.lock).toMatchObject({ mode: 'LOCK=NONE', blocksWrites: false, duration: 'rewrite' });
    expect(plan.steps[1]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE `app`.`users` MODIFY `score` int(11) NOT NULL DEFAULT 0, ALGORITHM=INPLACE, LOCK=NONE'] });
  });

  it('a primary key column is refused, naming why', async () => {
    await expect(planChange({ intents: [{ kind: 'drop_not_null', table: 'users', column: 'id' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/part of the primary key .* error 1171/);
  });

  it('an already nullable column plans nothing and says so', async () => {
    const plan = await planChange({ intents: [{ kind: 'drop_not_null', table: 'users', column: 'email' }] }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps).toEqual([]);
    expect(plan.warnings.join('\n')).toMatch(/already nullable/);
  });
});
