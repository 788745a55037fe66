import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { planViolations } from '../../plan/invariants.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import type { TableSchema } from '../../schema/snapshot.js';
import { ordersTable, snapshotOf, usersTable } from '../fixtures.test-support.js';

const snapshot = (version = 180004, orders = ordersTable()) => snapshotOf(version, usersTable(), orders);

describe('add a referencing column on PostgreSQL', () => {
  it('column_then_index_then_not_valid_then_validate: no step holds a write-blocking lock during a scan', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES users (id)' }, snapshot());
    expect(plan.steps.map((s) => s.sql[0])).toEqual([
      'ALTER TABLE "public"."orders" ADD COLUMN "customer_id" bigint',
      'CREATE INDEX CONCURRENTLY "orders_customer_id_idx" ON "public"."orders" ("customer_id")',
      'ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "public"."users" ("id") NOT VALID',
      'ALTER TABLE "public"."orders" VALIDATE CONSTRAINT "orders_customer_id_fkey"',
    ]);
    expect(plan.steps.map((s) => s.lock.mode)).toEqual(['ACCESS EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE']);
    expect(plan.steps[2]!.lock.tables).toEqual(['public.orders', 'public.users']);
    expect(plan.tables.map((t) => t.table)).toEqual(['public.orders', 'public.users']);
    expect(plan.warnings).toEqual([]);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
    const orders = snapshotsAfterSteps(snapshot(), plan.steps).at(-1)!.tables.find((t) => t.name === 'orders')!;
    expect(orders.columns.at(-1)).toEqual({ name: 'customer_id', type: 'bigint', nullable: true, default: null });
    expect(orders.constraints.find((k) => k.type === 'foreign_key')).toMatchObject({ validated: true, references: { table: 'public.users', columns: ['id'] } });
  });

  it('not_null_with_backfill: nullable column, application writes it, backfill, NOT NULL, then index and key (in the application release)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD COLUMN owner_id bigint NOT NULL REFERENCES users ON DELETE CASCADE' }, snapshot(), { backfill: 'user_id' });
    expect(plan.steps.map((s) => `${s.deploy} ${s.kind}`)).toEqual(['A ddl', 'A+1 app', 'A+1 backfill', 'A+1 ddl', 'A+1 validate', 'A+1 ddl', 'A+1 ddl', 'A+1 ddl', 'A+1 ddl', 'A+1 validate']);
    expect(plan.steps[2]!.backfill).toMatchObject({ set: '"owner_id" = user_id', predicate: '"owner_id" IS NULL' });
    expect(plan.steps.at(-2)!.sql[0]).toMatch(/REFERENCES "public"\."users" \("id"\) ON DELETE CASCADE NOT VALID$/);
  });

  it('not_null_without_backfill_refused: existing rows need a value', async () => {
    await expect(planChange({ sql: 'ALTER TABLE orders ADD COLUMN owner_id bigint NOT NULL REFERENCES users' }, snapshot())).rejects.toThrow(/existing rows need a value/);
  });

  it('without_index_warns: index: false skips the build and the plan says what that costs', async () => {
    const plan = await planChange(
      { intents: [{ kind: 'add_reference_column', table: 'orders', column: { name: 'customer_id', type: 'bigint' }, references: { table: 'users' }, index: false }] },
      snapshot(),
    );
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'ddl', 'validate']);
    expect(plan.warnings.join('\n')).toMatch(/No index on public\.orders starts with \(customer_id\)/);
  });

  it('small_tables: the add, a plain index and one validated ADD CONSTRAINT', async () => {
    const small = snapshotOf(180004, usersTable({ sizeBytes: 100_000 }), ordersTable({ sizeBytes: 100_000 }));
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES users' }, small);
    expect(plan.steps.map((s) => s.sql[0])).toEqual([
      'ALTER TABLE "public"."orders" ADD COLUMN "customer_id" bigint',
      'CREATE INDEX "orders_customer_id_idx" ON "public"."orders" ("customer_id")',
      'ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "public"."users" ("id")',
    ]);
  });

  it('refusals: unknown referenced table, incompatible types, the column already there', async () => {
    await expect(planChange({ sql: 'ALTER TABLE orders ADD COLUMN c bigint REFERENCES customers' }, snapshot())).rejects.toThrow(/table "customers" is not in the schema/);
    await expect(planChange({ sql: 'ALTER TABLE orders ADD COLUMN c uuid REFERENCES users' }, snapshot())).rejects.toThrow(/cannot reference public\.users\.id \(bigint\)/);
    await expect(planChange({ sql: 'ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users' }, snapshot())).rejects.toThrow(/column "user_id" already exists/);
  });
});
