import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteOrders, sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

describe('rename column on SQLite', () => {
  it('expand/contract, not RENAME COLUMN: add, dual write, backfill, parity, switch, drop', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'app@A+1', 'backfill@A+1', 'validate@A+1', 'app@A+2', 'ddl@A+3']);
    expect(plan.steps.flatMap((s) => s.sql).some((sql) => /RENAME COLUMN/.test(sql))).toBe(false);
    expect(plan.steps[2]!.backfill?.predicate).toBe('"display_name" IS NOT "full_name"');
    expect(plan.pointOfNoReturn?.step).toBe(6);
  });

  it('a NOT NULL column without a default: the old column becomes nullable (rebuild) before the application stops writing it', async () => {
    const users = sqliteUsers({ columns: [{ name: 'id', type: 'INTEGER', nullable: false, default: null }, { name: 'full_name', type: 'TEXT', nullable: false, default: null }] });
    const plan = await planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, sqliteSnapshot(3045001, users));
    const rebuild = plan.steps.find((s) => s.title.includes('NOT NULL'))!;
    expect(rebuild.changes).toEqual([
      { op: 'set_nullable', table: { schema: 'main', name: 'users' }, column: 'full_name', nullable: true },
      { op: 'set_nullable', table: { schema: 'main', name: 'users' }, column: 'display_name', nullable: false },
    ]);
    expect(rebuild.n).toBeLessThan(plan.steps.find((s) => s.kind === 'app' && s.deploy === 'A+2')!.n);
  });

  it('an indexed, constrained column: index copies before the switch, and a last rebuild that gives them (and the constraints) their names', async () => {
    const users = sqliteUsers({
      indexes: [{ name: 'users_name_idx', columns: ['lower(full_name)'], unique: false, primary: false, valid: true, predicate: 'full_name IS NOT NULL', method: 'btree', definition: 'CREATE INDEX users_name_idx ON users (lower(full_name)) WHERE full_name IS NOT NULL' }],
      constraints: [
        { name: 'users_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY ("id")', validated: true, references: null },
        { name: 'users_name_check', type: 'check', columns: ['full_name'], definition: "CHECK (full_name <> '')", validated: true, references: null },
      ],
    });
    const plan = await planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, sqliteSnapshot(3045001, users));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'app@A+1', 'backfill@A+1', 'validate@A+1', 'ddl@A+1', 'app@A+2', 'ddl@A+3']);
    expect(plan.steps[4]!.sql).toEqual(['CREATE INDEX "users_name_idx_next" ON "users" (lower("display_name")) WHERE "display_name" IS NOT NULL']);
    const last = plan.steps[6]!.sql;
    expect(last).toContain('CREATE INDEX "users_name_idx" ON "users" (lower("display_name")) WHERE "display_name" IS NOT NULL');
    expect(last.join('\n')).not.toContain('users_name_idx_next');
    expect(last[2]).toContain(`CONSTRAINT "users_name_check" CHECK ("display_name" <> '')`);
  });

  it('a column other tables reference is refused, naming the foreign key and the way out', async () => {
    const orders = sqliteOrders({ constraints: [{ name: 'orders_user_fk', type: 'foreign_key', columns: ['user_id'], definition: '', validated: true, references: { table: 'main.users', columns: ['full_name'] } }] });
    await expect(planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, sqliteSnapshot(3045001, sqliteUsers(), orders))).rejects.toThrow(/foreign key orders_user_fk.*ORM mapping/s);
  });

  it('--sync trigger: two AFTER triggers keep the columns equal, so the dual-write deploy disappears', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, sqliteSnapshot(3045001), { sync: 'trigger' });
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'ddl@A', 'backfill@A', 'validate@A', 'app@A+1', 'ddl@A+2', 'ddl@A+2']);
    expect(plan.steps[1]!.sql).toEqual([
      'CREATE TRIGGER "users_full_name_display_name_sync_insert" AFTER INSERT ON "users" WHEN NEW."display_name" IS NOT NEW."full_name" BEGIN UPDATE "users" SET "display_name" = CASE WHEN NEW."display_name" IS NULL THEN NEW."full_name" ELSE NEW."display_name" END, "full_name" = CASE WHEN NEW."display_name" IS NULL THEN NEW."full_name" ELSE NEW."display_name" END WHERE "id" = NEW."id"; END',
      'CREATE TRIGGER "users_full_name_display_name_sync_update" AFTER UPDATE OF "full_name", "display_name" ON "users" WHEN NEW."display_name" IS NOT NEW."full_name" BEGIN UPDATE "users" SET "display_name" = CASE WHEN NEW."display_name" IS NOT OLD."display_name" THEN NEW."display_name" ELSE NEW."full_name" END, "full_name" = CASE WHEN NEW."display_name" IS NOT OLD."display_name" THEN NEW."display_name" ELSE NEW."full_name" END WHERE "id" = NEW."id"; END',
    ]);
    expect(plan.steps[5]!.sql).toEqual(['DROP TRIGGER IF EXISTS "users_full_name_display_name_sync_insert"', 'DROP TRIGGER IF EXISTS "users_full_name_display_name_sync_update"']);
  });
});

describe('rename column on a big SQLite table', () => {
  it('is refused up front: dropping the old column rewrites the table under the write lock', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, sqliteSnapshot(3045001, sqliteUsers({ sizeBytes: 2_000_000_000 })))).rejects.toThrow(/no online way to do this \(renaming full_name: its last step drops the old column/);
  });
});
