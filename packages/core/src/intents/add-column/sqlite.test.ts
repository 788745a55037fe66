import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';
import { isConstant } from './sqlite.js';

describe('add column on SQLite', () => {
  it('nullable: one catalog-only ALTER TABLE … ADD COLUMN; rollback DROP COLUMN (3.35+)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname text' }, sqliteSnapshot(3045001));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "users" ADD COLUMN "nickname" TEXT']);
    expect(plan.steps[0]!.lock).toEqual({ mode: 'DATABASE WRITE', tables: ['main.users'], blocksReads: false, blocksWrites: true, duration: 'brief' });
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE "users" DROP COLUMN "nickname"'], transactional: true });
  });

  it('before 3.35 the rollback is a table rebuild without the column', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname text' }, sqliteSnapshot(3034000));
    const rollback = plan.steps[0]!.rollback;
    expect(rollback).toMatchObject({ kind: 'sql', transactional: false });
    expect(rollback.kind === 'sql' && rollback.sql).toContain('CREATE TABLE "_liveshift_new_users" ("id" INTEGER NOT NULL, "full_name" TEXT, "email" TEXT, CONSTRAINT "users_pkey" PRIMARY KEY ("id"))');
  });

  it('NOT NULL with a constant default: one step (SQLite allows it)', async () => {
    const plan = await planChange({ sql: "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active'" }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => s.sql)).toEqual([[`ALTER TABLE "users" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'active'`]]);
  });

  it('CURRENT_TIMESTAMP is not a constant for ADD COLUMN: nullable, backfill, the default put on by a rebuild that fills gaps', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN created_at text DEFAULT CURRENT_TIMESTAMP' }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'backfill', 'ddl']);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "users" ADD COLUMN "created_at" TEXT']);
    expect(plan.steps[1]!.backfill).toMatchObject({ set: '"created_at" = CURRENT_TIMESTAMP', predicate: '"created_at" IS NULL', keyColumns: ['id'] });
    expect(plan.steps[2]!.sql).toContain('INSERT INTO "_liveshift_new_users" (rowid, "id", "full_name", "email", "created_at") SELECT rowid, "id", "full_name", "email", IFNULL("created_at", CURRENT_TIMESTAMP) FROM "users"');
    expect(plan.steps[2]!.transactional).toBe(false);
  });

  it('NOT NULL without a default: nullable, the application writes it, backfill, NOT NULL by rebuild', async () => {
    const plan = await planChange({ intents: [{ kind: 'add_column', table: 'users', column: { name: 'plan', type: 'text', nullable: false, backfill: "'free'" } }] }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'app@A+1', 'backfill@A+1', 'ddl@A+1']);
    expect(plan.steps[3]!.checkpoint?.sql).toBe(`SELECT "notnull" FROM pragma_table_xinfo('users') WHERE name = 'plan'`);
  });

  it('NOT NULL without a default or a value for existing rows is refused with what to do', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN plan text NOT NULL' }, sqliteSnapshot(3045001))).rejects.toThrow(/existing rows need a value.*--backfill/s);
  });

  it('a big table: the rebuild the NOT NULL needs is refused as having no online path', async () => {
    const big = sqliteSnapshot(3045001, sqliteUsers({ sizeBytes: 500_000_000 }));
    await expect(planChange({ intents: [{ kind: 'add_column', table: 'users', column: { name: 'plan', type: 'text', nullable: false, backfill: "'free'" } }] }, big)).rejects.toThrow(/SQLite has no online way/);
  });

  it.each([
    ["'x'", true],
    ['-1', true],
    ['NULL', true],
    ["x'00'", true],
    ['CURRENT_TIMESTAMP', false],
    ['(1 + 1)', false],
    ["lower('X')", false],
  ])('isConstant(%s) = %s', (expr, constant) => {
    expect(isConstant(expr)).toBe(constant);
  });
});

describe('add column on a STRICT SQLite table', () => {
  it('a type STRICT does not accept is refused at plan time, naming the allowed ones', async () => {
    const strict = sqliteSnapshot(3045001, sqliteUsers({ definition: 'CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT) STRICT' }));
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname varchar(40)' }, strict)).rejects.toThrow(/STRICT table: a column's type must be one of INT, INTEGER, REAL, TEXT, BLOB, ANY, not character varying\(40\)/);
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname text' }, strict);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "users" ADD COLUMN "nickname" TEXT']);
  });
});
