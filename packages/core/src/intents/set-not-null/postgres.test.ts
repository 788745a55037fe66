import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const setNotNull = { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' };

describe('set NOT NULL on PostgreSQL', () => {
  it('pg12_and_later: CHECK NOT VALID → VALIDATE → SET NOT NULL → DROP CHECK, none blocking during a scan', async () => {
    for (const v of [120022, 180004]) {
      const plan = await planChange(setNotNull, snapshotOf(v));
      expect(plan.steps.map((s) => s.sql[0]!.replace(/"public"\."users" /, ''))).toEqual([
        'ALTER TABLE ADD CONSTRAINT "users_email_not_null" CHECK ("email" IS NOT NULL) NOT VALID',
        'ALTER TABLE VALIDATE CONSTRAINT "users_email_not_null"',
        'ALTER TABLE ALTER COLUMN "email" SET NOT NULL',
        'ALTER TABLE DROP CONSTRAINT "users_email_not_null"',
      ]);
      expect(plan.steps[1]!.lock).toMatchObject({ mode: 'SHARE UPDATE EXCLUSIVE', blocksReads: false, blocksWrites: false, duration: 'scan' });
      expect(plan.steps[2]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', duration: 'brief' });
      expect(plan.warnings).toEqual([]);
    }
  });

  it('pg11_keeps_validated_check: no SET NOT NULL (it would scan under ACCESS EXCLUSIVE) and an honest warning', async () => {
    const plan = await planChange(setNotNull, snapshotOf(110022));
    expect(plan.steps.map((s) => s.title)).toEqual(['Add CHECK (email IS NOT NULL) NOT VALID', 'Validate the CHECK on existing rows']);
    expect(plan.steps.flatMap((s) => s.sql).join('\n')).not.toMatch(/SET NOT NULL/);
    expect(plan.warnings.join('\n')).toMatch(/PostgreSQL 11\.22 cannot use the validated CHECK.*ACCESS EXCLUSIVE.*upgrading to 12\+/s);
  });

  it('small_table: one SET NOT NULL, with the threshold and the reason stated', async () => {
    const plan = await planChange(setNotNull, snapshotOf(180004, usersTable({ sizeBytes: 64 * 1024, rowEstimate: 500 })));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', duration: 'scan' });
    expect(plan.steps[0]!.caveats.join(' ')).toMatch(/64 KiB, under the small-table threshold \(8\.0 MiB\)/);
  });

  it('with a backfill value, NULLs are filled in keyset batches first, and that step is the point of no return', async () => {
    const plan = await planChange(setNotNull, snapshotOf(180004), { backfill: "''" });
    expect(plan.steps[0]!.kind).toBe('backfill');
    expect(plan.steps[0]!.backfill).toMatchObject({ set: `"email" = ''`, predicate: '"email" IS NULL' });
    expect(plan.pointOfNoReturn?.step).toBe(1);
  });

  it('refuses a column that is already NOT NULL', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ALTER COLUMN id SET NOT NULL' }, snapshotOf(180004))).rejects.toThrow(/already NOT NULL/);
  });
});
