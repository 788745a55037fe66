import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const withStatus = () => usersTable({ columns: [...usersTable().columns, { name: 'status', type: 'text', nullable: false, default: "'active'::text" }] });

describe('set default on PostgreSQL', () => {
  it('catalog_only: one brief ACCESS EXCLUSIVE step; the rollback restores the previous default from the snapshot', async () => {
    const plan = await planChange({ sql: "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'pending'" }, snapshotOf(110022, withStatus()));
    expect(plan.intents[0]).toEqual({ kind: 'set_default', table: 'users', column: 'status', default: "'pending'" });
    const s = plan.steps[0]!;
    expect(s.sql).toEqual([`ALTER TABLE "public"."users" ALTER COLUMN "status" SET DEFAULT 'pending'`]);
    expect(s.lock).toEqual({ mode: 'ACCESS EXCLUSIVE', tables: ['public.users'], blocksReads: true, blocksWrites: true, duration: 'brief' });
    expect(s.rollback).toEqual({ kind: 'sql', sql: [`ALTER TABLE "public"."users" ALTER COLUMN "status" SET DEFAULT 'active'::text`], transactional: true, note: "restores the previous default, 'active'::text" });
    expect(s.changes).toEqual([{ op: 'set_default', table: { schema: 'public', name: 'users' }, column: 'status', default: "'pending'" }]);
    expect(s.caveats.join('\n')).toMatch(/once the deployed application expects it: from now on an INSERT that leaves status out gets 'pending' instead of 'active'::text/);
  });

  it('no_previous_default: the rollback drops the default', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ALTER COLUMN email SET DEFAULT lower(\'X\')' }, snapshotOf(180004));
    expect(plan.steps[0]!.rollback).toMatchObject({ sql: ['ALTER TABLE "public"."users" ALTER COLUMN "email" DROP DEFAULT'] });
  });

  it('volatile_default: still catalog-only (SET DEFAULT never rewrites)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ALTER COLUMN full_name SET DEFAULT gen_random_uuid()::text' }, snapshotOf(180004));
    expect(plan.steps[0]!.lock.duration).toBe('brief');
  });

  it('refuses column references, subqueries and a default that is already set', async () => {
    await expect(planChange({ intents: [{ kind: 'set_default', table: 'users', column: 'email', default: 'full_name' }] }, snapshotOf(180004))).rejects.toThrow(/a default cannot refer to columns/);
    await expect(planChange({ intents: [{ kind: 'set_default', table: 'users', column: 'email', default: '(SELECT 1)' }] }, snapshotOf(180004))).rejects.toThrow(/cannot contain a subquery/);
    const users = usersTable({ columns: usersTable().columns.map((c) => (c.name === 'email' ? { ...c, default: "'x'" } : c)) });
    await expect(planChange({ sql: "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'x'" }, snapshotOf(180004, users))).rejects.toThrow(/already defaults to 'x'/);
  });
});
