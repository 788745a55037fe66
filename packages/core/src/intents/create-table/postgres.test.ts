import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { planViolations } from '../../plan/invariants.js';
import { parsePlanJson } from '../../plan/schema.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { snapshotOf, usersTable } from '../fixtures.test-support.js';

const PAYMENTS = `CREATE TABLE payments (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users,
  amount numeric(12,2) NOT NULL CHECK (amount >= 0),
  reference text UNIQUE,
  created_at timestamptz DEFAULT now()
)`;

describe('create table on PostgreSQL', () => {
  it('small_referenced_table_one_step: every constraint named, the key inline, SHARE ROW EXCLUSIVE claimed on the referenced table', async () => {
    const snapshot = snapshotOf(180004, usersTable({ sizeBytes: 100_000 }));
    const plan = await planChange({ sql: PAYMENTS }, snapshot);
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0]!;
    expect(step.sql).toEqual([
      [
        'CREATE TABLE "public"."payments" (',
        '  "id" bigserial,',
        '  "user_id" bigint NOT NULL,',
        '  "amount" numeric(12,2) NOT NULL,',
        '  "reference" text,',
        '  "created_at" timestamp with time zone DEFAULT now(),',
        '  CONSTRAINT "payments_pkey" PRIMARY KEY ("id"),',
        '  CONSTRAINT "payments_reference_key" UNIQUE ("reference"),',
        '  CONSTRAINT "payments_amount_check" CHECK (amount >= 0),',
        '  CONSTRAINT "payments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users" ("id")',
        ')',
      ].join('\n'),
    ]);
    expect(step.lock).toEqual({
      mode: 'ACCESS EXCLUSIVE',
      tables: ['public.payments'],
      blocksReads: true,
      blocksWrites: true,
      duration: 'brief',
      alsoLocks: [{ table: 'public.users', mode: 'SHARE ROW EXCLUSIVE' }],
    });
    expect(step.rollback).toMatchObject({ kind: 'sql', sql: ['DROP TABLE "public"."payments"'], transactional: true });
    expect(step.caveats.join('\n')).toMatch(/creates the sequence public\.payments_id_seq/);
    expect(plan.tables.map((t) => t.table)).toEqual(['public.payments', 'public.users']);
    expect(plan.warnings.join('\n')).toMatch(/No index on public\.payments starts with \(user_id\).*after the CREATE TABLE/);
    const table = snapshotsAfterSteps(snapshot, plan.steps).at(-1)!.tables.find((t) => t.name === 'payments')!;
    expect(table.columns).toEqual([
      { name: 'id', type: 'bigint', nullable: false, default: "nextval('payments_id_seq'::regclass)" },
      { name: 'user_id', type: 'bigint', nullable: false, default: null },
      { name: 'amount', type: 'numeric(12,2)', nullable: false, default: null },
      { name: 'reference', type: 'text', nullable: true, default: null },
      { name: 'created_at', type: 'timestamp with time zone', nullable: true, default: 'now()' },
    ]);
    expect(table.constraints.map((k) => [k.name, k.type, k.columns])).toEqual([
      ['payments_amount_check', 'check', ['amount']],
      ['payments_pkey', 'primary_key', ['id']],
      ['payments_reference_key', 'unique', ['reference']],
      ['payments_user_id_fkey', 'foreign_key', ['user_id']],
    ]);
    expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
  });

  it('large_referenced_table_key_added_after: CREATE TABLE without it, then NOT VALID and VALIDATE', async () => {
    const plan = await planChange({ sql: PAYMENTS }, snapshotOf(180004));
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Create table public.payments (foreign keys to large tables follow)',
      'Add foreign key payments_user_id_fkey NOT VALID (user_id) → public.users (id)',
      'Validate foreign key payments_user_id_fkey on existing rows',
    ]);
    expect(plan.steps[0]!.sql[0]).not.toMatch(/REFERENCES/);
    expect(plan.steps[0]!.lock.alsoLocks).toBeUndefined();
    expect(plan.warnings.join('\n')).toMatch(/public\.users is over the small-table threshold/);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
  });

  it('self_reference_and_identity: a tree table references itself inline; identity columns are NOT NULL without a default', async () => {
    const plan = await planChange(
      { sql: 'CREATE TABLE app.nodes (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent_id int REFERENCES app.nodes (id) ON DELETE CASCADE, label varchar(20) NOT NULL)' },
      snapshotOf(180004),
    );
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql[0]).toContain('"id" integer GENERATED ALWAYS AS IDENTITY');
    expect(plan.steps[0]!.sql[0]).toContain('CONSTRAINT "nodes_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "app"."nodes" ("id") ON DELETE CASCADE');
    expect(plan.steps[0]!.lock.alsoLocks).toBeUndefined();
    const table = snapshotsAfterSteps(snapshotOf(180004), plan.steps).at(-1)!.tables.find((t) => t.name === 'nodes')!;
    expect(table.columns[0]).toEqual({ name: 'id', type: 'integer', nullable: false, default: null });
    expect(table.columns[2]).toEqual({ name: 'label', type: 'character varying(20)', nullable: false, default: null });
  });

  it('serial_in_another_schema: the sequence default names its schema, as the server prints it', async () => {
    const plan = await planChange({ sql: 'CREATE TABLE app."Big Table" (id serial PRIMARY KEY)' }, snapshotOf(180004));
    expect(plan.steps[0]!.changes[0]).toMatchObject({ columns: [{ name: 'id', type: 'integer', default: `nextval('app."Big Table_id_seq"'::regclass)` }] });
  });

  it('a_table_then_its_index_in_one_plan: the index on the new, empty table is a plain build', async () => {
    const plan = await planChange({ sql: 'CREATE TABLE tags (id bigint PRIMARY KEY, name text NOT NULL); CREATE INDEX tags_name_idx ON tags (name)' }, snapshotOf(180004));
    expect(plan.steps.map((s) => s.sql[0]!.split('\n')[0])).toEqual(['CREATE TABLE "public"."tags" (', 'CREATE INDEX "tags_name_idx" ON "public"."tags" ("name")']);
    expect(plan.tables).toEqual([{ table: 'public.tags', rowEstimate: 0, sizeBytes: 0, indexes: ['tags_pkey'], foreignKeys: [], triggers: [] }]);
  });

  it('refusals: an existing table, an unknown column in a key, a referenced key that is not unique, unsupported forms', async () => {
    await expect(planChange({ sql: 'CREATE TABLE users (id int)' }, snapshotOf(180004))).rejects.toThrow(/table public\.users already exists/);
    await expect(planChange({ sql: 'CREATE TABLE t (id int, PRIMARY KEY (nope))' }, snapshotOf(180004))).rejects.toThrow(/primary key names column "nope"/);
    await expect(planChange({ sql: 'CREATE TABLE t (e text REFERENCES users (email))' }, snapshotOf(180004))).rejects.toThrow(/public\.users \(email\) is not its primary key/);
    await expect(planChange({ sql: 'CREATE TEMPORARY TABLE t (id int)' }, snapshotOf(180004))).rejects.toThrow(/CREATE TEMPORARY TABLE is not supported yet/);
    await expect(planChange({ sql: 'CREATE TABLE t (id int) PARTITION BY RANGE (id)' }, snapshotOf(180004))).rejects.toThrow(/PARTITION BY is not supported yet/);
    await expect(planChange({ sql: 'CREATE TABLE t (id int, x int GENERATED ALWAYS AS (id * 2) STORED)' }, snapshotOf(180004))).rejects.toThrow(/generated column/);
  });
});
