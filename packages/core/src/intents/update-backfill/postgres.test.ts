import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { planViolations } from '../../plan/invariants.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

describe('backfill (UPDATE) on PostgreSQL', () => {
  it('deterministic_value_idempotent_predicate: only rows whose value still differs, cast to the column type', async () => {
    const plan = await planChange({ sql: "UPDATE users SET email = lower(full_name) || '@example.com' WHERE email IS NULL" }, snapshotOf(180004));
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0]!;
    expect(step).toMatchObject({ kind: 'backfill', transactional: false, lock: { mode: 'ROW EXCLUSIVE', duration: 'rows' } });
    expect(step.backfill).toEqual({
      table: 'public.users',
      set: `"email" = lower(full_name) || '@example.com'`,
      predicate: `(email IS NULL) AND ("email" IS DISTINCT FROM CAST((lower(full_name) || '@example.com') AS text))`,
      keyColumns: ['id'],
      batchSize: 5000,
      pauseMs: 50,
    });
    expect(step.checkpoint!.sql).toBe(`SELECT NOT EXISTS (SELECT 1 FROM "public"."users" WHERE (email IS NULL) AND ("email" IS DISTINCT FROM CAST((lower(full_name) || '@example.com') AS text)))`);
    expect(step.rollback).toMatchObject({ kind: 'irreversible', dataLost: 'the previous values of email in the rows of public.users it changes (WHERE email IS NULL)' });
    expect(plan.pointOfNoReturn?.step).toBe(1);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
  });

  it('volatile_value_guarded_by_is_null: idempotent through the WHERE clause, said so', async () => {
    const plan = await planChange({ sql: 'UPDATE users SET email = md5(random()::text) WHERE email IS NULL AND id > 10' }, snapshotOf(180004));
    expect(plan.steps[0]!.backfill!.predicate).toBe('email IS NULL AND id > 10');
    expect(plan.steps[0]!.caveats.join('\n')).toMatch(/random\(\).*only through the WHERE clause's email IS NULL/);
  });

  it('x_plus_one_refused: a batch run twice would change rows twice', async () => {
    const table = usersTable({ columns: [...usersTable().columns, { name: 'visits', type: 'integer', nullable: false, default: '0' }] });
    const err = (await planChange({ sql: 'UPDATE users SET visits = visits + 1' }, snapshotOf(180004, table)).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/cannot be split into safe batches: the value for visits reads visits, which the backfill itself changes \(like x = x \+ 1\)/);
    expect(err.message).toMatch(/in: UPDATE users SET visits = visits \+ 1/);
  });

  it('now_without_guard_refused: the current time differs between batches', async () => {
    const table = usersTable({ columns: [...usersTable().columns, { name: 'seen_at', type: 'timestamp with time zone', nullable: true, default: null }] });
    await expect(planChange({ sql: 'UPDATE users SET seen_at = now()' }, snapshotOf(180004, table))).rejects.toThrow(/calls now\(\)/);
    await expect(planChange({ sql: 'UPDATE users SET seen_at = CURRENT_TIMESTAMP' }, snapshotOf(180004, table))).rejects.toThrow(/current time/);
    const plan = await planChange({ sql: 'UPDATE users SET seen_at = now() WHERE seen_at IS NULL' }, snapshotOf(180004, table));
    expect(plan.steps[0]!.backfill!.predicate).toBe('seen_at IS NULL');
  });

  it('undo_given_is_the_rollback: no point of no return', async () => {
    const plan = await planChange(
      { intents: [{ kind: 'backfill', table: 'users', set: [{ column: 'full_name', expr: "'anonymous'" }], where: 'email IS NULL', undo: ['UPDATE users SET full_name = NULL WHERE email IS NULL'] }] },
      snapshotOf(180004),
    );
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['UPDATE users SET full_name = NULL WHERE email IS NULL'], transactional: true });
    expect(plan.pointOfNoReturn).toBeNull();
  });

  it('refusals: no primary key, setting a key column, unknown columns, unsupported UPDATE forms', async () => {
    const noPk = usersTable({ constraints: [], indexes: [] });
    await expect(planChange({ sql: "UPDATE users SET email = 'x'" }, snapshotOf(180004, noPk))).rejects.toThrow(/public\.users has no primary key: a backfill walks the table in keyset batches by primary key/);
    await expect(planChange({ sql: 'UPDATE users SET id = id + 1' }, snapshotOf(180004))).rejects.toThrow(/sets "id", a column of the primary key/);
    await expect(planChange({ sql: "UPDATE users SET nope = 'x'" }, snapshotOf(180004))).rejects.toThrow(/column "nope" does not exist/);
    await expect(planChange({ sql: "UPDATE users SET email = 'x' WHERE nope = 1" }, snapshotOf(180004))).rejects.toThrow(/column "nope" does not exist/);
    await expect(planChange({ sql: 'UPDATE users SET email = o.x FROM orders o' }, snapshotOf(180004))).rejects.toThrow(/UPDATE … FROM is not supported yet/);
    await expect(planChange({ sql: 'UPDATE users SET email = DEFAULT' }, snapshotOf(180004))).rejects.toThrow(/write the default expression itself/);
  });
});
