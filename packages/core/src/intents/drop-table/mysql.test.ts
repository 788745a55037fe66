import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlOrdersTable, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

const fk = { name: 'orders_user_fk', type: 'foreign_key' as const, columns: ['user_id'], definition: 'FOREIGN KEY (user_id) REFERENCES app.users (id)', validated: true, references: { table: 'app.users', columns: ['id'] } };

describe('drop table on MySQL/MariaDB', () => {
  it('the application stops using it first; then DROP TABLE (exclusive metadata lock, brief), the point of no return', async () => {
    const plan = await planChange({ sql: 'DROP TABLE orders' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), mysqlOrdersTable({ constraints: [...mysqlOrdersTable().constraints, fk] })));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['app@A+1', 'ddl@A+2']);
    expect(plan.steps[1]!.sql).toEqual(['DROP TABLE `app`.`orders`']);
    expect(plan.steps[1]!.lock).toMatchObject({ mode: 'LOCK=EXCLUSIVE', tables: ['app.orders', 'app.users'], duration: 'brief' });
    expect(plan.steps[1]!.lock.algorithm).toBeUndefined();
    expect(plan.pointOfNoReturn?.step).toBe(2);
  });

  it('a table another table references is refused, pointing to drop_constraint', async () => {
    await expect(planChange({ sql: 'DROP TABLE users' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), mysqlOrdersTable({ constraints: [...mysqlOrdersTable().constraints, fk] })))).rejects.toThrow(
      /referenced by foreign key orders_user_fk on app.orders .* drop_constraint/,
    );
  });

  it('the invariants hold a catalog-only statement to an exclusive, brief claim without an algorithm', async () => {
    const { mysqlStepStatementProblems } = await import('../../engines/mysql/invariants.js');
    const plan = await planChange({ sql: 'DROP TABLE orders' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable(), mysqlOrdersTable()));
    const step = { ...plan.steps[1]!, lock: { ...plan.steps[1]!.lock, mode: 'LOCK=NONE' as const, blocksWrites: false, blocksReads: false } };
    expect(mysqlStepStatementProblems(step, plan, 'step 2')).toContainEqual(expect.stringMatching(/its claim must be LOCK=EXCLUSIVE, brief/));
  });
});
