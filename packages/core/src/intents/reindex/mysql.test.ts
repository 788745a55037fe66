import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, MYSQL_8_0_36, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

const withEmailIndex = mysqlUsersTable({
  indexes: [...mysqlUsersTable().indexes, { name: 'users_email_idx', columns: ['email'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '' }],
});

describe('reindex on MySQL/MariaDB', () => {
  it('a table: one in-place null rebuild (ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE), a rewrite with nothing to undo, the residual risks stated', async () => {
    const plan = await planChange({ intents: [{ kind: 'reindex', table: 'users' }] }, mysqlSnapshot(MARIADB_10_11, withEmailIndex));
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0]!;
    expect(step.sql).toEqual(['ALTER TABLE `app`.`users` ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE']);
    expect(step.lock).toMatchObject({ mode: 'LOCK=NONE', algorithm: 'INPLACE', blocksReads: false, blocksWrites: false, duration: 'rewrite' });
    expect(step.rollback.kind).toBe('none');
    expect(plan.pointOfNoReturn).toBeNull();
    const caveats = step.caveats.join('\n');
    expect(caveats).toMatch(/ALTER TABLE … FORCE and, for InnoDB, OPTIMIZE TABLE/);
    expect(caveats).toMatch(/free disk for a full second copy/);
    expect(caveats).toMatch(/replica lag/);
    expect(plan.warnings).toEqual([expect.stringMatching(/no REINDEX: app\.users is rebuilt as a whole, its rows and every index \(PRIMARY, users_email_idx\)/)]);
  });

  it('one index: the whole table is rebuilt, and the warning says so', async () => {
    const plan = await planChange({ intents: [{ kind: 'reindex', index: 'users_email_idx' }] }, mysqlSnapshot(MYSQL_8_0_36, withEmailIndex));
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE `app`.`users` ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE']);
    expect(plan.warnings).toContainEqual(expect.stringMatching(/cannot rebuild one index: users_email_idx is rebuilt by rebuilding all of app\.users with every index it has \(PRIMARY, users_email_idx\)/));
  });

  it('a table with a FULLTEXT index is refused: its rebuild blocks writes', async () => {
    const ft = mysqlUsersTable({ indexes: [...mysqlUsersTable().indexes, { name: 'users_name_ft', columns: ['full_name'], unique: false, primary: false, valid: true, predicate: null, method: 'fulltext', definition: '' }] });
    await expect(planChange({ intents: [{ kind: 'reindex', table: 'users' }] }, mysqlSnapshot(MARIADB_10_11, ft))).rejects.toThrow(/FULLTEXT index users_name_ft: .*pt-online-schema-change --alter "ENGINE=InnoDB"/);
  });
});
