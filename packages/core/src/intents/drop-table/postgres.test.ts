import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { planViolations } from '../../plan/invariants.js';
import type { TableSchema } from '../../schema/snapshot.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

function orders(withKey: boolean): TableSchema {
  return {
    schema: 'public',
    name: 'orders',
    columns: [
      { name: 'id', type: 'bigint', nullable: false, default: null },
      { name: 'user_id', type: 'bigint', nullable: true, default: null },
    ],
    indexes: [{ name: 'orders_pkey', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: '' }],
    constraints: [
      { name: 'orders_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true, references: null },
      ...(withKey ? [{ name: 'orders_user_id_fkey', type: 'foreign_key' as const, columns: ['user_id'], definition: '', validated: true, references: { table: 'public.users', columns: ['id'] } }] : []),
    ],
    triggers: [],
    rowEstimate: 1_234_567,
    sizeBytes: 200_000_000,
  };
}

describe('drop table on PostgreSQL', () => {
  it('app_step_then_drop_in_the_next_release: the drop is the point of no return and says what is lost', async () => {
    const plan = await planChange({ sql: 'DROP TABLE orders' }, snapshotOf(180004, usersTable(), orders(true)));
    expect(plan.steps.map((s) => [s.deploy, s.kind, s.sql[0] ?? s.title])).toEqual([
      ['A+1', 'app', 'Application stops using public.orders'],
      ['A+2', 'ddl', 'DROP TABLE "public"."orders"'],
    ]);
    // dropping a table with a foreign key also takes ACCESS EXCLUSIVE on the referenced table
    expect(plan.steps[1]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', tables: ['public.orders', 'public.users'], duration: 'brief' });
    expect(plan.pointOfNoReturn).toEqual({ step: 2, reason: expect.stringMatching(/only a restore from backup.*lost: all ~1,234,567 rows of public\.orders.*indexes orders_pkey/) });
    expect(plan.lastReversibleStep).toBe(1);
    expect(plan.steps[1]!.checkpoint).toMatchObject({ sql: `SELECT to_regclass('"public"."orders"') IS NULL`, expected: true });
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
  });

  it('referenced_table_refused: names the foreign keys and how to drop them', async () => {
    const err = (await planChange({ sql: 'DROP TABLE users' }, snapshotOf(180004, usersTable(), orders(true))).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/public\.users is referenced by foreign key orders_user_id_fkey on public\.orders \(user_id\).*ALTER TABLE "public"\."orders" DROP CONSTRAINT "orders_user_id_fkey"/s);
  });

  it('referencing_table_dropped_first_in_the_same_plan: then the referenced one can go', async () => {
    const plan = await planChange({ sql: 'DROP TABLE orders, users' }, snapshotOf(180004, usersTable(), orders(true)));
    expect(plan.steps.filter((s) => s.kind === 'ddl').map((s) => s.sql[0])).toEqual(['DROP TABLE "public"."orders"', 'DROP TABLE "public"."users"']);
    expect(plan.pointOfNoReturn?.step).toBe(2);
  });

  it('cascade_refused', async () => {
    await expect(planChange({ sql: 'DROP TABLE orders CASCADE' }, snapshotOf(180004, usersTable(), orders(false)))).rejects.toThrow(/CASCADE also drops/);
  });
});
