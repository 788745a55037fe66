import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { planViolations } from '../../plan/invariants.js';
import { parsePlanJson } from '../../plan/schema.js';
import type { IndexSchema } from '../../schema/snapshot.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const emailIdx: IndexSchema = {
  name: 'users_email_idx',
  columns: ['email'],
  unique: false,
  primary: false,
  valid: true,
  predicate: null,
  method: 'btree',
  definition: 'CREATE INDEX users_email_idx ON public.users USING btree (email text_pattern_ops)',
};
const pkey: IndexSchema = { ...usersTable().indexes[0]!, definition: 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)' };
const users = (over: Partial<IndexSchema> = {}) => usersTable({ indexes: [pkey, { ...emailIdx, ...over }] });
const small = { sizeBytes: 64 * 1024, rowEstimate: 500 };

describe('reindex on PostgreSQL', () => {
  it('pg12_and_later: REINDEX INDEX CONCURRENTLY alone outside a transaction, SHARE UPDATE EXCLUSIVE; nothing to roll back', async () => {
    for (const v of [120022, 180004]) {
      const plan = await planChange({ sql: 'REINDEX INDEX users_email_idx' }, snapshotOf(v, users()));
      expect(plan.intents[0]).toEqual({ kind: 'reindex', index: 'users_email_idx' });
      expect(plan.steps).toHaveLength(1);
      const s = plan.steps[0]!;
      expect(s.sql).toEqual(['REINDEX INDEX CONCURRENTLY "public"."users_email_idx"']);
      expect(s.transactional).toBe(false);
      expect(s.lock).toEqual({ mode: 'SHARE UPDATE EXCLUSIVE', tables: ['public.users'], blocksReads: false, blocksWrites: false, duration: 'scan' });
      expect(s.rollback.kind).toBe('none');
      expect(s.changes).toEqual([]);
      expect(s.caveats.join('\n')).toMatch(/INVALID index named users_email_idx_ccnew/);
    }
  });

  it('pg11_copy_drop_rename: a copy built CONCURRENTLY, the original dropped CONCURRENTLY, the copy renamed under ACCESS EXCLUSIVE on the index only', async () => {
    const before = snapshotOf(110022, users());
    const plan = await planChange({ sql: 'REINDEX INDEX CONCURRENTLY users_email_idx' }, before);
    expect(plan.steps.map((s) => s.sql[0])).toEqual([
      'CREATE INDEX CONCURRENTLY users_email_idx_ccnew ON public.users (email text_pattern_ops)',
      'DROP INDEX CONCURRENTLY IF EXISTS "public"."users_email_idx"',
      'ALTER INDEX "public"."users_email_idx_ccnew" RENAME TO "users_email_idx"',
    ]);
    expect(plan.steps.map((s) => s.transactional)).toEqual([false, false, true]);
    expect(plan.steps.map((s) => `${s.lock.mode} ${s.lock.tables.join()}`)).toEqual([
      'SHARE UPDATE EXCLUSIVE public.users',
      'SHARE UPDATE EXCLUSIVE public.users',
      'ACCESS EXCLUSIVE public.users_email_idx',
    ]);
    expect(plan.steps[1]!.rollback).toMatchObject({ kind: 'sql', sql: ['CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON public.users (email text_pattern_ops)'] });
    expect(plan.steps[2]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER INDEX "public"."users_email_idx" RENAME TO "users_email_idx_ccnew"'] });
    const after = snapshotsAfterSteps(before, plan.steps);
    expect(after.map((s) => s.tables[0]!.indexes.map((i) => i.name))).toEqual([
      ['users_email_idx', 'users_email_idx_ccnew', 'users_pkey'],
      ['users_email_idx_ccnew', 'users_pkey'],
      ['users_email_idx', 'users_pkey'],
    ]);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
  });

  it('pg11_refuses_constraint_index: no online way to rebuild a primary key index without REINDEX CONCURRENTLY', async () => {
    await expect(planChange({ sql: 'REINDEX INDEX users_pkey' }, snapshotOf(110022, users()))).rejects.toThrow(
      /index users_pkey implements the primary key users_pkey of public\.users; PostgreSQL 11\.22, which has no REINDEX CONCURRENTLY \(12\+\)/,
    );
  });

  it('pg11_small_table: plain REINDEX INDEX, claiming SHARE on the table and ACCESS EXCLUSIVE on the index', async () => {
    const plan = await planChange({ sql: 'REINDEX INDEX users_pkey' }, snapshotOf(110022, usersTable({ ...small, indexes: [pkey, emailIdx] })));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual(['REINDEX INDEX "public"."users_pkey"']);
    expect(plan.steps[0]!.lock).toEqual({ mode: 'SHARE', tables: ['public.users'], blocksReads: false, blocksWrites: true, duration: 'scan', alsoLocks: [{ table: 'public.users_pkey', mode: 'ACCESS EXCLUSIVE' }] });
  });

  it('pg14_0_to_14_3: refused on a large table, plain on a small one', async () => {
    await expect(planChange({ sql: 'REINDEX INDEX users_email_idx' }, snapshotOf(140003, users()))).rejects.toThrow(/14\.3 has the CREATE INDEX CONCURRENTLY \/ REINDEX CONCURRENTLY could build corrupt indexes/);
    const plan = await planChange({ sql: 'REINDEX INDEX users_email_idx' }, snapshotOf(140003, usersTable({ ...small, indexes: [pkey, emailIdx] })));
    expect(plan.steps[0]!.sql).toEqual(['REINDEX INDEX "public"."users_email_idx"']);
  });

  it('reindex_table: one step per index, and a warning that the TOAST index is left out', async () => {
    const plan = await planChange({ sql: 'REINDEX TABLE CONCURRENTLY users' }, snapshotOf(180004, users()));
    expect(plan.intents[0]).toEqual({ kind: 'reindex', table: 'users' });
    expect(plan.steps.map((s) => s.sql[0])).toEqual(['REINDEX INDEX CONCURRENTLY "public"."users_pkey"', 'REINDEX INDEX CONCURRENTLY "public"."users_email_idx"']);
    expect(plan.warnings.join('\n')).toMatch(/TOAST/);
    await expect(planChange({ sql: 'REINDEX TABLE users' }, snapshotOf(110022, users()))).rejects.toThrow(/users_pkey implements the primary key/);
  });

  it('invalid_index: dropped and built again CONCURRENTLY, the build predicted VALID', async () => {
    const before = snapshotOf(180004, users({ valid: false }));
    const plan = await planChange({ sql: 'REINDEX INDEX users_email_idx' }, before);
    expect(plan.steps.map((s) => s.sql[0])).toEqual(['DROP INDEX CONCURRENTLY IF EXISTS "public"."users_email_idx"', 'CREATE INDEX CONCURRENTLY users_email_idx ON public.users (email text_pattern_ops)']);
    expect(plan.steps[0]!.rollback.kind).toBe('none');
    expect(snapshotsAfterSteps(before, plan.steps).at(-1)!.tables[0]!.indexes.find((i) => i.name === 'users_email_idx')!.valid).toBe(true);
    expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
  });

  it('refuses REINDEX SCHEMA and options other than CONCURRENTLY and VERBOSE', async () => {
    await expect(planChange({ sql: 'REINDEX SCHEMA public' }, snapshotOf(180004, users()))).rejects.toThrow(/REINDEX SCHEMA .*is not supported/);
    await expect(planChange({ sql: 'REINDEX (TABLESPACE fast) INDEX users_email_idx' }, snapshotOf(180004, users()))).rejects.toThrow(/REINDEX \(TABLESPACE\)/);
  });
});
