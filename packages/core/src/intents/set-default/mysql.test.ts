import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, MYSQL_8_0_36, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

const withScore = mysqlUsersTable({ columns: [...mysqlUsersTable().columns, { name: 'score', type: 'int(11)', nullable: false, default: '0' }] });

describe('set default on MySQL/MariaDB', () => {
  it('one instant ALTER COLUMN … SET DEFAULT; rollback sets the previous default', async () => {
    const plan = await planChange({ intents: [{ kind: 'set_default', table: 'users', column: 'score', default: '5' }] }, mysqlSnapshot(MARIADB_10_11, withScore));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`users` ALTER COLUMN `score` SET DEFAULT 5, ALGORITHM=INSTANT, LOCK=NONE']);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'LOCK=NONE', algorithm: 'INSTANT', duration: 'brief' });
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE `app`.`users` ALTER COLUMN `score` SET DEFAULT 0, ALGORITHM=INSTANT, LOCK=NONE'] });
    // MariaDB prints an integer default as written
    expect(plan.steps[0]!.checkpoint!.sql).toMatch(/AND COLUMN_DEFAULT = '5'$/);
  });

  it('MySQL: INSTANT without a LOCK clause (MySQL accepts only LOCK=DEFAULT with it); no previous default → rollback drops it', async () => {
    const plan = await planChange({ intents: [{ kind: 'set_default', table: 'users', column: 'email', default: "'none'" }] }, mysqlSnapshot(MYSQL_8_0_36));
    expect(plan.steps[0]!.sql).toEqual(["ALTER TABLE `app`.`users` ALTER COLUMN `email` SET DEFAULT 'none', ALGORITHM=INSTANT"]);
    expect(plan.steps[0]!.rollback).toMatchObject({ sql: ['ALTER TABLE `app`.`users` ALTER COLUMN `email` DROP DEFAULT, ALGORITHM=INSTANT'] });
    // MySQL prints a string default without its quotes
    expect(plan.steps[0]!.checkpoint!.sql).toMatch(/AND COLUMN_DEFAULT = 'none'$/);
  });

  it('the invariants still read the clauses of the statement the parser cannot: a lock claim that disagrees is reported', async () => {
    const { mysqlStepStatementProblems } = await import('../../engines/mysql/invariants.js');
    const plan = await planChange({ intents: [{ kind: 'set_default', table: 'users', column: 'score', default: '5' }] }, mysqlSnapshot(MARIADB_10_11, withScore));
    const step = { ...plan.steps[0]!, sql: ['ALTER TABLE `app`.`users` ALTER COLUMN `score` SET DEFAULT 5, ALGORITHM=INSTANT, LOCK=SHARED'] };
    expect(mysqlStepStatementProblems(step, plan, 'step 1')).toContainEqual(expect.stringMatching(/states LOCK=SHARED but claims LOCK=NONE/));
    const noClauses = { ...plan.steps[0]!, sql: ['ALTER TABLE `app`.`users` ALTER COLUMN `score` SET DEFAULT 5'] };
    expect(mysqlStepStatementProblems(noClauses, plan, 'step 1')).toContainEqual(expect.stringMatching(/states no ALGORITHM=/));
    const garbage = { ...plan.steps[0]!, sql: ['ALTER TABLE `app`.`users` ALTER COLUMN `score` SET DEFAULT 5 +, ALGORITHM=INSTANT, LOCK=NONE'] };
    expect(mysqlStepStatementProblems(garbage, plan, 'step 1')).toContainEqual(expect.stringMatching(/cannot read this as MariaDB SQL/));
  });

  it('an expression default, DEFAULT NULL and the current default are refused with the reason', async () => {
    await expect(planChange({ intents: [{ kind: 'set_default', table: 'users', column: 'email', default: 'UUID()' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/not a constant/);
    await expect(planChange({ intents: [{ kind: 'set_default', table: 'users', column: 'email', default: 'NULL' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/drop_default/);
    await expect(planChange({ intents: [{ kind: 'set_default', table: 'users', column: 'score', default: '0' }] }, mysqlSnapshot(MARIADB_10_11, withScore))).rejects.toThrow(/already defaults to 0/);
  });

  it('ALTER COLUMN … SET DEFAULT, which the SQL parser cannot read, is refused naming the intent to give instead', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ALTER COLUMN score SET DEFAULT 5' }, mysqlSnapshot(MARIADB_10_11, withScore))).rejects.toThrow(/cannot read this as MariaDB SQL[^]*kind: 'set_default'/);
  });

  it('MODIFY … DEFAULT points to the set_default intent', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users MODIFY score int NOT NULL DEFAULT 5' }, mysqlSnapshot(MARIADB_10_11, withScore))).rejects.toThrow(/kind: 'set_default'/);
  });
});
