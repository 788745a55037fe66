import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, MYSQL_8_0_36, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

const withShortName = mysqlUsersTable({ columns: [{ name: 'id', type: 'bigint(20)', nullable: false, default: null }, { name: 'nick', type: 'varchar(20)', nullable: true, default: null }, { name: 'score', type: 'int(11)', nullable: false, default: '0' }] });

describe('change column type on MySQL/MariaDB', () => {
  it('int → bigint has no in-place online path: a definition check, the exact pt-online-schema-change command (gh-ost labelled untested), a result check', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users MODIFY score bigint NOT NULL' }, mysqlSnapshot(MARIADB_10_11, withShortName));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['validate@A', 'app@A+1', 'validate@A+1']);
    const tool = plan.steps[1]!;
    expect(tool.instruction).toContain("pt-online-schema-change '--alter=MODIFY `score` bigint NOT NULL DEFAULT 0' D=app,t=users --host=<host> --user=<user> --ask-pass --chunk-time=0.5 --max-load=Threads_running=25");
    expect(tool.instruction).toContain('--set-vars=lock_wait_timeout=2');
    expect(tool.caveats.join(' ')).toMatch(/untested here: gh-ost cannot be installed/);
    expect(tool.caveats.join(' ')).toMatch(/Residual risk/);
    expect(tool.changes).toEqual([{ op: 'set_column_type', table: { schema: 'app', name: 'users' }, column: 'score', type: 'bigint(20)' }]);
    expect(plan.steps[2]!.checkpoint!.sql).toContain("COLUMN_TYPE = 'bigint(20)'");
  });

  it('VARCHAR growth within the 1-byte length prefix for any charset (≤ 63 characters): in place, metadata only', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users MODIFY nick varchar(60)' }, mysqlSnapshot(MARIADB_10_11, withShortName));
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE `app`.`users` MODIFY `nick` varchar(60) NULL, ALGORITHM=INPLACE, LOCK=NONE']);
  });

  it('VARCHAR growth past the 255-byte boundary goes to the tool', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users MODIFY nick varchar(64)' }, mysqlSnapshot(MYSQL_8_0_36, withShortName));
    expect(plan.steps[1]!.kind).toBe('app');
  });

  it('MariaDB 11.4: ALGORITHM=COPY, LOCK=NONE (online copy, from the MariaDB docs)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users MODIFY score bigint' }, mysqlSnapshot({ name: 'mariadb', version: '11.4.2' }, withShortName));
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE `app`.`users` MODIFY `score` bigint NOT NULL DEFAULT 0, ALGORITHM=COPY, LOCK=NONE']);
  });
});
