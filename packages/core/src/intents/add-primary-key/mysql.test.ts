import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import type { TableSchema } from '../../schema/snapshot.js';
import { MARIADB_10_11, MYSQL_8_0_36, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

/** events without a primary key: id nullable unless told, as such tables often have it. */
function events(over: Partial<TableSchema> = {}, idNullable = true): TableSchema {
  return mysqlUsersTable({
    name: 'events',
    columns: [
      { name: 'id', type: 'bigint(20)', nullable: idNullable, default: null },
      { name: 'kind', type: 'varchar(20)', nullable: false, default: null },
      { name: 'body', type: 'text', nullable: true, default: null },
    ],
    indexes: [],
    constraints: [],
    ...over,
  });
}

describe('add primary key on MySQL/MariaDB', () => {
  it('nullable column: duplicate check, then set_not_null\'s NULL check and in-place MODIFY, then ADD PRIMARY KEY in place (a rebuild), the point of no return', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE events ADD PRIMARY KEY (id)' }, mysqlSnapshot(MARIADB_10_11, events()));
    expect(plan.steps.map((s) => [s.kind, s.lock.mode, s.lock.duration])).toEqual([
      ['validate', 'LOCK=NONE', 'scan'],
      ['validate', 'LOCK=NONE', 'scan'],
      ['ddl', 'LOCK=NONE', 'rewrite'],
      ['ddl', 'LOCK=NONE', 'rewrite'],
    ]);
    expect(plan.steps[0]!.checkpoint).toMatchObject({ sql: expect.stringMatching(/GROUP BY `id` HAVING COUNT\(\*\) > 1/), expected: 0 });
    expect(plan.steps[1]!.checkpoint!.sql).toMatch(/WHERE `id` IS NULL/);
    expect(plan.steps[2]!.sql).toEqual(['ALTER TABLE `app`.`events` MODIFY `id` bigint(20) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[2]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE `app`.`events` MODIFY `id` bigint(20) NULL, ALGORITHM=INPLACE, LOCK=NONE'] });
    expect(plan.steps[3]!.sql).toEqual(['ALTER TABLE `app`.`events` ADD PRIMARY KEY (`id`), ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[3]!.rollback).toMatchObject({ kind: 'irreversible', reason: expect.stringMatching(/DROP PRIMARY KEY on its own has no in-place algorithm/) });
    expect(plan.pointOfNoReturn?.step).toBe(4);
    expect(plan.steps[3]!.caveats.join('\n')).toMatch(/hidden 6-byte row id \(DB_ROW_ID\)/);
  });

  it('NOT NULL columns (a composite key): the duplicate check and the key alone; a NOT NULL unique index is named as what InnoDB clusters by now, and as redundant', async () => {
    const table = events(
      {
        indexes: [{ name: 'events_id_kind_key', columns: ['id', 'kind'], unique: true, primary: false, valid: true, predicate: null, method: 'btree', definition: '' }],
        constraints: [{ name: 'events_id_kind_key', type: 'unique', columns: ['id', 'kind'], definition: 'UNIQUE (id, kind)', validated: true, references: null }],
      },
      false,
    );
    const plan = await planChange({ sql: 'ALTER TABLE events ADD CONSTRAINT events_pk PRIMARY KEY (id, kind)' }, mysqlSnapshot(MARIADB_10_11, table));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE `app`.`events` ADD PRIMARY KEY (`id`, `kind`), ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[1]!.caveats.join('\n')).toMatch(/clustered now by its first UNIQUE index on NOT NULL columns, events_id_kind_key/);
    expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/name every primary key PRIMARY: the name events_pk is not kept/), expect.stringMatching(/events_id_kind_key on \(id, kind\) is redundant/)]));
  });

  it('two nullable key columns: each gets its NULL check and MODIFY … NOT NULL (in key order), then one ADD PRIMARY KEY; a missing or repeated column is refused', async () => {
    const table = events({ columns: [...events().columns, { name: 'tenant', type: 'int(11)', nullable: true, default: null }] });
    const plan = await planChange({ intents: [{ kind: 'add_primary_key', table: 'events', columns: ['tenant', 'id'] }] }, mysqlSnapshot(MARIADB_10_11, table));
    expect(plan.steps.map((s) => s.sql[0] ?? s.kind)).toEqual([
      'validate',
      'validate',
      'ALTER TABLE `app`.`events` MODIFY `tenant` int(11) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE',
      'validate',
      'ALTER TABLE `app`.`events` MODIFY `id` bigint(20) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE',
      'ALTER TABLE `app`.`events` ADD PRIMARY KEY (`tenant`, `id`), ALGORITHM=INPLACE, LOCK=NONE',
    ]);
    await expect(planChange({ intents: [{ kind: 'add_primary_key', table: 'events', columns: ['nope'] }] }, mysqlSnapshot(MARIADB_10_11, table))).rejects.toThrow(/column "nope" does not exist/);
    await expect(planChange({ intents: [{ kind: 'add_primary_key', table: 'events', columns: ['id', 'id'] }] }, mysqlSnapshot(MARIADB_10_11, table))).rejects.toThrow(/column "id" appears twice in the primary key/);
  });

  it('MariaDB 11.2+: the way back is DROP PRIMARY KEY by an online copy (ALGORITHM=COPY, LOCK=NONE), so the key is no point of no return there', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE events ADD PRIMARY KEY (id)' }, mysqlSnapshot({ name: 'mariadb', version: '11.4.5' }, events({}, false)));
    expect(plan.steps[1]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE `app`.`events` DROP PRIMARY KEY, ALGORITHM=COPY, LOCK=NONE'], note: expect.stringMatching(/not run by liveshift's tests/) });
    expect(plan.pointOfNoReturn).toBeNull();
  });

  it('MySQL: the same statements, labelled as taken from the manual', async () => {
    const plan = await planChange({ intents: [{ kind: 'add_primary_key', table: 'events', columns: ['id'] }] }, mysqlSnapshot(MYSQL_8_0_36, events({}, false)));
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE `app`.`events` ADD PRIMARY KEY (`id`), ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.steps[1]!.caveats.join('\n')).toMatch(/taken from the MySQL manual/);
  });

  it('refused: an existing primary key, a TEXT column, a table with a FULLTEXT index', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (email)' }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/already has a primary key \(id\); a table has one\. Replacing it .* is not planned/);
    const gipk = mysqlUsersTable({ constraints: [{ name: 'PRIMARY', type: 'primary_key', columns: ['my_row_id'], definition: '', validated: true, references: null }] });
    await expect(planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (email)' }, mysqlSnapshot(MYSQL_8_0_36, gipk))).rejects.toThrow(/sql_generate_invisible_primary_key/);
    await expect(planChange({ sql: 'ALTER TABLE events ADD PRIMARY KEY (body)' }, mysqlSnapshot(MARIADB_10_11, events()))).rejects.toThrow(/body is text: a key on a BLOB\/TEXT\/JSON column needs a prefix length/);
    const ft = events({ indexes: [{ name: 'events_body_ft', columns: ['body'], unique: false, primary: false, valid: true, predicate: null, method: 'fulltext', definition: '' }] });
    await expect(planChange({ sql: 'ALTER TABLE events ADD PRIMARY KEY (id)' }, mysqlSnapshot(MARIADB_10_11, ft))).rejects.toThrow(/FULLTEXT index events_body_ft: .*LOCK=SHARED/);
  });
});
