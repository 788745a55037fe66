import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { planViolations } from '../../plan/invariants.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import type { TableSchema } from '../../schema/snapshot.js';
import { snapshotOf } from '../fixtures.test-support.js';

/** A large events table without a primary key; `id` nullable unless stated. */
function events(over: { idNullable?: boolean; sizeBytes?: number } = {}): TableSchema {
  return {
    schema: 'public',
    name: 'events',
    columns: [
      { name: 'id', type: 'bigint', nullable: over.idNullable ?? true, default: null },
      { name: 'name', type: 'text', nullable: false, default: null },
    ],
    indexes: [],
    constraints: [],
    triggers: [],
    rowEstimate: 50_000_000,
    sizeBytes: over.sizeBytes ?? 5_000_000_000,
  };
}

const addPk = { sql: 'ALTER TABLE events ADD PRIMARY KEY (id)' };

describe('add primary key on PostgreSQL', () => {
  it('not_null_column: duplicate check, concurrent unique build, attach USING INDEX (no scan)', async () => {
    const plan = await planChange(addPk, snapshotOf(110022, events({ idNullable: false })));
    expect(plan.steps.map((s) => s.sql[0] ?? s.kind)).toEqual([
      'validate',
      'CREATE UNIQUE INDEX CONCURRENTLY "events_pkey" ON "public"."events" ("id")',
      'ALTER TABLE "public"."events" ADD CONSTRAINT "events_pkey" PRIMARY KEY USING INDEX "events_pkey"',
    ]);
    expect(plan.steps[2]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', duration: 'brief' });
    expect(plan.steps[2]!.changes).toEqual([
      { op: 'set_index_primary', table: { schema: 'public', name: 'events' }, index: 'events_pkey', primary: true },
      expect.objectContaining({ op: 'add_constraint', constraint: expect.objectContaining({ type: 'primary_key', columns: ['id'] }) }),
    ]);
    const after = snapshotsAfterSteps(snapshotOf(110022, events({ idNullable: false })), plan.steps).at(-1)!.tables[0]!;
    expect(after.indexes).toEqual([expect.objectContaining({ name: 'events_pkey', unique: true, primary: true })]);
  });

  it('pg12_nullable_column_set_not_null_first: CHECK NOT VALID → VALIDATE → SET NOT NULL → DROP CHECK, then the key', async () => {
    const plan = await planChange(addPk, snapshotOf(120022, events()));
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Add CHECK (id IS NOT NULL) NOT VALID',
      'Validate the CHECK on existing rows',
      'Set id NOT NULL (no scan: the validated CHECK proves it)',
      'Drop the now-redundant CHECK events_id_not_null',
      'Check that no duplicates of (id) exist',
      'Build the unique index events_pkey on public.events (id) for the primary key',
      'Attach index events_pkey as primary key events_pkey',
    ]);
    expect(plan.steps.every((s) => !(s.lock.blocksWrites && s.lock.duration === 'scan'))).toBe(true);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
  });

  it('pg11_nullable_column_refused_with_the_steps: SET NOT NULL would scan under ACCESS EXCLUSIVE', async () => {
    const err = (await planChange(addPk, snapshotOf(110022, events())).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/needs id to be NOT NULL.*PostgreSQL 11\.22.*ACCESS EXCLUSIVE/s);
    expect(err.message).toMatch(/\(1\) plan ALTER TABLE "public"\."events" ALTER COLUMN "id" SET NOT NULL.*\(2\).*maintenance window.*\(3\) plan ALTER TABLE "public"\."events" ADD PRIMARY KEY \("id"\) again/s);
    expect(err.message).toMatch(/in: ALTER TABLE events ADD PRIMARY KEY \(id\)/);
  });

  it('small_table_single_step: ADD PRIMARY KEY sets NOT NULL itself, and the rollback drops it again', async () => {
    const plan = await planChange(addPk, snapshotOf(110022, events({ sizeBytes: 50_000 })));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "public"."events" ADD CONSTRAINT "events_pkey" PRIMARY KEY ("id")']);
    expect(plan.steps[0]!.rollback).toMatchObject({ sql: ['ALTER TABLE "public"."events" DROP CONSTRAINT "events_pkey", ALTER COLUMN "id" DROP NOT NULL'] });
    expect(plan.steps[0]!.changes[0]).toEqual({ op: 'set_nullable', table: { schema: 'public', name: 'events' }, column: 'id', nullable: false });
  });

  it('refuses_a_second_primary_key', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD PRIMARY KEY (email)' }, snapshotOf(180004))).rejects.toThrow(/already has primary key users_pkey \(id\); a table has one/);
  });
});
