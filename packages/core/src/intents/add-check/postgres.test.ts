import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { loadParser, parseStatements } from '../../input/pg-parser.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const addCheck = { sql: 'ALTER TABLE users ADD CONSTRAINT users_name_check CHECK (length(full_name) > 0)' };

describe('add CHECK constraint on PostgreSQL', () => {
  it('not_valid_then_validate: ADD … NOT VALID (ACCESS EXCLUSIVE, brief), then VALIDATE in its own step under SHARE UPDATE EXCLUSIVE', async () => {
    const plan = await planChange(addCheck, snapshotOf(110022));
    expect(plan.intents[0]).toEqual({ kind: 'add_check', table: 'users', name: 'users_name_check', expression: 'length(full_name) > 0' });
    expect(plan.steps.map((s) => s.sql)).toEqual([
      ['ALTER TABLE "public"."users" ADD CONSTRAINT "users_name_check" CHECK (length(full_name) > 0) NOT VALID'],
      ['ALTER TABLE "public"."users" VALIDATE CONSTRAINT "users_name_check"'],
    ]);
    const [add, validate] = plan.steps as [(typeof plan.steps)[0], (typeof plan.steps)[0]];
    expect(add.lock).toEqual({ mode: 'ACCESS EXCLUSIVE', tables: ['public.users'], blocksReads: true, blocksWrites: true, duration: 'brief' });
    expect(add.rollback).toEqual({ kind: 'sql', sql: ['ALTER TABLE "public"."users" DROP CONSTRAINT "users_name_check"'], transactional: true });
    expect(add.caveats.join('\n')).toMatch(/the deployed application must already write only rows where length\(full_name\) > 0 holds/);
    expect(validate).toMatchObject({ kind: 'validate', transactional: true, estimate: { rows: 80_000_000 } });
    expect(validate.lock).toEqual({ mode: 'SHARE UPDATE EXCLUSIVE', tables: ['public.users'], blocksReads: false, blocksWrites: false, duration: 'scan' });
    expect(validate.rollback).toMatchObject({ kind: 'sql', sql: [add.rollback.kind === 'sql' && add.rollback.sql[0], add.sql[0]] });
    expect(plan.pointOfNoReturn).toBeNull();
  });

  it('violations_query: the caveat gives a SELECT that finds the rows VALIDATE would reject', async () => {
    const plan = await planChange(addCheck, snapshotOf(180004));
    const query = /Find those rows with (.*), fix them/.exec(plan.steps[1]!.caveats.join('\n'))![1]!;
    expect(query).toBe('SELECT * FROM "public"."users" WHERE NOT (length(full_name) > 0) LIMIT 100');
    await loadParser();
    expect(parseStatements(query)[0]!.type).toBe('SelectStmt');
  });

  it('apply_to_snapshot: columns in order of first use, as pg_constraint.conkey lists them; NOT VALID, then validated', async () => {
    const before = snapshotOf(180004);
    const plan = await planChange({ sql: "ALTER TABLE users ADD CHECK (email <> full_name OR email IS NULL AND id > 0)" }, before);
    const [afterAdd, afterValidate] = snapshotsAfterSteps(before, plan.steps);
    const k = (s: typeof before) => s.tables[0]!.constraints.find((c) => c.type === 'check')!;
    expect(k(afterAdd!)).toMatchObject({ name: 'users_check', columns: ['email', 'full_name', 'id'], validated: false, references: null });
    expect(k(afterValidate!)).toMatchObject({ validated: true });
  });

  it('generated_names: <table>_<column>_check for one column, numbered when taken', async () => {
    const users = usersTable({ constraints: [...usersTable().constraints, { name: 'users_email_check', type: 'check', columns: ['email'], definition: '', validated: true, references: null }] });
    const plan = await planChange({ sql: "ALTER TABLE users ADD CHECK (email LIKE '%@%')" }, snapshotOf(180004, users));
    expect(plan.steps[0]!.sql[0]).toBe(`ALTER TABLE "public"."users" ADD CONSTRAINT "users_email_check1" CHECK (email LIKE '%@%') NOT VALID`);
  });

  it('small_table: one validated ADD, holding ACCESS EXCLUSIVE for the (short) scan', async () => {
    const plan = await planChange(addCheck, snapshotOf(180004, usersTable({ sizeBytes: 64 * 1024, rowEstimate: 500 })));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "public"."users" ADD CONSTRAINT "users_name_check" CHECK (length(full_name) > 0)']);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', duration: 'scan' });
    expect(plan.steps[0]!.caveats[0]).toMatch(/64 KiB, under the small-table threshold \(8\.0 MiB\)/);
  });

  it('refusals: NOT VALID in the input, NO INHERIT, unknown columns, subqueries, a taken name', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD CHECK (id > 0) NOT VALID' }, snapshotOf(180004))).rejects.toThrow(/write the plain ADD CHECK without NOT VALID/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD CHECK (id > 0) NO INHERIT' }, snapshotOf(180004))).rejects.toThrow(/NO INHERIT is not supported/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD CHECK (nope > 0)' }, snapshotOf(180004))).rejects.toThrow(/column "nope" does not exist in public\.users/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD CHECK (id > (SELECT 1))' }, snapshotOf(180004))).rejects.toThrow(/cannot contain a subquery/);
    await expect(planChange({ sql: 'ALTER TABLE users ADD CONSTRAINT users_pkey CHECK (id > 0)' }, snapshotOf(180004))).rejects.toThrow(/constraint "users_pkey" already exists/);
  });
});
