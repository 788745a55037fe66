import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { parsePlanJson } from '../../plan/schema.js';
import { planViolations } from '../../plan/invariants.js';
import type { ConstraintSchema, TableSchema } from '../../schema/snapshot.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const check: ConstraintSchema = { name: 'users_name_check', type: 'check', columns: ['full_name'], definition: 'CHECK ((length(full_name) > 0))', validated: true, references: null };
const fk: ConstraintSchema = { name: 'orders_user_id_fkey', type: 'foreign_key', columns: ['user_id'], definition: 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE', validated: true, references: { table: 'public.users', columns: ['id'] } };

function ordersTable(over: Partial<TableSchema> = {}): TableSchema {
  return usersTable({
    name: 'orders',
    columns: [
      { name: 'id', type: 'bigint', nullable: false, default: null },
      { name: 'user_id', type: 'bigint', nullable: true, default: null },
    ],
    indexes: [{ name: 'orders_pkey', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: 'CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)' }],
    constraints: [{ name: 'orders_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true, references: null }, fk],
    ...over,
  });
}
const withCheck = (k: ConstraintSchema = check) => usersTable({ constraints: [...usersTable().constraints, k] });

describe('drop constraint on PostgreSQL', () => {
  it('check: brief ACCESS EXCLUSIVE; the rollback re-adds it NOT VALID and validates it in its own transaction', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users DROP CONSTRAINT users_name_check' }, snapshotOf(180004, withCheck()));
    expect(plan.intents[0]).toEqual({ kind: 'drop_constraint', table: 'users', name: 'users_name_check' });
    const s = plan.steps[0]!;
    expect(s.sql).toEqual(['ALTER TABLE "public"."users" DROP CONSTRAINT "users_name_check"']);
    expect(s.lock).toEqual({ mode: 'ACCESS EXCLUSIVE', tables: ['public.users'], blocksReads: true, blocksWrites: true, duration: 'brief' });
    expect(s.checkpoint).toMatchObject({ description: 'constraint users_name_check is gone', expected: 0 });
    expect(s.rollback).toMatchObject({
      kind: 'sql',
      transactional: false,
      sql: [
        'ALTER TABLE "public"."users" DROP CONSTRAINT IF EXISTS "users_name_check"',
        'ALTER TABLE "public"."users" ADD CONSTRAINT "users_name_check" CHECK ((length(full_name) > 0)) NOT VALID',
        'ALTER TABLE "public"."users" VALIDATE CONSTRAINT "users_name_check"',
      ],
    });
  });

  it('not_valid_check: comes back NOT VALID, as it was', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users DROP CONSTRAINT users_name_check' }, snapshotOf(180004, withCheck({ ...check, validated: false, definition: 'CHECK ((length(full_name) > 0)) NOT VALID' })));
    expect(plan.steps[0]!.rollback).toMatchObject({ transactional: true, sql: ['ALTER TABLE "public"."users" ADD CONSTRAINT "users_name_check" CHECK ((length(full_name) > 0)) NOT VALID'] });
  });

  it('foreign_key: ACCESS EXCLUSIVE on both tables (the claim and the plan facts name the referenced one); the rollback re-adds it NOT VALID, then validates', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey' }, snapshotOf(180004, usersTable(), ordersTable()));
    const s = plan.steps[0]!;
    expect(s.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', tables: ['public.orders', 'public.users'] });
    expect(s.caveats[0]).toMatch(/ACCESS EXCLUSIVE on public\.orders and on the referenced public\.users/);
    expect(s.rollback).toMatchObject({
      transactional: false,
      sql: [
        'ALTER TABLE "public"."orders" DROP CONSTRAINT IF EXISTS "orders_user_id_fkey"',
        'ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_user_id_fkey" FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID',
        'ALTER TABLE "public"."orders" VALIDATE CONSTRAINT "orders_user_id_fkey"',
      ],
    });
    expect(plan.tables.map((t) => t.table)).toEqual(['public.orders', 'public.users']);
  });

  it('primary_key: the index goes with it; the rollback builds it again CONCURRENTLY and attaches it with USING INDEX', async () => {
    const before = snapshotOf(180004, usersTable(), ordersTable({ constraints: [ordersTable().constraints[0]!] }));
    const plan = await planChange({ sql: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey' }, before);
    const s = plan.steps[0]!;
    expect(s.changes).toEqual([
      { op: 'drop_constraint', table: { schema: 'public', name: 'orders' }, constraint: 'orders_pkey' },
      { op: 'drop_index', table: { schema: 'public', name: 'orders' }, index: 'orders_pkey' },
    ]);
    expect(s.rollback).toMatchObject({
      kind: 'sql',
      transactional: false,
      sql: ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_pkey ON public.orders (id)', 'ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_pkey" PRIMARY KEY USING INDEX "orders_pkey"'],
    });
    expect(s.caveats.join('\n')).toMatch(/logical replication has no replica identity/);
    const after = snapshotsAfterSteps(before, plan.steps)[0]!.tables.find((t) => t.name === 'orders')!;
    expect([after.indexes, after.constraints]).toEqual([[], []]);
    expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
  });

  it('deferrable_unique: the rollback keeps DEFERRABLE INITIALLY DEFERRED', async () => {
    const users = usersTable({
      indexes: [...usersTable().indexes, { name: 'users_email_key', columns: ['email'], unique: true, primary: false, valid: true, predicate: null, method: 'btree', definition: 'CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)' }],
      constraints: [...usersTable().constraints, { name: 'users_email_key', type: 'unique', columns: ['email'], definition: 'UNIQUE (email) DEFERRABLE INITIALLY DEFERRED', validated: true, references: null }],
    });
    const plan = await planChange({ sql: 'ALTER TABLE users DROP CONSTRAINT users_email_key' }, snapshotOf(180004, users));
    expect(plan.steps[0]!.rollback.kind === 'sql' && plan.steps[0]!.rollback.sql[1]).toBe(
      'ALTER TABLE "public"."users" ADD CONSTRAINT "users_email_key" UNIQUE USING INDEX "users_email_key" DEFERRABLE INITIALLY DEFERRED',
    );
  });

  it('refuses_referenced_key: a primary key a foreign key references, naming the foreign key', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users DROP CONSTRAINT users_pkey' }, snapshotOf(180004, usersTable(), ordersTable()))).rejects.toThrow(
      /foreign key orders_user_id_fkey on public\.orders references public\.users \(id\) through primary key users_pkey, so PostgreSQL refuses to drop it/,
    );
  });

  it('refuses unknown constraints (listing them), mentioning DROP NOT NULL, and CASCADE', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users DROP CONSTRAINT users_email_not_null' }, snapshotOf(180004))).rejects.toThrow(/does not exist on public\.users \(constraints: users_pkey\); a NOT NULL is removed with ALTER TABLE … ALTER COLUMN … DROP NOT NULL/);
    await expect(planChange({ sql: 'ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE' }, snapshotOf(180004))).rejects.toThrow(/DROP CONSTRAINT … CASCADE/);
  });
});
