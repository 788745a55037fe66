import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { planViolations } from '../../plan/invariants.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import type { TableSchema } from '../../schema/snapshot.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const orders: TableSchema = {
  ...usersTable({ name: 'orders', columns: [{ name: 'id', type: 'bigint', nullable: false, default: null }, { name: 'user_id', type: 'bigint', nullable: true, default: null }] }),
  indexes: [],
  constraints: [{ name: 'orders_user_id_fkey', type: 'foreign_key', columns: ['user_id'], definition: '', validated: true, references: { table: 'public.users', columns: ['id'] } }],
};

describe('rename table on PostgreSQL', () => {
  it('view_default: rename and a view with the old name in one transaction, the application moves, the view is dropped', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users RENAME TO accounts' }, snapshotOf(110022, usersTable(), orders));
    expect(plan.steps.map((s) => [s.deploy, s.kind, s.sql])).toEqual([
      ['A', 'ddl', ['ALTER TABLE "public"."users" RENAME TO "accounts"', 'CREATE VIEW "public"."users" AS SELECT * FROM "public"."accounts"']],
      ['A+1', 'app', []],
      ['A+2', 'ddl', ['DROP VIEW "public"."users"']],
    ]);
    expect(plan.steps[0]).toMatchObject({ transactional: true, lock: { mode: 'ACCESS EXCLUSIVE', duration: 'brief' } });
    expect(plan.steps[0]!.rollback).toEqual({
      kind: 'sql',
      sql: ['DROP VIEW "public"."users"', 'ALTER TABLE "public"."accounts" RENAME TO "users"'],
      transactional: true,
      note: 'while the application still uses the old name only',
    });
    expect(plan.steps[2]!.rollback).toEqual({ kind: 'sql', sql: ['CREATE VIEW "public"."users" AS SELECT * FROM "public"."accounts"'], transactional: true });
    expect(plan.pointOfNoReturn).toBeNull();
    expect(plan.warnings.join('\n')).toMatch(/not TRUNCATE, ALTER TABLE, LOCK TABLE or COPY … FROM.*via: "app"/s);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
    // foreign keys elsewhere follow the table, as pg_constraint does
    const after = snapshotsAfterSteps(snapshotOf(110022, usersTable(), orders), plan.steps).at(-1)!;
    expect(after.tables.map((t) => t.name)).toEqual(['accounts', 'orders']);
    expect(after.tables[1]!.constraints[0]!.references).toEqual({ table: 'public.accounts', columns: ['id'] });
  });

  it('via_app: the application copes with both names across a plain rename', async () => {
    const plan = await planChange({ intents: [{ kind: 'rename_table', table: 'users', to: 'accounts', via: 'app' }] }, snapshotOf(180004));
    expect(plan.steps.map((s) => [s.deploy, s.kind, s.sql[0] ?? s.instruction])).toEqual([
      ['A+1', 'app', expect.stringMatching(/uses public\.accounts and, when a statement fails with SQLSTATE 42P01 \(undefined_table\).*retries it with public\.users/)],
      ['A+1', 'ddl', 'ALTER TABLE "public"."users" RENAME TO "accounts"'],
      ['A+2', 'app', 'Deploy the application version that uses public.accounts without the fallback to public.users.'],
    ]);
    expect(plan.warnings.join('\n')).toMatch(/No view: between the rename/);
  });

  it('refusals: the name is taken, the same name', async () => {
    const snapshot = snapshotOf(180004, usersTable(), { ...orders, constraints: [] });
    await expect(planChange({ sql: 'ALTER TABLE users RENAME TO orders' }, snapshot)).rejects.toThrow(/a table named "orders" already exists in schema public/);
    await expect(planChange({ sql: 'ALTER TABLE users RENAME TO users_pkey' }, snapshot)).rejects.toThrow(/an index \(on public\.users\) named "users_pkey"/);
    await expect(planChange({ sql: 'ALTER TABLE users RENAME TO users' }, snapshot)).rejects.toThrow(/the new name equals the old one/);
  });
});
