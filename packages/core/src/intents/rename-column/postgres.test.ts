import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { findTable } from '../../schema/snapshot.js';

const rename = { sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' };

describe('rename column on PostgreSQL', () => {
  it('app sync reproduces the six-step worked example', async () => {
    const plan = await planChange(rename, snapshotOf(180004));
    expect(plan.steps.map((s) => [s.kind, s.deploy])).toEqual([
      ['ddl', 'A'],
      ['app', 'A+1'],
      ['backfill', 'A+1'],
      ['validate', 'A+1'],
      ['app', 'A+2'],
      ['ddl', 'A+3'],
    ]);
    expect(plan.pointOfNoReturn?.step).toBe(6);
    expect(plan.lastReversibleStep).toBe(5);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', duration: 'brief' });
    expect(plan.steps[2]!.backfill).toMatchObject({ keyColumns: ['id'], set: '"display_name" = "full_name"' });
    expect(plan.steps[3]!.checkpoint?.sql).toContain('IS DISTINCT FROM');
  });

  it('trigger sync replaces the dual-write deploy with a trigger and removes it before the drop', async () => {
    const plan = await planChange(rename, snapshotOf(180004), { sync: 'trigger' });
    expect(plan.steps.filter((s) => s.kind === 'app')).toHaveLength(1);
    const trigger = plan.steps[1]!;
    expect(trigger.lock.mode).toBe('SHARE ROW EXCLUSIVE');
    expect(trigger.sql.join('\n')).toMatch(/CREATE TRIGGER .* BEFORE INSERT OR UPDATE/);
    const drops = plan.steps.filter((s) => s.deploy === plan.steps[plan.steps.length - 1]!.deploy).map((s) => s.title);
    expect(drops).toEqual(['Drop the sync trigger', 'Drop column full_name']);
  });

  it('the final snapshot has display_name with the old type and no full_name', async () => {
    const plan = await planChange(rename, snapshotOf(180004));
    const after = snapshotsAfterSteps(snapshotOf(180004), plan.steps).at(-1)!;
    expect(findTable(after, { schema: 'public', name: 'users' })!.columns.map((c) => c.name)).toEqual(['id', 'email', 'display_name']);
  });

  it('a NOT NULL old column: NOT NULL moves to the new column via the CHECK detour and is dropped from the old one before the switch', async () => {
    const table = usersTable();
    table.columns[1]!.nullable = false;
    const plan = await planChange(rename, snapshotOf(180004, table));
    const titles = plan.steps.map((s) => s.title);
    const switchAt = titles.indexOf('Application reads and writes display_name only');
    expect(titles.indexOf('Set display_name NOT NULL (no scan: the validated CHECK proves it)')).toBeLessThan(switchAt);
    expect(titles.indexOf('Drop NOT NULL on full_name so writers may stop setting it')).toBeLessThan(switchAt);
  });

  it('indexes on the old column are rebuilt concurrently on the new one before the switch', async () => {
    const table = usersTable();
    table.indexes.push({ name: 'users_full_name_idx', columns: ['full_name'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '' });
    const plan = await planChange(rename, snapshotOf(180004, table));
    const copy = plan.steps.find((s) => s.title.startsWith('Copy index'))!;
    expect(copy.sql[0]).toBe('CREATE INDEX CONCURRENTLY "users_display_name_idx" ON "public"."users" ("display_name")');
    expect(copy.transactional).toBe(false);
  });

  it('refuses a column that a constraint uses, naming the constraint and the alternative', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users RENAME COLUMN id TO user_id' }, snapshotOf(180004))).rejects.toThrow(/primary key constraint users_pkey.*ORM mapping/s);
  });

  it('refuses a new name that already exists and an unknown column', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO email' }, snapshotOf(180004))).rejects.toThrow(/already exists/);
    await expect(planChange({ sql: 'ALTER TABLE users RENAME COLUMN nope TO x' }, snapshotOf(180004))).rejects.toThrow(/column "nope" does not exist in public.users/);
  });
});
