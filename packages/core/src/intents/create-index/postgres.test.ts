import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

describe('create index on PostgreSQL', () => {
  it('CONCURRENTLY alone in a non-transactional step with a VALID checkpoint and a concurrent drop as rollback', async () => {
    const plan = await planChange({ sql: 'CREATE INDEX users_email_idx ON users (email, full_name)' }, snapshotOf(180004));
    expect(plan.steps).toHaveLength(1);
    const s = plan.steps[0]!;
    expect(s.sql).toEqual(['CREATE INDEX CONCURRENTLY "users_email_idx" ON "public"."users" ("email", "full_name")']);
    expect(s.transactional).toBe(false);
    expect(s.lock).toMatchObject({ mode: 'SHARE UPDATE EXCLUSIVE', blocksReads: false, blocksWrites: false });
    expect(s.checkpoint?.sql).toContain('indisvalid');
    expect(s.rollback).toMatchObject({ kind: 'sql', sql: ['DROP INDEX CONCURRENTLY IF EXISTS "public"."users_email_idx"'], transactional: false });
  });

  it('unique partial index: a duplicate check first, then the concurrent build', async () => {
    const plan = await planChange({ sql: 'CREATE UNIQUE INDEX ON users (lower(email)) WHERE email IS NOT NULL' }, snapshotOf(120022));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[0]!.checkpoint?.sql).toMatch(/GROUP BY \(lower\(email\)\) HAVING count\(\*\) > 1/);
    expect(plan.steps[1]!.sql[0]).toBe('CREATE UNIQUE INDEX CONCURRENTLY "users_lower_email_key" ON "public"."users" ((lower(email))) WHERE email IS NOT NULL');
  });

  it('pg14_0_to_14_3: refuses the concurrent build (corruption bug) and says to upgrade', async () => {
    await expect(planChange({ sql: 'CREATE INDEX ON users (email)' }, snapshotOf(140002))).rejects.toThrow(/14\.4/);
    expect((await planChange({ sql: 'CREATE INDEX ON users (email)' }, snapshotOf(140004))).steps).toHaveLength(1);
  });

  it('small table: a plain transactional CREATE INDEX', async () => {
    const plan = await planChange({ sql: 'CREATE INDEX ON users (email)' }, snapshotOf(180004, usersTable({ sizeBytes: 8192, rowEstimate: 10 })));
    expect(plan.steps[0]!.sql[0]).toBe('CREATE INDEX "users_email_idx" ON "public"."users" ("email")');
    expect(plan.steps[0]!.transactional).toBe(true);
  });

  it('unknown columns, even inside expressions and predicates, are refused', async () => {
    await expect(planChange({ sql: 'CREATE INDEX ON users (nope)' }, snapshotOf(180004))).rejects.toThrow(/column "nope" does not exist/);
    await expect(planChange({ sql: 'CREATE INDEX ON users (lower(nope))' }, snapshotOf(180004))).rejects.toThrow(/column "nope" does not exist/);
    await expect(planChange({ sql: 'CREATE INDEX ON users (email) WHERE gone IS NULL' }, snapshotOf(180004))).rejects.toThrow(/column "gone" does not exist/);
    await expect(planChange({ sql: 'CREATE INDEX users_pkey ON users (email)' }, snapshotOf(180004))).rejects.toThrow(/already exists/);
  });
});
