import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlOrdersTable, mysqlSnapshot } from '../mysql-fixtures.test-support.js';

describe('add check on MySQL/MariaDB', () => {
  it('no online path on 10.11: application first, violation check, pt-online-schema-change, existence check', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0)' }, mysqlSnapshot(MARIADB_10_11, mysqlOrdersTable()));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['app@A+1', 'validate@A+1', 'app@A+2', 'validate@A+2']);
    expect(plan.steps[1]!.checkpoint!.sql).toBe('SELECT COUNT(*) FROM `app`.`orders` WHERE NOT (`total` >= 0)');
    expect(plan.steps[2]!.instruction).toContain("'--alter=ADD CONSTRAINT `orders_total_check` CHECK (`total` >= 0)'");
    expect(plan.warnings.join(' ')).toMatch(/no in-place online path/);
  });
});
