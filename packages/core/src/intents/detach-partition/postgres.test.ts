import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { parsePlanJson } from '../../plan/schema.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';
import { events, partition } from '../attach-partition/fixtures.test-support.js';

const y2023 = partition('events_2023', { partitionOf: { table: 'public.events', bound: `FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')` } });
const other = partition('events_other', { partitionOf: { table: 'public.events', bound: 'DEFAULT' } });
const detach = { sql: 'ALTER TABLE events DETACH PARTITION events_2023' };

describe('detach partition on PostgreSQL', () => {
  it('pg14_concurrently: outside a transaction, SHARE UPDATE EXCLUSIVE on the partitioned table, the CHECK PostgreSQL leaves predicted, rollback re-attaches then drops it', async () => {
    const before = snapshotOf(140023, events(), y2023);
    const plan = await planChange(detach, before);
    expect(plan.steps).toHaveLength(1);
    const [step] = plan.steps;
    expect(step).toMatchObject({ sql: ['ALTER TABLE "public"."events" DETACH PARTITION "public"."events_2023" CONCURRENTLY'], transactional: false, lock: { mode: 'SHARE UPDATE EXCLUSIVE', tables: ['public.events'], duration: 'brief' } });
    expect(step!.rollback).toEqual({
      kind: 'sql',
      sql: [`ALTER TABLE "public"."events" ATTACH PARTITION "public"."events_2023" FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')`, 'ALTER TABLE "public"."events_2023" DROP CONSTRAINT "events_2023_day_check"'],
      transactional: false,
      note: expect.stringMatching(/reads nothing/),
    });
    expect(step!.caveats.join('\n')).toMatch(/DETACH PARTITION "public"\."events_2023" FINALIZE/);
    const after = snapshotsAfterSteps(before, plan.steps).at(-1)!.tables.find((t) => t.name === 'events_2023')!;
    expect(after.partitionOf).toBeUndefined();
    expect(after.constraints.map((k) => [k.name, k.columns, k.validated])).toEqual([['events_2023_day_check', ['day'], true]]);
    expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
  });

  it('pg13_plain_detach_stated: ACCESS EXCLUSIVE on the partitioned table, brief, SHARE UPDATE EXCLUSIVE on the partition; rollback proves the bound before re-attaching', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY' }, snapshotOf(130015, events(), y2023));
    const [step] = plan.steps;
    expect(step).toMatchObject({ sql: ['ALTER TABLE "public"."events" DETACH PARTITION "public"."events_2023"'], transactional: true, lock: { mode: 'ACCESS EXCLUSIVE', duration: 'brief', alsoLocks: [{ table: 'public.events_2023', mode: 'SHARE UPDATE EXCLUSIVE' }] } });
    expect(step!.caveats[0]).toMatch(/PostgreSQL 13\.15 has no DETACH … CONCURRENTLY.*catalog change only \(no scan\)/);
    expect(step!.rollback).toMatchObject({ transactional: false, sql: [expect.stringMatching(/ADD CONSTRAINT "events_2023_partition_bound" CHECK .* NOT VALID$/), expect.stringMatching(/VALIDATE CONSTRAINT/), expect.stringMatching(/ATTACH PARTITION/), expect.stringMatching(/DROP CONSTRAINT/)] });
  });

  it('pg18_with_default_partition_plain: CONCURRENTLY is not allowed with a DEFAULT partition; ACCESS EXCLUSIVE on the partition too from 14', async () => {
    const plan = await planChange(detach, snapshotOf(180004, events(), y2023, other));
    expect(plan.steps[0]).toMatchObject({ transactional: true, lock: { mode: 'ACCESS EXCLUSIVE', alsoLocks: [{ table: 'public.events_2023', mode: 'ACCESS EXCLUSIVE' }] } });
    expect(plan.steps[0]!.caveats[0]).toMatch(/not allowed while public\.events has a DEFAULT partition/);
  });

  it('refusals: not a partition of it, a large table referencing the partitioned table', async () => {
    await expect(planChange({ sql: 'ALTER TABLE events DETACH PARTITION events_2023 FINALIZE' }, snapshotOf(180004, events(), y2023))).rejects.toThrow(/FINALIZE completes an interrupted DETACH … CONCURRENTLY; run it as it is/);
    await expect(planChange(detach, snapshotOf(180004, events(), partition('events_2023')))).rejects.toThrow(/public\.events_2023 is not a partition of public\.events/);
    const referencing = usersTable({ constraints: [{ name: 'users_event_fkey', type: 'foreign_key', columns: ['id', 'full_name'], definition: '', validated: true, references: { table: 'public.events', columns: ['id', 'day'] } }] });
    await expect(planChange(detach, snapshotOf(180004, events(), y2023, referencing))).rejects.toThrow(/foreign key users_event_fkey on public\.users references public\.events: DETACH checks/);
  });
});
