import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlSnapshot } from '../mysql-fixtures.test-support.js';

describe('set NOT NULL on MySQL/MariaDB', () => {
  it('MODIFY c <type> NOT NULL → backfill, NULL and definition check, MODIFY in place (LOCK=NONE)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users MODIFY email varchar(200) NOT NULL' }, mysqlSnapshot(MARIADB_10_11), { backfill: "''" });
    expect(plan.steps.map((s) => s.kind)).toEqual(['backfill', 'validate', 'ddl']);
    expect(plan.steps[1]!.checkpoint!.sql).toMatch(/IS NULL\) = 0 AND .*COLUMN_COMMENT = ''/);
    expect(plan.steps[2]!.sql).toEqual(['ALTER TABLE `app`.`users` MODIFY `email` varchar(200) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[2]!.rollback).toMatchObject({ sql: ['ALTER TABLE `app`.`users` MODIFY `email` varchar(200) NULL, ALGORITHM=INPLACE, LOCK=NONE'] });
  });
});
