import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { parsePlanJson } from '../../plan/schema.js';
import { planViolations } from '../../plan/invariants.js';
import { loadParser, parseStatements } from '../../input/pg-parser.js';
import type { TableSchema } from '../../schema/snapshot.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const ix = (name: string, columns: string[], over: Partial<TableSchema['indexes'][number]> = {}) => ({ name, columns, unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '', ...over });

function ordersTable(): TableSchema {
  return usersTable({
    name: 'orders',
    columns: [
      { name: 'id', type: 'bigint', nullable: false, default: null },
      { name: 'user_id', type: 'bigint', nullable: true, default: null },
    ],
    indexes: [ix('orders_pkey', ['id'], { unique: true, primary: true })],
    constraints: [
      { name: 'orders_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true, references: null },
      { name: 'orders_user_id_fkey', type: 'foreign_key', columns: ['user_id'], definition: 'FOREIGN KEY (user_id) REFERENCES users(id)', validated: true, references: { table: 'public.users', columns: ['id'] } },
    ],
  });
}

describe('drop column on PostgreSQL', () => {
  it('app_step_then_drop: a catalog dependency check, the application stops using the column (A+1), DROP COLUMN (A+2) is the point of no return', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, snapshotOf(180004));
    expect(plan.steps.map((s) => [s.kind, s.deploy])).toEqual([['validate', 'A'], ['app', 'A+1'], ['ddl', 'A+2']]);
    const [check, app, drop] = plan.steps as [(typeof plan.steps)[0], (typeof plan.steps)[0], (typeof plan.steps)[0]];
    expect(check.sql).toEqual([]);
    expect(check.checkpoint).toMatchObject({ expected: 0 });
    expect(check.checkpoint!.sql).toMatch(/pg_depend d WHERE .* d\.deptype = 'n' .*attname = 'email'/);
    expect(app.instruction).toMatch(/no longer uses public\.users\.email anywhere/);
    expect(app.rollback).toEqual({ kind: 'deploy', release: 'A', instruction: 'deploy back the version that uses email' });
    expect(drop.sql).toEqual(['ALTER TABLE "public"."users" DROP COLUMN "email"']);
    expect(drop.lock).toEqual({ mode: 'ACCESS EXCLUSIVE', tables: ['public.users'], blocksReads: true, blocksWrites: true, duration: 'brief' });
    expect(drop.timeouts).toMatchObject({ lockTimeoutMs: 2000, retries: 10 });
    expect(drop.rollback).toMatchObject({ kind: 'irreversible', dataLost: 'the email values of ~80,000,000 rows' });
    expect(plan.pointOfNoReturn?.step).toBe(3);
    expect(plan.lastReversibleStep).toBe(2);
  });

  it('check_query_parses: the dependency check and the query that lists dependents are single SELECTs', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, snapshotOf(180004));
    await loadParser();
    expect(parseStatements(plan.steps[0]!.checkpoint!.sql).map((s) => s.type)).toEqual(['SelectStmt']);
    const list = /list the dependents with (.*); change them/.exec(plan.steps[0]!.caveats.join('\n'))![1]!;
    expect(parseStatements(list).map((s) => s.type)).toEqual(['SelectStmt']);
    expect(list).toContain('pg_describe_object');
  });

  it('not_null_without_default: made nullable first (release A), so inserts of the new release do not fail; 12+ undoes it through a validated CHECK', async () => {
    const users = usersTable({ columns: usersTable().columns.map((c) => (c.name === 'full_name' ? { ...c, nullable: false } : c)) });
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN full_name' }, snapshotOf(180004, users));
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Check that no view, trigger, policy or foreign key depends on full_name',
      'Drop NOT NULL on full_name',
      'Application stops reading and writing full_name',
      'Drop column full_name',
    ]);
    expect(plan.steps[1]!.deploy).toBe('A');
    expect(plan.steps[1]!.rollback).toMatchObject({ kind: 'sql', transactional: false });
    expect(plan.steps[1]!.caveats.join('\n')).toMatch(/every INSERT would fail \(SQLSTATE 23502\)/);
  });

  it('not_null_with_default: stays NOT NULL (inserts that leave it out get the default)', async () => {
    const users = usersTable({ columns: [...usersTable().columns, { name: 'status', type: 'text', nullable: false, default: "'active'::text" }] });
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN status' }, snapshotOf(180004, users));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'app', 'ddl']);
  });

  it('lost_dependents: every index using the column (key, expression, predicate) and its constraints are named as lost, and predicted gone', async () => {
    const users = usersTable({
      indexes: [
        ...usersTable().indexes,
        ix('users_email_name_idx', ['email', 'full_name']),
        ix('users_lower_email_idx', ['lower(email)']),
        ix('users_named_idx', ['full_name'], { predicate: '(email IS NOT NULL)' }),
        ix('users_name_idx', ['full_name']),
      ],
      constraints: [...usersTable().constraints, { name: 'users_email_check', type: 'check', columns: ['email'], definition: "CHECK ((email <> ''::text))", validated: true, references: null }],
    });
    const before = snapshotOf(180004, users);
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, before);
    const drop = plan.steps[2]!;
    expect(drop.rollback.kind === 'irreversible' && drop.rollback.dataLost).toBe(
      'the email values of ~80,000,000 rows; dropped with it: index users_email_name_idx (the whole index, on email, full_name), index users_lower_email_idx (the whole index, on lower(email)), ' +
        'index users_named_idx (the whole index, on full_name WHERE (email IS NOT NULL)), check constraint users_email_check',
    );
    const after = snapshotsAfterSteps(before, plan.steps).at(-1)!.tables[0]!;
    expect(after.indexes.map((i) => i.name)).toEqual(['users_name_idx', 'users_pkey']);
    expect(after.constraints.map((k) => k.name)).toEqual(['users_pkey']);
    expect(after.columns.map((c) => c.name)).toEqual(['id', 'full_name']);
  });

  it('outgoing_foreign_key: dropping it takes ACCESS EXCLUSIVE on the referenced table too, which the claim and the plan facts name', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders DROP COLUMN user_id' }, snapshotOf(180004, usersTable(), ordersTable()));
    const drop = plan.steps.at(-1)!;
    expect(drop.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', tables: ['public.orders', 'public.users'] });
    expect(drop.caveats.join('\n')).toMatch(/drops foreign key orders_user_id_fkey, which takes ACCESS EXCLUSIVE on the referenced public\.users too/);
    expect(plan.tables.map((t) => t.table)).toEqual(['public.orders', 'public.users']);
  });

  it('refuses_primary_key_column', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users DROP COLUMN id' }, snapshotOf(180004))).rejects.toThrow(/column "id" is part of the primary key users_pkey of public\.users[\s\S]*in: ALTER TABLE users DROP COLUMN id/);
  });

  it('refuses_column_a_foreign_key_references, naming the foreign key and its table', async () => {
    const users = usersTable({ constraints: [...usersTable().constraints, { name: 'users_email_key', type: 'unique', columns: ['email'], definition: 'UNIQUE (email)', validated: true, references: null }] });
    const orders = ordersTable();
    orders.columns.push({ name: 'email', type: 'text', nullable: true, default: null });
    orders.constraints.push({ name: 'orders_email_fkey', type: 'foreign_key', columns: ['email'], definition: 'FOREIGN KEY (email) REFERENCES users(email)', validated: true, references: { table: 'public.users', columns: ['email'] } });
    await expect(planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, snapshotOf(180004, users, orders))).rejects.toThrow(
      /referenced by foreign key orders_email_fkey on public\.orders, so PostgreSQL refuses to drop it .*Drop the foreign key first \(ALTER TABLE "public"\."orders" DROP CONSTRAINT "orders_email_fkey"/,
    );
  });

  it('refuses_cascade and unknown columns', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users DROP COLUMN email CASCADE' }, snapshotOf(180004))).rejects.toThrow(/DROP COLUMN … CASCADE .* is not supported/);
    await expect(planChange({ sql: 'ALTER TABLE users DROP COLUMN nope' }, snapshotOf(180004))).rejects.toThrow(/column "nope" does not exist in public\.users/);
  });

  it('plan_file_round_trip: the plan reads back and keeps every invariant', async () => {
    const plan = await planChange({ intents: [{ kind: 'drop_column', table: 'users', column: 'email' }] }, snapshotOf(110022));
    expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
  });
});
