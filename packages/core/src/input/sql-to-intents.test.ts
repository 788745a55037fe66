import { describe, expect, it } from 'vitest';
import { planChange } from '../planner.js';
import { loadParser, parseStatements } from './pg-parser.js';
import { snapshotOf, usersTable } from '../intents/fixtures.test-support.js';

describe('naive SQL input', () => {
  it('an unsupported statement names the statement and lists what is supported', async () => {
    const err = await planChange({ sql: 'ALTER TABLE users ADD COLUMN ok int; VACUUM users' }, snapshotOf(180004)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/VacuumStmt.*not supported yet[\s\S]*RENAME COLUMN[\s\S]*in: VACUUM users/);
    expect((err as { exitCode?: number }).exitCode).toBe(2);
  });

  it('a syntax error says where', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN' }, snapshotOf(180004))).rejects.toThrow(/does not parse at character/);
  });

  it('identifiers that need quoting come out quoted, and the SQL parses back to the same names', async () => {
    const table = usersTable({ name: 'User Accounts', columns: [
      { name: 'id', type: 'bigint', nullable: false, default: null },
      { name: 'Full "Name"', type: 'text', nullable: true, default: null },
    ] });
    const plan = await planChange({ sql: 'ALTER TABLE "User Accounts" RENAME COLUMN "Full ""Name""" TO "select"' }, snapshotOf(180004, table));
    await loadParser();
    const add = parseStatements(plan.steps[0]!.sql[0]!)[0]!;
    expect(add.node.relation.relname).toBe('User Accounts');
    expect(add.node.cmds[0].AlterTableCmd.def.ColumnDef.colname).toBe('select');
    const backfill = plan.steps.find((s) => s.kind === 'backfill')!;
    expect(parseStatements(backfill.sql[0]!)[0]!.type).toBe('UpdateStmt');
    expect(backfill.backfill?.set).toBe('"select" = "Full ""Name"""');
  });

  it('unquoted names fold to lower case like PostgreSQL does, so USERS finds users', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE USERS ADD COLUMN Nick text' }, snapshotOf(180004));
    expect(plan.steps[0]!.sql[0]).toBe('ALTER TABLE "public"."users" ADD COLUMN "nick" text');
  });
});
