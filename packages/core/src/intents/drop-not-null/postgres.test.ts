import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const notNullEmail = (over: Parameters<typeof usersTable>[0] = {}) =>
  usersTable({ columns: usersTable().columns.map((c) => (c.name === 'email' ? { ...c, nullable: false } : c)), ...over });
const dropNotNull = { sql: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL' };

describe('drop NOT NULL on PostgreSQL', () => {
  it('pg12_and_later: one brief catalog change; the rollback goes CHECK NOT VALID → VALIDATE → SET NOT NULL → DROP CHECK, each in its own transaction', async () => {
    for (const v of [120022, 180004]) {
      const plan = await planChange(dropNotNull, snapshotOf(v, notNullEmail()));
      expect(plan.steps).toHaveLength(1);
      const s = plan.steps[0]!;
      expect(s.sql).toEqual(['ALTER TABLE "public"."users" ALTER COLUMN "email" DROP NOT NULL']);
      expect(s.lock).toEqual({ mode: 'ACCESS EXCLUSIVE', tables: ['public.users'], blocksReads: true, blocksWrites: true, duration: 'brief' });
      expect(s.changes).toEqual([{ op: 'set_nullable', table: { schema: 'public', name: 'users' }, column: 'email', nullable: true }]);
      expect(s.rollback).toMatchObject({
        kind: 'sql',
        transactional: false,
        sql: [
          'ALTER TABLE "public"."users" DROP CONSTRAINT IF EXISTS "users_email_not_null_check"',
          'ALTER TABLE "public"."users" ADD CONSTRAINT "users_email_not_null_check" CHECK ("email" IS NOT NULL) NOT VALID',
          'ALTER TABLE "public"."users" VALIDATE CONSTRAINT "users_email_not_null_check"',
          'ALTER TABLE "public"."users" ALTER COLUMN "email" SET NOT NULL',
          'ALTER TABLE "public"."users" DROP CONSTRAINT "users_email_not_null_check"',
        ],
      });
      expect(s.caveats.join('\n')).toMatch(/every reader of it .* must handle NULL/);
      expect(plan.pointOfNoReturn).toBeNull();
    }
  });

  it('pg11_rollback_scans: SET NOT NULL as the way back, with the scan under ACCESS EXCLUSIVE stated in the note and a caveat', async () => {
    const plan = await planChange(dropNotNull, snapshotOf(110022, notNullEmail()));
    const s = plan.steps[0]!;
    expect(s.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE "public"."users" ALTER COLUMN "email" SET NOT NULL'], transactional: true });
    expect(s.rollback.kind === 'sql' && s.rollback.note).toMatch(/on PostgreSQL 11\.22 SET NOT NULL scans all of public\.users \(8\.4 GiB, ~43 s\) holding ACCESS EXCLUSIVE/);
    expect(s.caveats.join('\n')).toMatch(/On PostgreSQL 11\.22 the way back is expensive/);
  });

  it('small_table: the rollback is a plain SET NOT NULL', async () => {
    const plan = await planChange(dropNotNull, snapshotOf(180004, notNullEmail({ sizeBytes: 64 * 1024, rowEstimate: 500 })));
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE "public"."users" ALTER COLUMN "email" SET NOT NULL'], transactional: true });
  });

  it('temporary_check_name_taken: the rollback CHECK gets a free name', async () => {
    const users = notNullEmail();
    users.constraints.push({ name: 'users_email_not_null_check', type: 'check', columns: ['email'], definition: 'CHECK (true)', validated: true, references: null });
    const plan = await planChange(dropNotNull, snapshotOf(180004, users));
    expect(plan.steps[0]!.rollback.kind === 'sql' && plan.steps[0]!.rollback.sql[0]).toContain('"users_email_not_null_check_1"');
  });

  it('refuses an already nullable column and a primary key column', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL' }, snapshotOf(180004))).rejects.toThrow(/already nullable; nothing to do/);
    await expect(planChange({ sql: 'ALTER TABLE users ALTER COLUMN id DROP NOT NULL' }, snapshotOf(180004))).rejects.toThrow(/part of the primary key users_pkey .* keeps primary key columns NOT NULL/);
  });
});
