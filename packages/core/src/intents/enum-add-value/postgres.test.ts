import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { parsePlanJson } from '../../plan/schema.js';
import type { SchemaSnapshot } from '../../schema/snapshot.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const withMood = (version: number, enums: SchemaSnapshot['enums'] | null = [{ schema: 'public', name: 'mood', values: ['sad', 'ok', 'happy'] }]): SchemaSnapshot => ({
  ...snapshotOf(version, usersTable({ columns: [...usersTable().columns, { name: 'mood', type: 'mood', nullable: false, default: `'ok'::mood` }] })),
  ...(enums ? { enums } : {}),
});

describe('add enum value on PostgreSQL', () => {
  it('pg12_in_its_own_transaction: one transactional step, no table lock, IF NOT EXISTS so a retry is harmless, irreversible', async () => {
    const plan = await planChange({ sql: `ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad'` }, withMood(120022));
    expect(plan.steps).toHaveLength(1);
    const [step] = plan.steps;
    expect(step!.sql).toEqual([`ALTER TYPE "public"."mood" ADD VALUE IF NOT EXISTS 'meh' AFTER 'sad'`]);
    expect(step).toMatchObject({ kind: 'ddl', transactional: true, lock: { mode: 'none', tables: [] }, timeouts: { lockTimeoutMs: 2000 } });
    expect(step!.rollback).toMatchObject({ kind: 'irreversible', reason: expect.stringMatching(/no ALTER TYPE … DROP VALUE/) });
    expect(step!.caveats.join('\n')).toMatch(/cannot be used until that transaction commits/);
    expect(step!.caveats.join('\n')).toMatch(/reads and writes of public\.users\.mood continue/);
    expect(plan.pointOfNoReturn).toMatchObject({ step: 1 });
  });

  it('pg11_outside_a_transaction: the step is non-transactional (11 refuses ADD VALUE in a transaction block) and says so', async () => {
    const plan = await planChange({ sql: `ALTER TYPE mood ADD VALUE 'meh'` }, withMood(110022));
    expect(plan.steps[0]!.transactional).toBe(false);
    expect(plan.steps[0]!.caveats.join('\n')).toMatch(/refuses ALTER TYPE … ADD VALUE inside a transaction block/);
  });

  it('apply_to_snapshot: the label lands where BEFORE/AFTER put it', async () => {
    for (const [sql, values] of [
      [`ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad'`, ['sad', 'meh', 'ok', 'happy']],
      [`ALTER TYPE mood ADD VALUE 'meh' BEFORE 'sad'`, ['meh', 'sad', 'ok', 'happy']],
      [`ALTER TYPE mood ADD VALUE 'meh'`, ['sad', 'ok', 'happy', 'meh']],
    ] as const) {
      const before = withMood(180004);
      const plan = await planChange({ sql }, before);
      expect(snapshotsAfterSteps(before, plan.steps).at(-1)!.enums).toEqual([{ schema: 'public', name: 'mood', values }]);
      expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
    }
  });

  it('snapshot_without_enums: planned unchecked, with a warning to take a fresh snapshot', async () => {
    const plan = await planChange({ sql: `ALTER TYPE mood ADD VALUE 'meh'` }, withMood(180004, null));
    expect(plan.warnings.join('\n')).toMatch(/no enum types \(written by an older liveshift\)/);
  });

  it('refusals: existing value, missing neighbour, unknown type, ambiguous name, RENAME VALUE, both before and after', async () => {
    await expect(planChange({ sql: `ALTER TYPE mood ADD VALUE 'ok'` }, withMood(180004))).rejects.toThrow(/already has the value 'ok'/);
    await expect(planChange({ sql: `ALTER TYPE mood ADD VALUE 'x' AFTER 'nope'` }, withMood(180004))).rejects.toThrow(/has no value 'nope' to put 'x' after/);
    await expect(planChange({ sql: `ALTER TYPE feeling ADD VALUE 'x'` }, withMood(180004))).rejects.toThrow(/enum type "public.feeling" is not in the schema/);
    const two = withMood(180004, [{ schema: 'a', name: 'mood', values: [] }, { schema: 'b', name: 'mood', values: [] }]);
    await expect(planChange({ sql: `ALTER TYPE mood ADD VALUE 'x'` }, two)).rejects.toThrow(/exists in several schemas \(a, b\); qualify it/);
    await expect(planChange({ sql: `ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'` }, withMood(180004))).rejects.toThrow(/RENAME VALUE .* is not supported yet/);
    await expect(planChange({ intents: [{ kind: 'add_enum_value', type: 'mood', value: 'x', before: 'ok', after: 'sad' }] }, withMood(180004))).rejects.toThrow(/give before or after, not both/);
  });

  it('remove_enum_value_refused_with_the_steps: no SQL drops a label; the message names the columns and the new type', async () => {
    await expect(planChange({ intents: [{ kind: 'remove_enum_value', type: 'mood', value: 'sad' }] }, withMood(180004))).rejects.toThrow(
      /no ALTER TYPE … DROP VALUE, and no online way around it.*in public\.users\.mood.*CREATE TYPE "public"\."mood__new" AS ENUM \('ok', 'happy'\).*DROP TYPE "public"\."mood"; ALTER TYPE "public"\."mood__new" RENAME TO "mood".*an unused enum value costs nothing/s,
    );
    await expect(planChange({ intents: [{ kind: 'remove_enum_value', type: 'mood', value: 'nope' }] }, withMood(180004))).rejects.toThrow(/has no value 'nope'/);
  });
});
