import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { planViolations } from '../../plan/invariants.js';
import type { IntentInput } from '../../intents/types.js';
import { MARIADB_10_11, MYSQL_8_0_36, mysqlOrdersTable, mysqlSnapshot, mysqlUsersTable } from '../../intents/mysql-fixtures.test-support.js';
import { MYSQL_SUPPORTED } from './sql-to-intents.js';
import { mysqlType } from './column-type.js';

describe('MySQL/MariaDB planning', () => {
  it('the PostgreSQL-only intents (enum types, declarative partitions) get their own refusal, not the generic list', async () => {
    await expect(planChange({ intents: [{ kind: 'add_enum_value', type: 'mood', value: 'x' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/add_enum_value is not planned on MySQL\/MariaDB: it names an enum type/);
    await expect(planChange({ intents: [{ kind: 'detach_partition', table: 'users', partition: 'p' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/detach_partition is not planned on MySQL\/MariaDB: it describes PostgreSQL declarative partitioning/);
  });

  it('the list in that error is true: every kind it names plans, and the kinds it leaves out are refused', async () => {
    const orders = mysqlOrdersTable({
      constraints: [...mysqlOrdersTable().constraints, { name: 'orders_total_check', type: 'check', columns: ['total'], definition: 'CHECK (total >= 0)', validated: true, references: null }],
    });
    const users = mysqlUsersTable({ columns: [...mysqlUsersTable().columns, { name: 'score', type: 'int(11)', nullable: false, default: '0' }] });
    const events = mysqlUsersTable({ name: 'events', indexes: [], constraints: [] });
    const snap = mysqlSnapshot(MARIADB_10_11, users, orders, events);
    const sample: Record<string, IntentInput> = {
      add_column: { kind: 'add_column', table: 'users', column: { name: 'a', type: 'int' } },
      rename_column: { kind: 'rename_column', table: 'users', from: 'email', to: 'mail' },
      create_index: { kind: 'create_index', table: 'users', columns: ['email'] },
      drop_index: { kind: 'drop_index', index: { schema: 'app', name: 'PRIMARY' } },
      drop_column: { kind: 'drop_column', table: 'users', column: 'email' },
      set_not_null: { kind: 'set_not_null', table: 'users', column: 'email' },
      change_column_type: { kind: 'change_column_type', table: 'users', column: 'score', type: 'bigint' },
      add_foreign_key: { kind: 'add_foreign_key', table: 'orders', columns: ['user_id'], references: { table: 'users' } },
      add_check: { kind: 'add_check', table: 'users', expression: 'score >= 0' },
      drop_not_null: { kind: 'drop_not_null', table: 'users', column: 'score' },
      set_default: { kind: 'set_default', table: 'users', column: 'score', default: '1' },
      drop_default: { kind: 'drop_default', table: 'users', column: 'score' },
      drop_constraint: { kind: 'drop_constraint', table: 'orders', name: 'orders_total_check' },
      add_unique_constraint: { kind: 'add_unique_constraint', table: 'users', columns: ['email'] },
      create_table: { kind: 'create_table', table: 'items', columns: [{ name: 'id', type: 'bigint', nullable: false }], primaryKey: { columns: ['id'] } },
      drop_table: { kind: 'drop_table', table: 'orders' },
      rename_table: { kind: 'rename_table', table: 'orders', to: 'purchases' },
      backfill: { kind: 'backfill', table: 'users', set: [{ column: 'email', expr: "''" }], where: 'email IS NULL' },
      add_reference_column: { kind: 'add_reference_column', table: 'orders', column: { name: 'buyer_id', type: 'bigint(20)' }, references: { table: 'users' } },
      add_primary_key: { kind: 'add_primary_key', table: 'events', columns: ['id'] },
      reindex: { kind: 'reindex', table: 'users' },
    };
    expect(Object.keys(sample).sort()).toEqual(MYSQL_SUPPORTED.map((s) => s.kind).sort());
    for (const intent of Object.values(sample)) {
      // a PlanningError about the change itself is fine here (e.g. drop_index of PRIMARY); "not planned" is not
      await planChange({ intents: [intent] }, snap).catch((error: Error) => expect(error.message, intent.kind).not.toMatch(/not planned on MySQL\/MariaDB/));
    }
    // the new entries plan for real
    expect((await planChange({ intents: [sample.add_primary_key!] }, snap)).steps.at(-1)!.sql[0]).toMatch(/ADD PRIMARY KEY \(`id`\), ALGORITHM=INPLACE, LOCK=NONE$/);
    expect((await planChange({ intents: [sample.reindex!] }, snap)).steps).toHaveLength(1);
    for (const intent of [
      { kind: 'add_enum_value', type: 'mood', value: 'x' },
      { kind: 'remove_enum_value', type: 'mood', value: 'x' },
      { kind: 'attach_partition', table: 'users', partition: 'orders', bound: 'DEFAULT' },
      { kind: 'detach_partition', table: 'users', partition: 'orders' },
    ] as IntentInput[]) {
      await expect(planChange({ intents: [intent] }, snap)).rejects.toThrow(/is not planned on MySQL\/MariaDB: it (names an enum type|describes PostgreSQL declarative partitioning)/);
    }
  });

  it('OPTIMIZE TABLE and ALTER TABLE … FORCE, which the parser cannot read, point to the reindex intent', async () => {
    await expect(planChange({ sql: 'OPTIMIZE TABLE users' }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/give a table rebuild as the intent \{ kind: 'reindex', table \}/);
    await expect(planChange({ sql: 'ALTER TABLE users FORCE' }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/Nor OPTIMIZE TABLE or ALTER TABLE … FORCE/);
  });

  it('a table that is not InnoDB is refused: no online DDL there', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable({ storageEngine: 'MyISAM' })))).rejects.toThrow(/uses the MyISAM storage engine: only InnoDB changes tables online/);
    expect((await planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot(MARIADB_10_11, mysqlUsersTable({ storageEngine: 'InnoDB' })))).steps).toHaveLength(1);
  });

  it('refuses servers it cannot plan for', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot({ name: 'mysql', version: '5.7.44' }))).rejects.toThrow(/MySQL 5\.7\.44 is not supported/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot({ name: 'mariadb', version: '10.2.44' }))).rejects.toThrow(/MariaDB 10\.2\.44 is not supported/);
  });

  it('CHANGE a b … (rename and redefine at once) is refused with what to write instead', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users CHANGE full_name display_name varchar(200)' }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/RENAME COLUMN a TO b/);
  });

  it('invariants: a DDL without ALGORITHM= or LOCK=, two DDLs in one step, a transactional DDL step are all flagged', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot(MARIADB_10_11));
    const step = plan.steps[0]!;
    const broken = (sql: string[], over: object = {}) => planViolations({ ...plan, steps: [{ ...step, sql, ...over }] }, { smallTableBytes: 0 });
    expect(broken(['ALTER TABLE `app`.`users` ADD COLUMN `a` int NULL'])).toEqual([expect.stringMatching(/states no ALGORITHM=/), expect.stringMatching(/states no LOCK=/)]);
    expect(broken([step.sql[0]!, 'ALTER TABLE `app`.`users` ADD COLUMN `b` int NULL, ALGORITHM=INSTANT, LOCK=NONE'])).toContainEqual(expect.stringMatching(/2 DDL statements/));
    expect(broken(step.sql, { transactional: true })).toContainEqual(expect.stringMatching(/cannot be transactional/));
    expect(broken(['ALTER TABLE `app`.`users` MODIFY `a` bigint NULL, ALGORITHM=COPY, LOCK=SHARED'])).toContainEqual(expect.stringMatching(/copies the table with writes blocked/));
  });

  it('invariants: INSTANT with a LOCK clause on MySQL, and a version gate (instant DROP COLUMN before 8.0.29)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN a int' }, mysqlSnapshot(MYSQL_8_0_36));
    const step = plan.steps[0]!;
    expect(planViolations({ ...plan, steps: [{ ...step, sql: ['ALTER TABLE `app`.`users` ADD COLUMN `a` int NULL, ALGORITHM=INSTANT, LOCK=NONE'] }] }, { smallTableBytes: 0 })).toContainEqual(expect.stringMatching(/only LOCK=DEFAULT/));
    const old = { ...plan, engine: { name: 'mysql' as const, version: '8.0.20', versionNum: 80020 } };
    expect(planViolations({ ...old, steps: [{ ...step, sql: ['ALTER TABLE `app`.`users` DROP COLUMN `a`, ALGORITHM=INSTANT'] }] }, { smallTableBytes: 0 })).toContainEqual(expect.stringMatching(/instant DROP COLUMN: no rebuild is not available on MySQL 8\.0\.20/));
  });

  it('column types as each server prints them', () => {
    expect(mysqlType('INTEGER', { name: 'mariadb', version: '10.11.19', versionNum: 101119 }, '').printed).toBe('int(11)');
    expect(mysqlType('int', { name: 'mysql', version: '8.0.36', versionNum: 80036 }, '').printed).toBe('int');
    expect(mysqlType('boolean', { name: 'mysql', version: '8.0.36', versionNum: 80036 }, '').printed).toBe('tinyint(1)');
    expect(mysqlType('numeric(12,2)', { name: 'mariadb', version: '10.11.19', versionNum: 101119 }, '').printed).toBe('decimal(12,2)');
  });
});
