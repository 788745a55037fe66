import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { parsePlanJson } from '../../plan/schema.js';
import { planViolations } from '../../plan/invariants.js';
import { loadParser, parseStatements } from '../../input/pg-parser.js';
import type { TableSchema } from '../../schema/snapshot.js';
import { snapshotOf } from '../fixtures.test-support.js';
import { placeholderFor } from './swap.js';

/** accounts(id serial PK, name varchar(50) NOT NULL indexed, code text, created timestamp) — large; orders references it. */
function accounts(over: Partial<TableSchema> = {}): TableSchema {
  return {
    schema: 'public',
    name: 'accounts',
    columns: [
      { name: 'id', type: 'integer', nullable: false, default: `nextval('accounts_id_seq'::regclass)` },
      { name: 'name', type: 'character varying(50)', nullable: false, default: `'anonymous'::character varying` },
      { name: 'code', type: 'text', nullable: true, default: null },
      { name: 'created', type: 'timestamp without time zone', nullable: false, default: null },
    ],
    indexes: [
      { name: 'accounts_pkey', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: 'CREATE UNIQUE INDEX accounts_pkey ON public.accounts USING btree (id)' },
      { name: 'accounts_name_idx', columns: ['name'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: 'CREATE INDEX accounts_name_idx ON public.accounts USING btree (name text_pattern_ops)' },
    ],
    constraints: [{ name: 'accounts_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true, references: null }],
    triggers: [],
    rowEstimate: 50_000_000,
    sizeBytes: 6_000_000_000,
    ...over,
  };
}

function orders(over: Partial<TableSchema> = {}): TableSchema {
  return {
    schema: 'public',
    name: 'orders',
    columns: [
      { name: 'id', type: 'bigint', nullable: false, default: null },
      { name: 'account_id', type: 'integer', nullable: true, default: null },
    ],
    indexes: [{ name: 'orders_pkey', columns: ['id'], unique: true, primary: true, valid: true, predicate: null, method: 'btree', definition: '' }],
    constraints: [
      { name: 'orders_pkey', type: 'primary_key', columns: ['id'], definition: 'PRIMARY KEY (id)', validated: true, references: null },
      { name: 'orders_account_id_fkey', type: 'foreign_key', columns: ['account_id'], definition: 'FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE', validated: true, references: { table: 'public.accounts', columns: ['id'] } },
    ],
    triggers: [],
    rowEstimate: 200_000_000,
    sizeBytes: 20_000_000_000,
    ...over,
  };
}

const snapshot = (version = 180004, ...tables: TableSchema[]) => snapshotOf(version, ...(tables.length ? tables : [accounts(), orders()]));
const withColumn = (name: string, change: object) => accounts({ columns: accounts().columns.map((c) => (c.name === name ? { ...c, ...change } : c)) });

describe('change column type on PostgreSQL: in place', () => {
  it('varchar_widening_in_place: one brief ACCESS EXCLUSIVE step, no rewrite, the type checked in the catalog', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(200)' }, snapshot());
    expect(plan.steps).toHaveLength(1);
    const [step] = plan.steps;
    expect(step!.sql).toEqual(['ALTER TABLE "public"."accounts" ALTER COLUMN "name" TYPE character varying(200)']);
    expect(step!.lock).toEqual({ mode: 'ACCESS EXCLUSIVE', tables: ['public.accounts'], blocksReads: true, blocksWrites: true, duration: 'brief' });
    expect(step!.checkpoint).toMatchObject({ expected: 'character varying(200)' });
    expect(step!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE "public"."accounts" ALTER COLUMN "name" TYPE character varying(50)'], note: 'rewrites the table under ACCESS EXCLUSIVE' });
    expect(step!.caveats[0]).toMatch(/no table rewrite and no scan, indexes kept \(storage reused\)/);
    expect(step!.changes).toEqual([{ op: 'set_column_type', table: { schema: 'public', name: 'accounts' }, column: 'name', type: 'character varying(200)' }]);
  });

  it('binary_coercible_table: each row of locks.md §1.3 is in place, its opposites are not', async () => {
    const cases: [string, string, boolean][] = [
      ['character varying(50)', 'text', true],
      ['character varying(50)', 'varchar', true],
      ['text', 'varchar', true],
      ['text', 'varchar(10)', false],
      ['character varying(50)', 'varchar(20)', false],
      ['numeric(10,2)', 'numeric(12,2)', true],
      ['numeric(10,2)', 'numeric', true],
      ['numeric(10,2)', 'numeric(12,3)', false],
      ['timestamp(3) without time zone', 'timestamp', true],
      ['timestamp without time zone', 'timestamp(6)', true],
      ['timestamp without time zone', 'timestamp(3)', false],
      ['cidr', 'inet', true],
      ['bit varying(5)', 'varbit(9)', true],
      ['integer', 'bigint', false],
      ['character varying(10)[]', 'varchar(20)[]', false],
    ];
    for (const [from, to, inPlace] of cases) {
      const plan = await planChange({ sql: `ALTER TABLE accounts ALTER COLUMN code TYPE ${to}` }, snapshot(180004, withColumn('code', { type: from }), orders()));
      expect([from, to, plan.steps.length === 1]).toEqual([from, to, inPlace]);
    }
  });

  it('check_constraint_re_added_not_valid: no scan under ACCESS EXCLUSIVE — dropped and re-added NOT VALID in the same transaction, then validated under SHARE UPDATE EXCLUSIVE', async () => {
    const table = accounts({ constraints: [...accounts().constraints, { name: 'accounts_name_check', type: 'check', columns: ['name'], definition: `CHECK (((name)::text <> ''::text))`, validated: true, references: null }] });
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE text' }, snapshot(180004, table, orders()));
    expect(plan.steps.map((s) => [s.kind, s.lock.mode, s.lock.duration])).toEqual([
      ['ddl', 'ACCESS EXCLUSIVE', 'brief'],
      ['validate', 'SHARE UPDATE EXCLUSIVE', 'scan'],
    ]);
    expect(plan.steps[0]!.sql).toEqual([
      'LOCK TABLE "public"."accounts" IN ACCESS EXCLUSIVE MODE',
      'ALTER TABLE "public"."accounts" DROP CONSTRAINT "accounts_name_check"',
      'ALTER TABLE "public"."accounts" ALTER COLUMN "name" TYPE text',
      `ALTER TABLE "public"."accounts" ADD CONSTRAINT "accounts_name_check" CHECK (((name)::text <> ''::text)) NOT VALID`,
    ]);
    expect(plan.steps[1]!.sql).toEqual(['ALTER TABLE "public"."accounts" VALIDATE CONSTRAINT "accounts_name_check"']);
  });

  it('foreign_key_neighbour_locked_too: an in-place change of a referenced key claims ACCESS EXCLUSIVE on the referencing table as well', async () => {
    const table = withColumn('id', { type: 'character varying(20)', default: null });
    const referencing = orders({ columns: [orders().columns[0]!, { name: 'account_id', type: 'character varying(20)', nullable: true, default: null }] });
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE varchar(40)' }, snapshot(180004, table, referencing));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', tables: ['public.accounts'], alsoLocks: [{ table: 'public.orders', mode: 'ACCESS EXCLUSIVE' }] });
    expect(plan.steps[0]!.sql).toEqual(['LOCK TABLE "public"."orders", "public"."accounts" IN ACCESS EXCLUSIVE MODE', 'ALTER TABLE "public"."accounts" ALTER COLUMN "id" TYPE character varying(40)']);
    expect(plan.tables.map((t) => t.table)).toEqual(['public.accounts', 'public.orders']);
  });

  it('pg12_timestamptz_in_place_in_utc: USING … AT TIME ZONE \'UTC\' becomes the plain change under SET LOCAL TimeZone = \'UTC\'', async () => {
    const plan = await planChange({ sql: `ALTER TABLE accounts ALTER COLUMN created TYPE timestamptz USING created AT TIME ZONE 'UTC'` }, snapshot(120022));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual([`SET LOCAL TimeZone = 'UTC'`, 'ALTER TABLE "public"."accounts" ALTER COLUMN "created" TYPE timestamp with time zone']);
  });

  it('pg11_timestamptz_swapped: PostgreSQL 11 rewrites for timestamp → timestamptz, so the column is swapped', async () => {
    const plan = await planChange({ sql: `ALTER TABLE accounts ALTER COLUMN created TYPE timestamptz USING created AT TIME ZONE 'UTC'` }, snapshot(110022));
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'ddl', 'backfill', 'validate', 'ddl', 'app', 'ddl']);
    expect(plan.steps[2]!.backfill!.set).toBe(`"created__new" = created AT TIME ZONE 'UTC'`);
  });

  it('timestamptz_index_rebuilt_so_swapped: an index on the column would be rebuilt under ACCESS EXCLUSIVE even on 12+, so the column is swapped and the reason given', async () => {
    const table = accounts({ indexes: [...accounts().indexes, { name: 'accounts_created_idx', columns: ['created'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: 'CREATE INDEX accounts_created_idx ON public.accounts USING btree (created)' }] });
    const plan = await planChange({ sql: `ALTER TABLE accounts ALTER COLUMN created TYPE timestamptz USING created AT TIME ZONE 'UTC'` }, snapshot(180004, table, orders()));
    expect(plan.steps.length).toBeGreaterThan(1);
    expect(plan.warnings.join('\n')).toMatch(/rebuilds accounts_created_idx with a scan under ACCESS EXCLUSIVE/);
  });

  it('timestamp_zone_unstated_refused: without USING the result depends on each session\'s TimeZone', async () => {
    await expect(planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN created TYPE timestamptz' }, snapshot())).rejects.toThrow(
      /reads the stored values in the session's TimeZone.*USING "created" AT TIME ZONE 'UTC'/s,
    );
  });
});

describe('change column type on PostgreSQL: column swap', () => {
  it('int_to_bigint_primary_key: placeholder NOT NULL column, trigger, backfill, parity, unique copy (no duplicate check: widening cannot collide), one swap transaction, foreign key validated, application check, drop last', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint' }, snapshot());
    expect(plan.steps.map((s) => [s.kind, s.deploy, s.transactional, s.lock.mode, s.lock.duration])).toEqual([
      ['ddl', 'A', true, 'ACCESS EXCLUSIVE', 'brief'],
      ['ddl', 'A', true, 'SHARE ROW EXCLUSIVE', 'brief'],
      ['backfill', 'A', false, 'ROW EXCLUSIVE', 'rows'],
      ['validate', 'A', true, 'ACCESS SHARE', 'scan'],
      ['ddl', 'A', false, 'SHARE UPDATE EXCLUSIVE', 'scan'],
      ['ddl', 'A', true, 'ACCESS EXCLUSIVE', 'brief'],
      ['validate', 'A', true, 'SHARE UPDATE EXCLUSIVE', 'scan'],
      ['app', 'A+1', true, 'none', 'brief'],
      ['ddl', 'A+1', true, 'ACCESS EXCLUSIVE', 'brief'],
    ]);
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "public"."accounts" ADD COLUMN "id__new" bigint NOT NULL DEFAULT 0']);
    expect(plan.steps[1]!.sql[0]).toContain('new."id__new" := new."id";');
    expect(plan.steps[2]!.backfill).toMatchObject({ set: '"id__new" = "id"', predicate: '"id__new" IS DISTINCT FROM CAST("id" AS bigint)', keyColumns: ['id'] });
    expect(plan.steps[4]!.sql).toEqual(['CREATE UNIQUE INDEX CONCURRENTLY accounts_pkey__new ON public.accounts (id__new)']);
    const swap = plan.steps[5]!;
    expect(swap.lock.tables).toEqual(['public.accounts', 'public.orders']);
    expect(swap.sql.slice(0, 11)).toEqual([
      // the referencing table first: an application inserting an order locks orders, then accounts
      'LOCK TABLE "public"."orders", "public"."accounts" IN ACCESS EXCLUSIVE MODE',
      'ALTER TABLE "public"."orders" DROP CONSTRAINT "orders_account_id_fkey"',
      'ALTER TABLE "public"."accounts" DROP CONSTRAINT "accounts_pkey"',
      'DROP TRIGGER "liveshift_accounts_id_to_new" ON "public"."accounts"',
      'ALTER TABLE "public"."accounts" RENAME COLUMN "id" TO "id__old"',
      'ALTER TABLE "public"."accounts" RENAME COLUMN "id__new" TO "id"',
      'ALTER TABLE "public"."accounts" ADD CONSTRAINT "accounts_pkey" PRIMARY KEY USING INDEX "accounts_pkey__new"',
      'ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_account_id_fkey" FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE NOT VALID',
      `ALTER TABLE "public"."accounts" ALTER COLUMN "id__old" DROP DEFAULT, ALTER COLUMN "id" SET DEFAULT nextval('accounts_id_seq'::regclass)`,
      'ALTER SEQUENCE accounts_id_seq OWNED BY "public"."accounts"."id"',
      'ALTER SEQUENCE accounts_id_seq AS bigint',
    ]);
    expect(swap.sql[11]).toContain('new."id__old" := new."id";');
    // the primary key's index cannot survive its constraint: the rollback rebuilds CONCURRENTLY around a one-transaction DO block
    expect(swap.rollback).toMatchObject({ kind: 'sql', transactional: false });
    const back = swap.rollback.kind === 'sql' ? swap.rollback.sql : [];
    expect(back[0]).toBe('CREATE UNIQUE INDEX CONCURRENTLY accounts_pkey__old ON public.accounts (id__old)');
    expect(back[1]).toMatch(/^DO \$liveshift_swap\$\nBEGIN\n  LOCK TABLE .* ADD CONSTRAINT "accounts_pkey" PRIMARY KEY USING INDEX "accounts_pkey__old";.*\nEND\n\$liveshift_swap\$$/s);
    expect(back.slice(2)).toEqual(['ALTER TABLE "public"."orders" VALIDATE CONSTRAINT "orders_account_id_fkey"', 'CREATE UNIQUE INDEX CONCURRENTLY accounts_pkey__new ON public.accounts (id__new)']);
    expect(plan.steps[6]!.lock).toMatchObject({ mode: 'SHARE UPDATE EXCLUSIVE', tables: ['public.orders'], alsoLocks: [{ table: 'public.accounts', mode: 'ROW SHARE' }] });
    expect(plan.pointOfNoReturn?.step).toBe(9);
    expect(plan.steps[8]!.sql).toEqual([
      'LOCK TABLE "public"."accounts" IN ACCESS EXCLUSIVE MODE',
      'DROP TRIGGER "liveshift_accounts_id_to_old" ON "public"."accounts"',
      'DROP FUNCTION "public"."liveshift_accounts_id_to_old"()',
      'DROP FUNCTION "public"."liveshift_accounts_id_to_new"()',
      'ALTER TABLE "public"."accounts" DROP COLUMN "id__old"',
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('apply_to_snapshot: the predicted schema after the plan is the naive change\'s (id bigint, same key, default, foreign key validated, nothing left behind)', async () => {
    const before = snapshot();
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint' }, before);
    const after = snapshotsAfterSteps(before, plan.steps).at(-1)!;
    const table = after.tables.find((t) => t.name === 'accounts')!;
    expect(table.columns.map((c) => [c.name, c.type, c.nullable, c.default])).toEqual([
      ['name', 'character varying(50)', false, `'anonymous'::character varying`],
      ['code', 'text', true, null],
      ['created', 'timestamp without time zone', false, null],
      ['id', 'bigint', false, `nextval('accounts_id_seq'::regclass)`],
    ]);
    expect(table.indexes.map((i) => [i.name, i.columns, i.primary])).toEqual([
      ['accounts_name_idx', ['name'], false],
      ['accounts_pkey', ['id'], true],
    ]);
    expect(table.constraints.map((k) => k.name)).toEqual(['accounts_pkey']);
    expect(table.triggers).toEqual([]);
    expect(after.tables.find((t) => t.name === 'orders')!.constraints.find((k) => k.type === 'foreign_key')).toMatchObject({ validated: true, references: { table: 'public.accounts', columns: ['id'] } });
  });

  it('plain_index_renamed_in_swap: a shrinking varchar keeps its default and its index (copied with its operator class), renamed in the swap; the rollback is one transaction', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(20)' }, snapshot());
    expect(plan.steps[0]!.sql).toEqual([`ALTER TABLE "public"."accounts" ADD COLUMN "name__new" character varying(20) NOT NULL DEFAULT ''`]);
    expect(plan.steps.find((s) => s.title.startsWith('Copy index'))!.sql).toEqual(['CREATE INDEX CONCURRENTLY accounts_name_idx__new ON public.accounts (name__new text_pattern_ops)']);
    const swap = plan.steps.find((s) => s.title.startsWith('Swap'))!;
    expect(swap.sql).toContain('ALTER INDEX "public"."accounts_name_idx" RENAME TO "accounts_name_idx__old"');
    expect(swap.sql).toContain('ALTER INDEX "public"."accounts_name_idx__new" RENAME TO "accounts_name_idx"');
    expect(swap.sql).toContain(`ALTER TABLE "public"."accounts" ALTER COLUMN "name__old" DROP DEFAULT, ALTER COLUMN "name" SET DEFAULT 'anonymous'::character varying`);
    expect(swap.lock.tables).toEqual(['public.accounts']);
    expect(swap.rollback).toMatchObject({ kind: 'sql', transactional: true });
    expect(swap.caveats.join('\n')).toMatch(/SELECT \* returns name as the last column/);
  });

  it('using_and_down_expressions: USING drives the trigger (over new.*), the backfill and the parity check; down drives the reverse trigger', async () => {
    const plan = await planChange(
      { intents: [{ kind: 'change_column_type', table: 'accounts', column: 'code', type: 'integer', using: `nullif(code, '')::integer`, down: `code::text` }] },
      snapshot(),
    );
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "public"."accounts" ADD COLUMN "code__new" integer']);
    expect(plan.steps[1]!.sql[0]).toContain(`new."code__new" := CAST(NULLIF (new.code, '') AS int);`);
    expect(plan.steps[2]!.backfill).toMatchObject({ set: `"code__new" = CAST(NULLIF (code, '') AS int)`, predicate: `"code__new" IS DISTINCT FROM CAST(CAST(NULLIF (code, '') AS int) AS integer)` });
    const swap = plan.steps.find((s) => s.title.startsWith('Swap'))!;
    expect(swap.sql.join('\n')).toContain(`new."code__old" := new.code::text;`);
    expect(swap.caveats.join('\n')).toContain('writes every new code back into code__old as text (code::text)');
  });

  it('unique_copy_checked_for_duplicates_when_values_can_collide: numeric rounding can map two keys to one, so a duplicate check comes before the unique build', async () => {
    const table = accounts({ columns: [...accounts().columns, { name: 'price', type: 'numeric(10,2)', nullable: true, default: null }], indexes: [...accounts().indexes, { name: 'accounts_price_key', columns: ['price'], unique: true, primary: false, valid: true, predicate: null, method: 'btree', definition: 'CREATE UNIQUE INDEX accounts_price_key ON public.accounts USING btree (price)' }] });
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN price TYPE numeric(10,1)' }, snapshot(180004, table, orders()));
    const at = plan.steps.findIndex((s) => s.title === 'Check that no duplicates of (price__new) exist');
    expect(plan.steps[at + 1]!.sql).toEqual(['CREATE UNIQUE INDEX CONCURRENTLY accounts_price_key__new ON public.accounts (price__new)']);
    expect(plan.steps[at]!.checkpoint!.sql).toBe('SELECT count(*) FROM (SELECT 1 FROM "public"."accounts" WHERE "price__new" IS NOT NULL GROUP BY "price__new" HAVING count(*) > 1 LIMIT 1) AS duplicates');
  });

  it('not_null_without_placeholder_uses_check_detour: an enum column has no known constant, so NOT NULL goes through the validated CHECK (12+)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE mood USING name::mood' }, snapshot());
    expect(plan.steps[0]!.sql).toEqual(['ALTER TABLE "public"."accounts" ADD COLUMN "name__new" mood']);
    expect(plan.steps.map((s) => s.title)).toContain('Set name__new NOT NULL (no scan: the validated CHECK proves it)');
  });

  it('placeholders_print_back_as_written: every placeholder is a constant the catalog stores without rewriting', () => {
    expect(placeholderFor('bigint')).toBe('0');
    expect(placeholderFor('timestamp with time zone')).toBe(`'-infinity'`);
    expect(placeholderFor('character varying(20)')).toBe(`''`);
    expect(placeholderFor('integer[]')).toBe(`'{}'`);
    expect(placeholderFor('mood')).toBeUndefined();
  });

  it('pg11_primary_key_without_placeholder_refused: ADD PRIMARY KEY USING INDEX would scan for NOT NULL inside the swap', async () => {
    await expect(planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE mood USING id::text::mood' }, snapshot(110022))).rejects.toThrow(/cannot be made NOT NULL without a scan under ACCESS EXCLUSIVE/);
  });

  it('plan_file_round_trip: the swap plan reads back as a plan file and keeps every invariant', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint' }, snapshot());
    expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
    await loadParser();
    for (const s of plan.steps) for (const sql of s.sql) expect(parseStatements(sql).length).toBeGreaterThan(0);
  });

  it('small_table_single_step: a small table with small neighbours is rewritten in one statement, claimed as a rewrite', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint' }, snapshot(180004, accounts({ sizeBytes: 100_000 }), orders({ sizeBytes: 100_000 })));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', duration: 'rewrite', alsoLocks: [{ table: 'public.orders', mode: 'ACCESS EXCLUSIVE' }] });
  });

  it('small_table_large_neighbour_swapped: the server would hold the large referencing table while it re-checks the key, so the column is swapped', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint' }, snapshot(180004, accounts({ sizeBytes: 100_000 }), orders()));
    expect(plan.steps.length).toBeGreaterThan(1);
  });
});

describe('change column type on PostgreSQL: constraints of the column', () => {
  it('referencing_foreign_key_copied: the key is added to the new column NOT VALID and validated, renamed in the swap, and the old one goes with the old column (which locks the referenced table too)', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ALTER COLUMN account_id TYPE bigint' }, snapshot());
    const copy = plan.steps.find((s) => s.title === 'Copy foreign key orders_account_id_fkey onto the new column as orders_account_id_fkey__new NOT VALID')!;
    expect(copy.sql).toEqual(['ALTER TABLE public.orders ADD CONSTRAINT orders_account_id_fkey__new FOREIGN KEY(account_id__new) REFERENCES accounts (id) ON DELETE CASCADE NOT VALID']);
    expect(copy.lock).toMatchObject({ mode: 'SHARE ROW EXCLUSIVE', tables: ['public.orders', 'public.accounts'] });
    const validate = plan.steps.find((s) => s.title === 'Validate orders_account_id_fkey__new on existing rows')!;
    expect(validate.lock).toMatchObject({ mode: 'SHARE UPDATE EXCLUSIVE', tables: ['public.orders'], alsoLocks: [{ table: 'public.accounts', mode: 'ROW SHARE' }] });
    const swap = plan.steps.find((s) => s.title.startsWith('Swap'))!;
    expect(swap.sql).toContain('ALTER TABLE "public"."orders" RENAME CONSTRAINT "orders_account_id_fkey" TO "orders_account_id_fkey__old"');
    expect(swap.sql).toContain('ALTER TABLE "public"."orders" RENAME CONSTRAINT "orders_account_id_fkey__new" TO "orders_account_id_fkey"');
    const last = plan.steps.at(-1)!;
    expect(last.sql[0]).toBe('LOCK TABLE "public"."orders", "public"."accounts" IN ACCESS EXCLUSIVE MODE');
    expect(last.lock.tables).toEqual(['public.orders', 'public.accounts']);
    const after = snapshotsAfterSteps(snapshot(), plan.steps).at(-1)!.tables.find((t) => t.name === 'orders')!;
    expect(after.constraints.map((k) => [k.name, k.columns, k.validated, k.references])).toEqual([
      ['orders_account_id_fkey', ['account_id'], true, { table: 'public.accounts', columns: ['id'] }],
      ['orders_pkey', ['id'], true, null],
    ]);
  });

  it('check_constraint_copied: a CHECK on the column is rebuilt on the new column with the column replaced in its expression', async () => {
    const table = accounts({ constraints: [...accounts().constraints, { name: 'accounts_name_check', type: 'check', columns: ['name'], definition: 'CHECK ((length((name)::text) > 0))', validated: true, references: null }] });
    const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(20)' }, snapshot(180004, table, orders()));
    expect(plan.steps.find((s) => s.title.startsWith('Copy CHECK'))!.sql).toEqual(['ALTER TABLE public.accounts ADD CONSTRAINT accounts_name_check__new CHECK (length(name__new::text) > 0) NOT VALID']);
    expect(plan.steps.find((s) => s.title.startsWith('Copy CHECK'))!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', tables: ['public.accounts'] });
  });
});

describe('change column type on PostgreSQL: refusals', () => {
  const refused = async (sql: string, table: TableSchema, pattern: RegExp, version = 180004) =>
    expect(planChange({ sql }, snapshot(version, table, orders()))).rejects.toThrow(pattern);

  it('same_type_refused', () => refused('ALTER TABLE accounts ALTER COLUMN code TYPE text', accounts(), /already text; nothing to do/));
  it('unknown_column_refused', () => refused('ALTER TABLE accounts ALTER COLUMN nope TYPE text', accounts(), /column "nope" does not exist in public.accounts/));
  it('expression_index_refused_with_steps', () =>
    refused('ALTER TABLE accounts ALTER COLUMN code TYPE integer USING code::integer', accounts({ indexes: [...accounts().indexes, { name: 'accounts_lower_code_idx', columns: ['lower(code)'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '' }] }), /index accounts_lower_code_idx uses code in an expression.*DROP INDEX CONCURRENTLY/s));
  it('identity_column_refused_with_steps', () =>
    refused('ALTER TABLE accounts ALTER COLUMN id TYPE bigint', withColumn('id', { default: null, identity: 'always' }), /identity column .*DROP IDENTITY.*plan this change again/s));
  it('generated_column_source_refused', () =>
    refused('ALTER TABLE accounts ALTER COLUMN code TYPE varchar(5)', accounts({ columns: [...accounts().columns, { name: 'code2', type: 'text', nullable: true, default: `(code || code)`, generated: 'stored' }] }), /generated column code2 is computed from code/));
  it('partition_refused_pointing_to_parent', () =>
    refused('ALTER TABLE accounts ALTER COLUMN code TYPE varchar(5)', accounts({ partitionOf: { table: 'public.all_accounts', bound: 'DEFAULT' } }), /partition of public.all_accounts.*change the type on public.all_accounts/));
  it('partitioned_indexed_column_refused: each partition\'s index on the column would be rebuilt under ACCESS EXCLUSIVE even for a binary-coercible change', () =>
    refused(
      'ALTER TABLE accounts ALTER COLUMN name TYPE text',
      accounts({ partitioning: { strategy: 'range', key: '(created)' } }),
      /is partitioned, and this change would rewrite its partitions \(or rebuild each partition's index on name.*drop the indexes on name first/s,
    ));
  it('partitioned_swap_refused', () =>
    refused('ALTER TABLE accounts ALTER COLUMN code TYPE integer USING code::integer', accounts({ partitioning: { strategy: 'range', key: '(created)' } }), /is partitioned, and this change would rewrite its partitions.*CREATE INDEX CONCURRENTLY on the partitioned table/s));
  it('volatile_using_refused', () => refused('ALTER TABLE accounts ALTER COLUMN code TYPE integer USING (random() * 10)::integer', accounts(), /calls random\(\), which is volatile/));
  it('using_unknown_column_refused', () => refused('ALTER TABLE accounts ALTER COLUMN code TYPE integer USING other::integer', accounts(), /uses column "other"/));
  it('collate_refused', () => refused('ALTER TABLE accounts ALTER COLUMN code TYPE text COLLATE "C"', accounts(), /ALTER COLUMN … TYPE … COLLATE is not supported yet/));
});
