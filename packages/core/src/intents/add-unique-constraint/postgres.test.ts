import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { planViolations } from '../../plan/invariants.js';
import { parsePlanJson } from '../../plan/schema.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const addUnique = { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)' };

describe('add unique constraint on PostgreSQL', () => {
  it('duplicate_check_then_concurrent_build_then_attach: no step blocks writes while it scans', async () => {
    const plan = await planChange(addUnique, snapshotOf(180004));
    expect(plan.steps.map((s) => [s.kind, s.sql[0] ?? null, s.transactional])).toEqual([
      ['validate', null, true],
      ['ddl', 'CREATE UNIQUE INDEX CONCURRENTLY "users_email_key" ON "public"."users" ("email")', false],
      ['ddl', 'ALTER TABLE "public"."users" ADD CONSTRAINT "users_email_key" UNIQUE USING INDEX "users_email_key"', true],
    ]);
    const [check, build, attach] = plan.steps as [(typeof plan.steps)[0], (typeof plan.steps)[0], (typeof plan.steps)[0]];
    // rows with a NULL email never clash in a unique index
    expect(check.checkpoint!.sql).toBe(
      'SELECT count(*) FROM (SELECT 1 FROM "public"."users" WHERE ("email") IS NOT NULL GROUP BY "email" HAVING count(*) > 1 LIMIT 1) AS duplicates',
    );
    expect(build.lock).toMatchObject({ mode: 'SHARE UPDATE EXCLUSIVE', blocksWrites: false, duration: 'scan' });
    expect(attach.lock).toEqual({ mode: 'ACCESS EXCLUSIVE', tables: ['public.users'], blocksReads: true, blocksWrites: true, duration: 'brief' });
    expect(attach.timeouts).toMatchObject({ lockTimeoutMs: 2000, retries: 10 });
    expect(attach.checkpoint).toMatchObject({ description: 'constraint users_email_key exists and is validated' });
    expect(attach.rollback).toEqual({
      kind: 'sql',
      sql: ['ALTER TABLE "public"."users" DROP CONSTRAINT "users_email_key"', 'CREATE UNIQUE INDEX CONCURRENTLY "users_email_key" ON "public"."users" ("email")'],
      transactional: false,
      note: expect.stringMatching(/drops its index too/),
    });
    expect(plan.pointOfNoReturn).toBeNull();
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
    expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
    const after = snapshotsAfterSteps(snapshotOf(180004), plan.steps).at(-1)!.tables[0]!;
    expect(after.constraints.find((k) => k.name === 'users_email_key')).toMatchObject({ type: 'unique', columns: ['email'], validated: true });
    expect(after.indexes.find((i) => i.name === 'users_email_key')).toMatchObject({ unique: true, primary: false, valid: true });
  });

  it('generated_name_like_postgres: UNIQUE (full_name, email) without a name is users_full_name_email_key', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD UNIQUE (full_name, email)' }, snapshotOf(180004));
    expect(plan.steps.at(-1)!.sql[0]).toBe('ALTER TABLE "public"."users" ADD CONSTRAINT "users_full_name_email_key" UNIQUE USING INDEX "users_full_name_email_key"');
  });

  it('small_table_single_step: one ADD CONSTRAINT, its index built under ACCESS EXCLUSIVE for milliseconds', async () => {
    const plan = await planChange(addUnique, snapshotOf(180004, usersTable({ sizeBytes: 100_000, rowEstimate: 1000 })));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({
      sql: ['ALTER TABLE "public"."users" ADD CONSTRAINT "users_email_key" UNIQUE ("email")'],
      lock: { mode: 'ACCESS EXCLUSIVE', duration: 'scan' },
      rollback: { kind: 'sql', sql: ['ALTER TABLE "public"."users" DROP CONSTRAINT "users_email_key"'] },
    });
  });

  it('pg14_0_to_14_3_refused: no concurrent build where it could corrupt the index', async () => {
    await expect(planChange(addUnique, snapshotOf(140002))).rejects.toThrow(/14\.4 or later/);
  });

  it('existing_unique_index_warns: the plan says a second index is built and how to reuse the first', async () => {
    const table = usersTable();
    table.indexes.push({ name: 'users_email_idx', columns: ['email'], unique: true, primary: false, valid: true, predicate: null, method: 'btree', definition: '' });
    const plan = await planChange(addUnique, snapshotOf(180004, table));
    expect(plan.warnings.join('\n')).toMatch(/already has the unique index users_email_idx.*USING INDEX "users_email_idx"/);
  });

  it('refusals_name_the_problem: unknown column, the same key twice, an existing constraint, a taken name, USING INDEX', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD UNIQUE (nope)' }, snapshotOf(180004))).rejects.toThrow(/column "nope" does not exist in public\.users/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD UNIQUE (email, email)' }, snapshotOf(180004))).rejects.toThrow(/"email" appears twice in the unique constraint/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD UNIQUE (id)' }, snapshotOf(180004))).rejects.toThrow(/already has primary key users_pkey on \(id\); nothing to add/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD CONSTRAINT users_pkey UNIQUE (email)' }, snapshotOf(180004))).rejects.toThrow(/"users_pkey" already exists/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD CONSTRAINT k UNIQUE USING INDEX i' }, snapshotOf(180004))).rejects.toThrow(/already built: it is the safe last step/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD UNIQUE NULLS NOT DISTINCT (email)' }, snapshotOf(180004))).rejects.toThrow(/NULLS NOT DISTINCT is not supported yet/);
  });
});
