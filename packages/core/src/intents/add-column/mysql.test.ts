import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, MYSQL_8_0_11, MYSQL_8_0_29, MYSQL_8_0_36, mysqlSnapshot } from '../mysql-fixtures.test-support.js';

describe('add column on MySQL/MariaDB', () => {
  it('nullable on MariaDB 10.11: one INSTANT step stating LOCK=NONE, rollback drops it instantly', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname varchar(40)' }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`users` ADD COLUMN `nickname` varchar(40) NULL, ALGORITHM=INSTANT, LOCK=NONE']);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'LOCK=NONE', algorithm: 'INSTANT', blocksReads: false, blocksWrites: false, duration: 'brief' });
    expect(plan.steps[0]!.transactional).toBe(false);
    expect(plan.steps[0]!.timeouts).toMatchObject({ lockTimeoutMs: 2000, retries: 10 });
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE `app`.`users` DROP COLUMN `nickname`, ALGORITHM=INSTANT, LOCK=NONE'] });
    expect(plan.steps[0]!.changes).toEqual([{ op: 'add_column', table: { schema: 'app', name: 'users' }, column: { name: 'nickname', type: 'varchar(40)', nullable: true, default: null } }]);
  });

  it('MySQL 8.0.36: INSTANT without a LOCK clause (MySQL accepts only LOCK=DEFAULT with INSTANT), labelled as from the manual', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN score int NOT NULL DEFAULT 0' }, mysqlSnapshot(MYSQL_8_0_36));
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`users` ADD COLUMN `score` int NOT NULL DEFAULT 0, ALGORITHM=INSTANT']);
    expect(plan.steps[0]!.changes[0]).toMatchObject({ column: { type: 'int', nullable: false, default: '0' } });
    expect(plan.warnings.join(' ')).toMatch(/MySQL 8\.0\/8\.4 Reference Manual/);
    expect(plan.steps[0]!.caveats.join(' ')).toMatch(/taken from the MySQL manual/);
  });

  it('MySQL 8.0.29: INPLACE, never INSTANT (the instant ADD/DROP COLUMN redo-log defect)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN score int' }, mysqlSnapshot(MYSQL_8_0_29));
    expect(plan.steps[0]!.sql[0]).toMatch(/ALGORITHM=INPLACE, LOCK=NONE$/);
    expect(plan.steps[0]!.lock).toMatchObject({ algorithm: 'INPLACE', duration: 'rewrite', blocksWrites: false });
    expect(plan.steps[0]!.caveats.join(' ')).toMatch(/8\.0\.29/);
  });

  it('MySQL 8.0.11 (before instant DDL): an in-place rebuild with writes going on', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN score int' }, mysqlSnapshot(MYSQL_8_0_11));
    expect(plan.steps[0]!.sql[0]).toMatch(/ALGORITHM=INPLACE, LOCK=NONE$/);
    expect(plan.steps[0]!.rollback).toMatchObject({ sql: ['ALTER TABLE `app`.`users` DROP COLUMN `score`, ALGORITHM=INPLACE, LOCK=NONE'] });
  });

  it('MariaDB prints integer display widths: the predicted type is what introspection will show', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN score int unsigned NOT NULL DEFAULT 0' }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps[0]!.changes[0]).toMatchObject({ column: { type: 'int(10) unsigned' } });
  });

  it('NOT NULL without default: nullable → application writes it → PK-range backfill → NULL check → MODIFY NOT NULL in place', async () => {
    const plan = await planChange({ intents: [{ kind: 'add_column', table: 'users', column: { name: 'plan', type: 'varchar(20)', nullable: false, backfill: "'free'" } }] }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'app@A+1', 'backfill@A+1', 'validate@A+1', 'ddl@A+1']);
    expect(plan.steps[2]!.backfill).toMatchObject({ set: "`plan` = 'free'", predicate: '`plan` IS NULL', keyColumns: ['id'] });
    expect(plan.steps[4]!.sql).toEqual(['ALTER TABLE `app`.`users` MODIFY `plan` varchar(20) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[4]!.lock).toMatchObject({ algorithm: 'INPLACE', duration: 'rewrite', blocksWrites: false });
  });

  it('an expression default is refused: it would copy the table with writes blocked', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN token char(36) DEFAULT (uuid())' }, mysqlSnapshot(MYSQL_8_0_36))).rejects.toThrow(/not a constant.*copy the whole table/s);
  });

  it('NOT NULL without default and no value for existing rows is refused (the server would zero-fill)', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN plan int NOT NULL' }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/silently fill them with 0/);
  });
});
