import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

const noPk = (type = 'INTEGER', nullable = true) =>
  sqliteUsers({ constraints: [], columns: [{ name: 'id', type, nullable, default: null }, ...sqliteUsers().columns.slice(1)], definition: `CREATE TABLE users (id ${type}, full_name TEXT, email TEXT)` });

describe('add primary key on SQLite', () => {
  it('on an INTEGER column: a NULL/duplicate/integer check, then a rebuild with the key (NOT NULL) that makes the column the rowid alias, saying rowids are not kept', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (id)' }, sqliteSnapshot(3045001, noPk()));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[0]!.checkpoint?.sql).toBe(`SELECT NOT EXISTS (SELECT 1 FROM "users" WHERE "id" IS NULL OR typeof("id") <> 'integer') AND NOT EXISTS (SELECT 1 FROM "users" GROUP BY "id" HAVING count(*) > 1)`);
    const rebuild = plan.steps[1]!;
    expect(rebuild.sql.find((s) => s.startsWith('CREATE TABLE'))).toBe('CREATE TABLE "_liveshift_new_users" ("id" INTEGER NOT NULL, "full_name" TEXT, "email" TEXT, CONSTRAINT "users_pkey" PRIMARY KEY ("id"))');
    expect(rebuild.changes).toEqual([
      { op: 'set_nullable', table: { schema: 'main', name: 'users' }, column: 'id', nullable: false },
      { op: 'add_constraint', table: { schema: 'main', name: 'users' }, constraint: { name: 'users_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY ("id")', validated: true, references: null } },
    ]);
    expect(rebuild.caveats.join('\n')).toMatch(/becomes the rowid alias: the table's implicit rowids are not kept/);
    expect(rebuild.rollback.kind).toBe('sql');
  });

  it('on a column not declared exactly INTEGER (or several columns): the implicit rowids are kept', async () => {
    const plan = await planChange({ intents: [{ kind: 'add_primary_key', table: 'users', columns: ['id'], name: 'users_id_pk' }] }, sqliteSnapshot(3045001, noPk('INT')));
    expect(plan.steps[0]!.checkpoint?.sql).not.toMatch(/typeof/);
    expect(plan.steps[1]!.caveats.join('\n')).toMatch(/implicit rowids are kept .*declared INT, not exactly INTEGER/);
    const two = await planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (full_name, email)' }, sqliteSnapshot(3045001, noPk()));
    expect(two.steps[1]!.caveats.join('\n')).toMatch(/a key of several columns never becomes the rowid alias/);
  });

  it('refused: a table that has a primary key, an unknown column, a big table (no online path, with the flag to accept the pause)', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (email)' }, sqliteSnapshot(3045001))).rejects.toThrow(/already has primary key users_pkey/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (nope)' }, sqliteSnapshot(3045001, noPk()))).rejects.toThrow(/nope/);
    const big = sqliteSnapshot(3045001, { ...noPk(), sizeBytes: 5e9, rowEstimate: 5e7 });
    await expect(planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (id)' }, big)).rejects.toThrow(/^SQLite has no online way to do this .*--small-table-bytes 5000000000/s);
    const accepted = await planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (id)' }, big, { smallTableBytes: 6e9 });
    expect(accepted.steps[1]!.lock).toMatchObject({ mode: 'DATABASE WRITE', duration: 'rewrite' });
  });
});
