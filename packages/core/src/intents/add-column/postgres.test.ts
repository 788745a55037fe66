import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

describe('add column on PostgreSQL', () => {
  it('nullable: one brief step, rollback drops it', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname varchar(40)' }, snapshotOf(120022));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "public"."users" ADD COLUMN "nickname" character varying(40)']);
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE "public"."users" DROP COLUMN "nickname"'] });
  });

  it('constant default, even NOT NULL: one brief step on 11+ (catalog-only default)', async () => {
    const plan = await planChange({ sql: "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active'" }, snapshotOf(110022));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', duration: 'brief' });
    expect(plan.steps[0]!.sql[0]).toBe(`ALTER TABLE "public"."users" ADD COLUMN "status" text NOT NULL DEFAULT 'active'`);
  });

  it('volatile default: add, set default, batched backfill — never the rewriting one-statement form', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()' }, snapshotOf(180004), { batchSize: 10_000 });
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'ddl', 'backfill']);
    expect(plan.steps.every((s) => s.lock.duration !== 'rewrite')).toBe(true);
    expect(plan.steps[2]!.estimate).toMatchObject({ rows: 80_000_000, batches: 8000 });
  });

  it('volatile default on a small table: one statement, the rewrite stated as brief enough', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()' }, snapshotOf(180004, usersTable({ sizeBytes: 100_000, rowEstimate: 1000 })));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.lock.duration).toBe('rewrite');
  });

  it('NOT NULL without default: nullable → application writes it → backfill → NOT NULL via validated CHECK', async () => {
    const plan = await planChange({ intents: [{ kind: 'add_column', table: 'users', column: { name: 'plan', type: 'text', nullable: false, backfill: "'free'" } }] }, snapshotOf(180004));
    expect(plan.steps.map((s) => `${s.kind}@${s.deploy}`)).toEqual(['ddl@A', 'app@A+1', 'backfill@A+1', 'ddl@A+1', 'validate@A+1', 'ddl@A+1', 'ddl@A+1']);
    expect(plan.steps[1]!.instruction).toMatch(/sets plan on every INSERT and UPDATE/);
  });

  it('NOT NULL without default and no value for existing rows is refused with what to do', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN plan text NOT NULL' }, snapshotOf(180004))).rejects.toThrow(/existing rows need a value.*--backfill/s);
  });

  it('unknown functions are treated as volatile unless the intent says otherwise', async () => {
    const sql = { sql: 'ALTER TABLE users ADD COLUMN score int DEFAULT my_score()' };
    expect((await planChange(sql, snapshotOf(180004))).steps).toHaveLength(3);
    const stated = await planChange({ intents: [{ kind: 'add_column', table: 'users', column: { name: 'score', type: 'int', default: { expr: 'my_score()', volatile: false } } }] }, snapshotOf(180004));
    expect(stated.steps).toHaveLength(1);
  });
});
