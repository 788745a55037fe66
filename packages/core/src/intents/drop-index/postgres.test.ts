import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import type { IndexSchema, TableSchema } from '../../schema/snapshot.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const emailIdx: IndexSchema = {
  name: 'users_lower_email_key',
  columns: ['lower(email)'],
  unique: true,
  primary: false,
  valid: true,
  predicate: '(email IS NOT NULL)',
  method: 'btree',
  definition: 'CREATE UNIQUE INDEX users_lower_email_key ON public.users USING btree (lower(email)) WHERE (email IS NOT NULL)',
};
const users = (...extra: IndexSchema[]) => usersTable({ indexes: [...usersTable().indexes, emailIdx, ...extra] });

describe('drop index on PostgreSQL', () => {
  it('concurrently: DROP INDEX CONCURRENTLY alone outside a transaction, SHARE UPDATE EXCLUSIVE; the rollback rebuilds it CONCURRENTLY from its definition', async () => {
    const before = snapshotOf(180004, users());
    const plan = await planChange({ sql: 'DROP INDEX users_lower_email_key' }, before);
    expect(plan.intents[0]).toEqual({ kind: 'drop_index', index: 'users_lower_email_key' });
    expect(plan.steps).toHaveLength(1);
    const s = plan.steps[0]!;
    expect(s.sql).toEqual(['DROP INDEX CONCURRENTLY IF EXISTS "public"."users_lower_email_key"']);
    expect(s.transactional).toBe(false);
    expect(s.lock).toEqual({ mode: 'SHARE UPDATE EXCLUSIVE', tables: ['public.users'], blocksReads: false, blocksWrites: false, duration: 'brief' });
    expect(s.checkpoint).toMatchObject({ sql: `SELECT to_regclass('"public"."users_lower_email_key"') IS NULL`, expected: true });
    expect(s.rollback).toMatchObject({
      kind: 'sql',
      sql: ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_lower_email_key ON public.users ((lower(email))) WHERE email IS NOT NULL'],
      transactional: false,
    });
    expect(s.caveats.join('\n')).toMatch(/duplicate \(lower\(email\)\) values can be written, and INSERT … ON CONFLICT/);
    expect(plan.tables.map((t) => t.table)).toEqual(['public.users']);
    expect(snapshotsAfterSteps(before, plan.steps)[0]!.tables[0]!.indexes.map((i) => i.name)).toEqual(['users_pkey']);
  });

  it('several_and_qualified: DROP INDEX a, b becomes one step per index; a schema-qualified name finds its table', async () => {
    const other: TableSchema = usersTable({ schema: 'app', name: 'accounts', indexes: [{ ...emailIdx, name: 'accounts_idx', definition: 'CREATE INDEX accounts_idx ON app.accounts USING btree (email)' }] });
    const plan = await planChange({ sql: 'DROP INDEX CONCURRENTLY IF EXISTS users_lower_email_key, app.accounts_idx' }, snapshotOf(180004, users(), other));
    expect(plan.steps.map((s) => s.sql[0])).toEqual(['DROP INDEX CONCURRENTLY IF EXISTS "public"."users_lower_email_key"', 'DROP INDEX CONCURRENTLY IF EXISTS "app"."accounts_idx"']);
    expect(plan.tables.map((t) => t.table)).toEqual(['public.users', 'app.accounts']);
  });

  it('pg14_0_to_14_3: the rollback is a plain build, with the reason', async () => {
    const plan = await planChange({ sql: 'DROP INDEX users_lower_email_key' }, snapshotOf(140002, users()));
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', transactional: true, sql: ['CREATE UNIQUE INDEX IF NOT EXISTS users_lower_email_key ON public.users ((lower(email))) WHERE email IS NOT NULL'] });
    expect(plan.steps[0]!.rollback.kind === 'sql' && plan.steps[0]!.rollback.note).toMatch(/PostgreSQL 14\.2 can corrupt concurrently built indexes/);
  });

  it('invalid_index: nothing to roll back to (it was never usable)', async () => {
    const plan = await planChange({ sql: 'DROP INDEX users_lower_email_key' }, snapshotOf(180004, usersTable({ indexes: [...usersTable().indexes, { ...emailIdx, valid: false }] })));
    expect(plan.steps[0]!.rollback.kind).toBe('none');
    expect(plan.steps[0]!.caveats.join('\n')).toMatch(/INVALID/);
  });

  it('refuses_constraint_index: a primary key index is dropped with its constraint', async () => {
    await expect(planChange({ sql: 'DROP INDEX users_pkey' }, snapshotOf(180004, users()))).rejects.toThrow(
      /index users_pkey implements the primary key users_pkey of public\.users; DROP INDEX cannot remove it on its own\. Drop the constraint instead \(ALTER TABLE "public"\."users" DROP CONSTRAINT users_pkey/,
    );
  });

  it('refuses_index_a_foreign_key_relies_on', async () => {
    const unique: IndexSchema = { ...emailIdx, name: 'users_email_key', columns: ['email'], predicate: null, definition: 'CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)' };
    const orders = usersTable({
      name: 'orders',
      indexes: [],
      constraints: [{ name: 'orders_email_fkey', type: 'foreign_key', columns: ['email'], definition: '', validated: true, references: { table: 'public.users', columns: ['email'] } }],
    });
    await expect(planChange({ sql: 'DROP INDEX users_email_key' }, snapshotOf(180004, users(unique), orders))).rejects.toThrow(
      /foreign key orders_email_fkey on public\.orders references public\.users \(email\) through the unique index users_email_key/,
    );
  });

  it('refuses unknown indexes (listing some) and CASCADE', async () => {
    await expect(planChange({ sql: 'DROP INDEX nope' }, snapshotOf(180004, users()))).rejects.toThrow(/index "nope" is not in the schema \(indexes: public\.users_pkey, public\.users_lower_email_key\)/);
    await expect(planChange({ sql: 'DROP INDEX users_lower_email_key CASCADE' }, snapshotOf(180004, users()))).rejects.toThrow(/DROP INDEX … CASCADE/);
  });

  it('a snapshot without index definitions cannot plan the rollback: says to take a fresh one', async () => {
    await expect(planChange({ sql: 'DROP INDEX x' }, snapshotOf(180004, users({ ...emailIdx, name: 'x', definition: '' })))).rejects.toThrow(/no usable definition for index public\.x.*take a fresh snapshot/);
  });
});
