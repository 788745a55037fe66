import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { parsePlanJson } from '../../plan/schema.js';
import { planViolations } from '../../plan/invariants.js';
import type { TableSchema } from '../../schema/snapshot.js';
import { snapshotOf } from '../fixtures.test-support.js';
import { columns, events, partition } from './fixtures.test-support.js';

const attach2024 = { sql: `ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')` };
const withDefault = (version = 180004) => snapshotOf(version, events(), partition('events_other', { partitionOf: { table: 'public.events', bound: 'DEFAULT' } }), partition('events_2024'));

describe('attach partition on PostgreSQL', () => {
  it('pg12_proven_bound: indexes CONCURRENTLY, the key as a constraint, CHECKs on the partition and the DEFAULT partition validated under SHARE UPDATE EXCLUSIVE, ATTACH brief under SHARE UPDATE EXCLUSIVE, CHECKs dropped', async () => {
    const plan = await planChange(attach2024, withDefault());
    expect(plan.steps.map((s) => [s.sql[0], s.transactional, s.lock.mode, s.lock.tables.join(), s.lock.duration])).toEqual([
      ['CREATE UNIQUE INDEX CONCURRENTLY events_2024_pkey ON public.events_2024 (id, day)', false, 'SHARE UPDATE EXCLUSIVE', 'public.events_2024', 'scan'],
      ['ALTER TABLE "public"."events_2024" ADD CONSTRAINT "events_2024_pkey" PRIMARY KEY USING INDEX "events_2024_pkey"', true, 'ACCESS EXCLUSIVE', 'public.events_2024', 'brief'],
      ['CREATE INDEX CONCURRENTLY events_2024_kind_idx ON public.events_2024 (kind)', false, 'SHARE UPDATE EXCLUSIVE', 'public.events_2024', 'scan'],
      [`ALTER TABLE "public"."events_2024" ADD CONSTRAINT "events_2024_partition_bound" CHECK ("day" IS NOT NULL AND "day" >= '2024-01-01' AND "day" < '2025-01-01') NOT VALID`, true, 'ACCESS EXCLUSIVE', 'public.events_2024', 'brief'],
      ['ALTER TABLE "public"."events_2024" VALIDATE CONSTRAINT "events_2024_partition_bound"', true, 'SHARE UPDATE EXCLUSIVE', 'public.events_2024', 'scan'],
      [`ALTER TABLE "public"."events_other" ADD CONSTRAINT "events_other_events_2024_excluded" CHECK (NOT ("day" IS NOT NULL AND "day" >= '2024-01-01' AND "day" < '2025-01-01')) NOT VALID`, true, 'ACCESS EXCLUSIVE', 'public.events_other', 'brief'],
      ['ALTER TABLE "public"."events_other" VALIDATE CONSTRAINT "events_other_events_2024_excluded"', true, 'SHARE UPDATE EXCLUSIVE', 'public.events_other', 'scan'],
      [`ALTER TABLE "public"."events" ATTACH PARTITION "public"."events_2024" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`, true, 'SHARE UPDATE EXCLUSIVE', 'public.events', 'brief'],
      ['ALTER TABLE "public"."events_2024" DROP CONSTRAINT "events_2024_partition_bound"', true, 'ACCESS EXCLUSIVE', 'public.events_2024', 'brief'],
      ['ALTER TABLE "public"."events_other" DROP CONSTRAINT "events_other_events_2024_excluded"', true, 'ACCESS EXCLUSIVE', 'public.events_other', 'brief'],
    ]);
    const attach = plan.steps[7]!;
    expect(attach.lock.alsoLocks).toEqual([{ table: 'public.events_2024', mode: 'ACCESS EXCLUSIVE' }, { table: 'public.events_other', mode: 'ACCESS EXCLUSIVE' }]);
    // with a DEFAULT partition DETACH … CONCURRENTLY is not allowed: the rollback is the plain DETACH
    expect(attach.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE "public"."events" DETACH PARTITION "public"."events_2024"'], transactional: true });
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
    expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
  });

  it('pg11_parent_access_exclusive_but_brief: the same plan, the ATTACH claims ACCESS EXCLUSIVE on the partitioned table (nothing is scanned under it)', async () => {
    const plan = await planChange(attach2024, withDefault(110022));
    const attach = plan.steps.find((s) => s.title.startsWith('Attach'))!;
    expect(attach.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', tables: ['public.events'], duration: 'brief' });
    expect(attach.caveats[0]).toMatch(/12 lowered it to SHARE UPDATE EXCLUSIVE/);
  });

  it('pg14_rollback_detaches_concurrently: without a DEFAULT partition the ATTACH is undone with DETACH … CONCURRENTLY', async () => {
    const plan = await planChange(attach2024, snapshotOf(140023, events(), partition('events_2024')));
    expect(plan.steps.find((s) => s.title.startsWith('Attach'))!.rollback).toMatchObject({ sql: ['ALTER TABLE "public"."events" DETACH PARTITION "public"."events_2024" CONCURRENTLY'], transactional: false });
  });

  it('apply_to_snapshot: the table ends as a partition with its own key and index, and no CHECK left', async () => {
    const before = withDefault();
    const plan = await planChange(attach2024, before);
    const after = snapshotsAfterSteps(before, plan.steps).at(-1)!;
    const t = after.tables.find((x) => x.name === 'events_2024')!;
    expect(t.partitionOf).toEqual({ table: 'public.events', bound: `FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')` });
    expect(t.constraints.map((k) => k.name)).toEqual(['events_2024_pkey']);
    expect(t.indexes.map((i) => [i.name, i.primary])).toEqual([['events_2024_kind_idx', false], ['events_2024_pkey', true]]);
    expect(after.tables.find((x) => x.name === 'events_other')!.constraints).toEqual([]);
  });

  it('list_and_hash_bounds: the CHECK states the list (NULL included) and the hash remainder', async () => {
    const list = await planChange({ sql: `ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES IN ('a', NULL)` }, snapshotOf(180004, events({ partitioning: { strategy: 'list', key: '(kind)' } }), partition('events_2024')));
    expect(list.steps.find((s) => s.title.startsWith('Add CHECK'))!.sql[0]).toContain(`CHECK ("kind" IS NULL OR "kind" IN ('a')) NOT VALID`);
    const hash = await planChange({ sql: `ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES WITH (MODULUS 4, REMAINDER 1)` }, snapshotOf(180004, events({ partitioning: { strategy: 'hash', key: '(id)' } }), partition('events_2024')));
    expect(hash.steps.find((s) => s.title.startsWith('Add CHECK'))!.sql[0]).toContain(`CHECK (satisfies_hash_partition('"public"."events"'::regclass, 4, 1, "id")) NOT VALID`);
  });

  it('unprovable_bound_scans_on_12: a range key of two columns has no CHECK; the ATTACH scans the partition under SHARE UPDATE EXCLUSIVE on the parent, claimed as a scan', async () => {
    const plan = await planChange({ sql: `ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM (1, '2024-01-01') TO (2, '2025-01-01')` }, snapshotOf(180004, events({ partitioning: { strategy: 'range', key: '(id, day)' } }), partition('events_2024')));
    const attach = plan.steps.find((s) => s.title.startsWith('Attach'))!;
    expect(attach.lock).toMatchObject({ mode: 'SHARE UPDATE EXCLUSIVE', duration: 'scan' });
    expect(attach.caveats.join('\n')).toMatch(/a range key of several columns/);
  });

  it('pg11_unprovable_bound_refused: the scan would run under ACCESS EXCLUSIVE on the partitioned table', async () => {
    await expect(
      planChange({ sql: `ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM (1, '2024-01-01') TO (2, '2025-01-01')` }, snapshotOf(110022, events({ partitioning: { strategy: 'range', key: '(id, day)' } }), partition('events_2024'))),
    ).rejects.toThrow(/holds ACCESS EXCLUSIVE on public\.events — no reads or writes — while it scans public\.events_2024/);
  });

  it('refusals: not partitioned, already a partition, columns differ, NOT NULL missing, CHECK or foreign key missing, wrong strategy, a second DEFAULT', async () => {
    const fine = withDefault();
    const refused = (sql: string, tables: TableSchema[], pattern: RegExp) => expect(planChange({ sql }, snapshotOf(180004, ...tables))).rejects.toThrow(pattern);
    await refused(attach2024.sql, [events({ partitioning: undefined }), partition('events_2024')], /is not a partitioned table/);
    await refused(attach2024.sql, [events(), partition('events_2024', { partitionOf: { table: 'public.old', bound: 'DEFAULT' } })], /already a partition of public\.old/);
    await refused(attach2024.sql, [events(), partition('events_2024', { columns: columns.slice(0, 2) })], /exactly the columns of public\.events.*missing kind text/);
    await refused(attach2024.sql, [events(), partition('events_2024', { columns: columns.map((c) => ({ ...c, nullable: true })) })], /id, day are NOT NULL in public\.events but not in public\.events_2024/);
    await refused(attach2024.sql, [events({ constraints: [...events().constraints, { name: 'events_kind_check', type: 'check', columns: ['kind'], definition: `CHECK ((kind <> ''::text))`, validated: true, references: null }] }), partition('events_2024')], /CHECK constraint events_kind_check, which public\.events_2024 must already have/);
    await refused(attach2024.sql, [events({ constraints: [...events().constraints, { name: 'events_user_fkey', type: 'foreign_key', columns: ['id'], definition: 'FOREIGN KEY (id) REFERENCES users(id)', validated: true, references: { table: 'public.users', columns: ['id'] } }] }), partition('events_2024')], /foreign key events_user_fkey; ATTACH would add it/);
    await refused(`ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES IN ('a')`, [events(), partition('events_2024')], /partitioned by RANGE, but the bound is a LIST bound/);
    await expect(planChange({ sql: 'ALTER TABLE events ATTACH PARTITION events_2024 DEFAULT' }, fine)).rejects.toThrow(/already has a DEFAULT partition, public\.events_other/);
  });
});
