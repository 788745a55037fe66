import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlSnapshot, mysqlUsersTable } from '../mysql-fixtures.test-support.js';

const withScore = mysqlUsersTable({ columns: [...mysqlUsersTable().columns, { name: 'score', type: 'int(11)', nullable: false, default: '0' }] });

describe('backfill (UPDATE) on MySQL/MariaDB', () => {
  it('UPDATE … SET … WHERE → one backfill by primary-key ranges; only rows whose value differs, so a re-run batch changes nothing; irreversible without undo', async () => {
    const plan = await planChange({ sql: "UPDATE users SET email = CONCAT('u', id, '@example.com') WHERE email IS NULL" }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps.map((s) => s.kind)).toEqual(['backfill']);
    const step = plan.steps[0]!;
    expect(step.backfill).toMatchObject({ table: 'app.users', keyColumns: ['id'], set: "`email` = CONCAT('u', `id`, '@example.com')" });
    expect(step.backfill!.predicate).toMatch(/^\(`email` IS NULL\) AND \(\(`email` <> \(CONCAT/);
    expect(step.checkpoint).toMatchObject({ expected: 0 });
    expect(plan.pointOfNoReturn?.step).toBe(1);
  });

  it('with undo: the rollback runs the given DML; DDL as undo is refused', async () => {
    const plan = await planChange({ intents: [{ kind: 'backfill', table: 'users', set: [{ column: 'email', expr: "LOWER(full_name)" }], undo: ['UPDATE users SET email = NULL'] }] }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['UPDATE users SET email = NULL'] });
    expect(plan.pointOfNoReturn).toBeNull();
    await expect(planChange({ intents: [{ kind: 'backfill', table: 'users', set: [{ column: 'email', expr: "''" }], undo: ['ALTER TABLE users DROP COLUMN email'] }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(/must be an UPDATE, INSERT or DELETE/);
  });

  it('what cannot be batched safely is refused with the reason; a NULL guard makes a volatile value safe', async () => {
    const snap = mysqlSnapshot(MARIADB_10_11, withScore);
    await expect(planChange({ sql: 'UPDATE users SET score = score + 1' }, snap)).rejects.toThrow(/reads score, which the backfill itself changes/);
    await expect(planChange({ sql: 'UPDATE users SET email = UUID()' }, snap)).rejects.toThrow(/calls UUID\(\)/);
    const guarded = await planChange({ sql: 'UPDATE users SET email = UUID() WHERE email IS NULL' }, snap);
    expect(guarded.steps[0]!.backfill!.predicate).toBe('`email` IS NULL');
    await expect(planChange({ sql: 'UPDATE users SET id = id + 1' }, snap)).rejects.toThrow(/primary key it walks the table by/);
    await expect(planChange({ sql: 'UPDATE users SET email = 1 ORDER BY id LIMIT 5' }, snap)).rejects.toThrow(/ORDER BY \/ LIMIT/);
  });
});
