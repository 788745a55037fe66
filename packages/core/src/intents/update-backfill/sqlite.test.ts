import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

const withScore = sqliteUsers({ columns: [...sqliteUsers().columns, { name: 'score', type: 'INTEGER', nullable: false, default: '0' }] });
const noPk = sqliteUsers({ constraints: [] });

describe('backfill (UPDATE) on SQLite', () => {
  it('UPDATE … SET … WHERE → one backfill by primary key, one write transaction per batch; only rows whose value differs (IS NOT), so a re-run batch changes nothing; irreversible without undo', async () => {
    const plan = await planChange({ sql: "UPDATE users SET email = lower(full_name) || '@example.com' WHERE email IS NULL" }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => s.kind)).toEqual(['backfill']);
    const step = plan.steps[0]!;
    expect(step.transactional).toBe(false);
    expect(step.lock).toMatchObject({ mode: 'DATABASE WRITE', blocksWrites: true, blocksReads: false, duration: 'rows' });
    expect(step.backfill).toMatchObject({ table: 'main.users', keyColumns: ['id'], set: `"email" = lower(full_name) || '@example.com'` });
    expect(step.backfill!.predicate).toBe(`(email IS NULL) AND ("email" IS NOT (lower(full_name) || '@example.com'))`);
    expect(step.checkpoint).toMatchObject({ sql: `SELECT NOT EXISTS (SELECT 1 FROM "users" WHERE ${step.backfill!.predicate})`, expected: 1 });
    expect(step.rollback.kind).toBe('irreversible');
    expect(plan.pointOfNoReturn?.step).toBe(1);
  });

  it('a table without a primary key is walked by rowid', async () => {
    const plan = await planChange({ sql: "UPDATE users SET email = 'x'" }, sqliteSnapshot(3045001, noPk));
    expect(plan.steps[0]!.backfill).toMatchObject({ keyColumns: ['rowid'], predicate: `"email" IS NOT ('x')` });
  });

  it('with undo: the rollback runs the given DML in one write transaction, and the plan has no point of no return; DDL as undo is refused', async () => {
    const plan = await planChange({ intents: [{ kind: 'backfill', table: 'users', set: [{ column: 'email', expr: 'lower(full_name)' }], where: 'email IS NULL', undo: ['UPDATE users SET email = NULL WHERE email = lower(full_name);'] }] }, sqliteSnapshot(3045001));
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['UPDATE users SET email = NULL WHERE email = lower(full_name)'], transactional: true });
    expect(plan.pointOfNoReturn).toBeNull();
    await expect(planChange({ intents: [{ kind: 'backfill', table: 'users', set: [{ column: 'email', expr: "''" }], undo: ['ALTER TABLE users DROP COLUMN email'] }] }, sqliteSnapshot(3045001))).rejects.toThrow(/must be an UPDATE, INSERT or DELETE/);
  });

  it('what cannot be batched safely is refused with the reason; a NULL guard makes a volatile value safe', async () => {
    const snap = sqliteSnapshot(3045001, withScore);
    await expect(planChange({ sql: 'UPDATE users SET score = score + 1' }, snap)).rejects.toThrow(/reads score, which the backfill itself changes/);
    await expect(planChange({ sql: 'UPDATE users SET email = hex(randomblob(8))' }, snap)).rejects.toThrow(/calls randomblob\(\)/);
    await expect(planChange({ sql: "UPDATE users SET email = datetime('now')" }, snap)).rejects.toThrow(/calls datetime\(\)/);
    await expect(planChange({ sql: 'UPDATE users SET email = CURRENT_TIMESTAMP' }, snap)).rejects.toThrow(/CURRENT_TIME\/DATE\/TIMESTAMP/);
    await expect(planChange({ sql: 'UPDATE users SET email = (SELECT max(email) FROM users)' }, snap)).rejects.toThrow(/is a subquery/);
    const guarded = await planChange({ sql: 'UPDATE users SET email = hex(randomblob(8)) WHERE email IS NULL' }, snap);
    expect(guarded.steps[0]!.backfill!.predicate).toBe('email IS NULL');
    await expect(planChange({ sql: 'UPDATE users SET id = id + 1' }, snap)).rejects.toThrow(/a column of the key it walks the table by \(id\)/);
    await expect(planChange({ sql: 'UPDATE users SET nope = 1' }, snap)).rejects.toThrow(/nope/);
  });

  it("SQL input keeps the statement's own SQLite text (CAST stays CAST, not the PostgreSQL parser's ::); a :: cast is refused with the SQLite form", async () => {
    const plan = await planChange({ sql: 'UPDATE users SET Email = CAST(id AS TEXT) || \'@x\' WHERE "email" IS NULL;' }, sqliteSnapshot(3045001));
    expect(plan.steps[0]!.backfill).toMatchObject({ set: `"email" = CAST(id AS TEXT) || '@x'`, predicate: `("email" IS NULL) AND ("email" IS NOT (CAST(id AS TEXT) || '@x'))` });
    await expect(planChange({ intents: [{ kind: 'backfill', table: 'users', set: [{ column: 'email', expr: 'id::text' }] }] }, sqliteSnapshot(3045001))).rejects.toThrow(/PostgreSQL :: cast, which SQLite does not have: write CAST\(value AS type\)/);
  });
});
