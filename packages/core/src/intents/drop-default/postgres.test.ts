import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

describe('drop default on PostgreSQL', () => {
  it('catalog_only: one brief step; the rollback sets the previous default again', async () => {
    const users = usersTable({ columns: [...usersTable().columns, { name: 'status', type: 'text', nullable: true, default: "'active'::text" }] });
    const plan = await planChange({ sql: 'ALTER TABLE users ALTER status DROP DEFAULT' }, snapshotOf(180004, users));
    expect(plan.intents[0]).toEqual({ kind: 'drop_default', table: 'users', column: 'status' });
    const s = plan.steps[0]!;
    expect(s.sql).toEqual(['ALTER TABLE "public"."users" ALTER COLUMN "status" DROP DEFAULT']);
    expect(s.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', duration: 'brief' });
    expect(s.checkpoint).toMatchObject({ expected: false });
    expect(s.rollback).toMatchObject({ kind: 'sql', sql: [`ALTER TABLE "public"."users" ALTER COLUMN "status" SET DEFAULT 'active'::text`] });
    expect(s.changes).toEqual([{ op: 'set_default', table: { schema: 'public', name: 'users' }, column: 'status', default: null }]);
    expect(s.caveats.join('\n')).toMatch(/stores NULL instead of 'active'::text/);
  });

  it('not_null_column: says inserts that leave it out fail; a sequence default says new rows get no number', async () => {
    const users = usersTable({ columns: usersTable().columns.map((c) => (c.name === 'id' ? { ...c, default: "nextval('users_id_seq'::regclass)" } : c)) });
    const plan = await planChange({ sql: 'ALTER TABLE users ALTER COLUMN id DROP DEFAULT' }, snapshotOf(180004, users));
    const caveats = plan.steps[0]!.caveats.join('\n');
    expect(caveats).toMatch(/id is NOT NULL: from now on an INSERT that leaves it out fails \(SQLSTATE 23502\)/);
    expect(caveats).toMatch(/takes its values from a sequence/);
  });

  it('refuses a column without a default', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ALTER COLUMN email DROP DEFAULT' }, snapshotOf(180004))).rejects.toThrow(/has no default; nothing to drop/);
  });
});
