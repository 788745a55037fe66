import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { loadParser, parseStatements } from '../../input/pg-parser.js';
import { parsePlanJson } from '../../plan/schema.js';
import { planViolations } from '../../plan/invariants.js';
import type { TableSchema } from '../../schema/snapshot.js';
import { ordersTable, snapshotOf, usersTable } from '../fixtures.test-support.js';

const userIdIndex = { name: 'orders_user_id_idx', columns: ['user_id'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '' };
const indexedOrders = () => ordersTable({ indexes: [...ordersTable().indexes, userIdIndex] });
const snapshot = (...tables: TableSchema[]) => snapshotOf(180004, usersTable(), ...(tables.length ? tables : [indexedOrders()]));
const addFk = { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)' };

describe('add foreign key on PostgreSQL', () => {
  it('not_valid_then_validate: SHARE ROW EXCLUSIVE on both tables briefly, then VALIDATE under SHARE UPDATE EXCLUSIVE in its own step', async () => {
    const plan = await planChange(addFk, snapshot());
    expect(plan.steps.map((s) => s.sql)).toEqual([
      ['ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users" ("id") NOT VALID'],
      ['ALTER TABLE "public"."orders" VALIDATE CONSTRAINT "orders_user_id_fkey"'],
    ]);
    const [add, validate] = plan.steps as [(typeof plan.steps)[0], (typeof plan.steps)[0]];
    expect(add).toMatchObject({ kind: 'ddl', transactional: true, timeouts: { lockTimeoutMs: 2000, retries: 10 } });
    expect(add.lock).toEqual({ mode: 'SHARE ROW EXCLUSIVE', tables: ['public.orders', 'public.users'], blocksReads: false, blocksWrites: true, duration: 'brief' });
    expect(add.caveats[0]).toMatch(/SHARE ROW EXCLUSIVE on public\.orders and on the referenced public\.users: inserts, updates and deletes on both tables wait/);
    expect(add.checkpoint).toMatchObject({ description: 'constraint orders_user_id_fkey exists (NOT VALID)', expected: true });
    expect(add.rollback).toEqual({ kind: 'sql', sql: ['ALTER TABLE "public"."orders" DROP CONSTRAINT "orders_user_id_fkey"'], transactional: true });

    expect(validate).toMatchObject({ kind: 'validate', transactional: true, timeouts: { lockTimeoutMs: 2000 } });
    expect(validate.lock).toEqual({
      mode: 'SHARE UPDATE EXCLUSIVE',
      tables: ['public.orders'],
      blocksReads: false,
      blocksWrites: false,
      duration: 'scan',
      alsoLocks: [{ table: 'public.users', mode: 'ROW SHARE' }],
    });
    expect(validate.caveats.join('\n')).toMatch(/ROW SHARE on public\.users/);
    expect(validate.checkpoint).toMatchObject({ description: 'constraint orders_user_id_fkey exists and is validated' });
    expect(validate.rollback).toMatchObject({ kind: 'sql', sql: [add.rollback.kind === 'sql' && add.rollback.sql[0], add.sql[0]], transactional: true });
    expect(validate.estimate).toMatchObject({ rows: 200_000_000 });
    expect(plan.tables.map((t) => t.table)).toEqual(['public.orders', 'public.users']);
    expect(plan.warnings).toEqual([]);
    expect(plan.pointOfNoReturn).toBeNull();
  });

  it('plan_file_round_trip: the plan reads back as a plan file and keeps every invariant', async () => {
    const plan = await planChange({ sql: `${addFk.sql} ON DELETE CASCADE` }, snapshot());
    expect(parsePlanJson(JSON.stringify(plan))).toEqual(plan);
    expect(planViolations(plan, { smallTableBytes: 8 * 1024 * 1024 })).toEqual([]);
  });

  it('validate_caveat_gives_the_orphan_query: VALIDATE fails, changing nothing, on a row without its referenced row', async () => {
    const plan = await planChange(addFk, snapshot());
    expect(plan.steps[1]!.caveats.join('\n')).toContain(
      'Find those rows with SELECT f."user_id" FROM "public"."orders" AS f WHERE f."user_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "public"."users" AS r WHERE r."id" = f."user_id") LIMIT 100',
    );
    await loadParser();
    const query = /Find those rows with (.*), fix or delete them/.exec(plan.steps[1]!.caveats.join('\n'))![1]!;
    expect(parseStatements(query)[0]!.type).toBe('SelectStmt');
  });

  it('apply_to_snapshot: the key appears NOT VALID with its references, then validated', async () => {
    const before = snapshot();
    const plan = await planChange(addFk, before);
    const [afterAdd, afterValidate] = snapshotsAfterSteps(before, plan.steps);
    const fk = (s: typeof before) => s.tables.find((t) => t.name === 'orders')!.constraints.find((k) => k.name === 'orders_user_id_fkey');
    expect(fk(afterAdd!)).toMatchObject({ type: 'foreign_key', columns: ['user_id'], validated: false, references: { table: 'public.users', columns: ['id'] } });
    expect(fk(afterAdd!)!.definition).toMatch(/NOT VALID$/);
    expect(fk(afterValidate!)).toMatchObject({ validated: true, references: { table: 'public.users', columns: ['id'] } });
    expect(fk(afterValidate!)!.definition).not.toMatch(/NOT VALID/);
  });

  it('unnamed_sql_key: named <table>_<columns>_fkey like PostgreSQL names it, and references the primary key when no columns are given', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users' }, snapshot());
    expect(plan.intents[0]).toEqual({ kind: 'add_foreign_key', table: 'orders', columns: ['user_id'], references: { table: 'users' } });
    expect(plan.steps[0]!.sql[0]).toBe('ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users" ("id") NOT VALID');
  });

  it('generated_name_taken: a number after fkey, as PostgreSQL does', async () => {
    const taken = indexedOrders();
    taken.constraints.push({ name: 'orders_user_id_fkey', type: 'check', columns: ['user_id'], definition: 'CHECK (user_id > 0)', validated: true, references: null });
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users(id)' }, snapshot(taken));
    expect(plan.steps[1]!.sql[0]).toBe('ALTER TABLE "public"."orders" VALIDATE CONSTRAINT "orders_user_id_fkey1"');
  });

  it('referential_actions: ON DELETE / ON UPDATE from SQL reach the intent and the statement', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE' }, snapshot());
    expect(plan.intents[0]).toMatchObject({ onDelete: 'set null', onUpdate: 'cascade' });
    expect(plan.steps[0]!.sql[0]).toMatch(/REFERENCES "public"\."users" \("id"\) ON DELETE SET NULL ON UPDATE CASCADE NOT VALID$/);
  });

  it('multi_column_key: a structured intent referencing a unique index whose columns come in another order', async () => {
    const users = usersTable({
      columns: [...usersTable().columns, { name: 'tenant_id', type: 'integer', nullable: false, default: null }],
      indexes: [...usersTable().indexes, { name: 'users_id_tenant_key', columns: ['id', 'tenant_id'], unique: true, primary: false, valid: true, predicate: null, method: 'btree', definition: '' }],
    });
    const orders = ordersTable({ indexes: [...ordersTable().indexes, { ...userIdIndex, name: 'orders_tenant_user_idx', columns: ['tenant_id', 'user_id', 'note'] }] });
    const plan = await planChange(
      { intents: [{ kind: 'add_foreign_key', table: 'orders', columns: ['tenant_id', 'user_id'], references: { table: 'users', columns: ['tenant_id', 'id'] }, onDelete: 'cascade' }] },
      snapshotOf(180004, users, orders),
    );
    expect(plan.steps[0]!.sql[0]).toBe(
      'ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_tenant_id_user_id_fkey" FOREIGN KEY ("tenant_id", "user_id") REFERENCES "public"."users" ("tenant_id", "id") ON DELETE CASCADE NOT VALID',
    );
    expect(plan.steps[1]!.caveats.join('\n')).toContain('WHERE f."tenant_id" IS NOT NULL AND f."user_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "public"."users" AS r WHERE r."tenant_id" = f."tenant_id" AND r."id" = f."user_id")');
    expect(plan.warnings).toEqual([]);
  });

  it('small_tables: one validated ADD CONSTRAINT, with the threshold and the reason stated', async () => {
    const small = { sizeBytes: 64 * 1024, rowEstimate: 500 };
    const plan = await planChange(addFk, snapshotOf(180004, usersTable(small), ordersTable({ ...small, indexes: [...ordersTable().indexes, userIdIndex] })));
    expect(plan.steps).toHaveLength(1);
    const s = plan.steps[0]!;
    expect(s.sql).toEqual(['ALTER TABLE "public"."orders" ADD CONSTRAINT "orders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users" ("id")']);
    expect(s.lock).toEqual({ mode: 'SHARE ROW EXCLUSIVE', tables: ['public.orders', 'public.users'], blocksReads: false, blocksWrites: true, duration: 'scan' });
    expect(s.checkpoint?.description).toBe('constraint orders_user_id_fkey exists and is validated');
    expect(s.caveats[0]).toMatch(/public\.orders is 64 KiB and public\.users is 64 KiB, both under the small-table threshold \(8\.0 MiB\)/);
    expect(s.changes).toMatchObject([{ op: 'add_constraint', constraint: { validated: true } }]);
  });

  it('one_small_table_is_not_enough: a small orders referencing a large users still gets NOT VALID + VALIDATE', async () => {
    const plan = await planChange(addFk, snapshot(ordersTable({ sizeBytes: 64 * 1024, rowEstimate: 500, indexes: [...ordersTable().indexes, userIdIndex] })));
    expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'validate']);
  });

  it('unindexed_referencing_columns: a warning recommending an index, and no index step added', async () => {
    const plan = await planChange(addFk, snapshot(ordersTable()));
    expect(plan.steps).toHaveLength(2);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatch(/No index on public\.orders starts with \(user_id\): every delete in public\.users, or update of its key, will scan public\.orders/);
    expect(plan.warnings[0]).toContain('CREATE INDEX ON "public"."orders" ("user_id")');
  });

  it('index_with_the_key_second_does_not_count, a partial one neither; planning the index first silences the warning', async () => {
    const second = ordersTable({ indexes: [...ordersTable().indexes, { ...userIdIndex, columns: ['note', 'user_id'] }] });
    expect((await planChange(addFk, snapshot(second))).warnings).toHaveLength(1);
    const partial = ordersTable({ indexes: [...ordersTable().indexes, { ...userIdIndex, predicate: 'note IS NULL' }] });
    expect((await planChange(addFk, snapshot(partial))).warnings).toHaveLength(1);
    const both = await planChange({ sql: `CREATE INDEX ON orders (user_id); ${addFk.sql}` }, snapshot(ordersTable()));
    expect(both.steps.map((s) => s.sql[0]!.slice(0, 30))).toEqual(['CREATE INDEX CONCURRENTLY "ord', 'ALTER TABLE "public"."orders" ', 'ALTER TABLE "public"."orders" ']);
    expect(both.warnings).toEqual([]);
  });

  it('mismatched_integer_types: allowed, with a warning', async () => {
    const narrow = indexedOrders();
    narrow.columns[1] = { name: 'user_id', type: 'integer', nullable: true, default: null };
    const plan = await planChange(addFk, snapshot(narrow));
    expect(plan.warnings).toEqual([expect.stringMatching(/public\.orders\.user_id is integer but references public\.users\.id, which is bigint/)]);
  });

  it('pg11_to_17_partitioned_caveat: NOT VALID on a partitioned table is refused before 18, said on the step', async () => {
    const older = await planChange(addFk, snapshotOf(170002, usersTable(), indexedOrders()));
    expect(older.steps[0]!.caveats.join('\n')).toMatch(/If public\.orders is a partitioned table, PostgreSQL 17\.2 refuses a NOT VALID foreign key on it \(allowed from 18\)/);
    expect((await planChange(addFk, snapshot())).steps[0]!.caveats.join('\n')).not.toMatch(/partitioned/);
  });

  it('self_reference: one table in the claims', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN parent_id bigint; ALTER TABLE users ADD FOREIGN KEY (parent_id) REFERENCES users (id)' }, snapshot());
    expect(plan.steps.map((s) => s.lock.tables)).toEqual([['public.users'], ['public.users'], ['public.users']]);
    expect(plan.steps[1]!.sql[0]).toBe('ALTER TABLE "public"."users" ADD CONSTRAINT "users_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "public"."users" ("id") NOT VALID');
  });

  it('awkward_names: schema with a space, table with quotes, reserved words; the SQL parses back to the same names', async () => {
    const parent = usersTable({ schema: 'Sales Dept', name: 'Customer "VIP"', columns: [{ name: 'select', type: 'bigint', nullable: false, default: null }], indexes: [], constraints: [{ name: 'pk', type: 'primary_key', columns: ['select'], definition: '', validated: true, references: null }] });
    const child = ordersTable({ schema: 'Sales Dept', name: "order's", columns: [{ name: 'Customer Id', type: 'bigint', nullable: true, default: null }] , indexes: [], constraints: [] });
    const plan = await planChange({ sql: `ALTER TABLE "Sales Dept"."order's" ADD CONSTRAINT "fk ""vip""" FOREIGN KEY ("Customer Id") REFERENCES "Sales Dept"."Customer ""VIP"""` }, snapshotOf(180004, parent, child));
    expect(plan.steps[0]!.sql[0]).toBe(`ALTER TABLE "Sales Dept"."order's" ADD CONSTRAINT "fk ""vip""" FOREIGN KEY ("Customer Id") REFERENCES "Sales Dept"."Customer ""VIP""" ("select") NOT VALID`);
    expect(plan.steps[0]!.lock.tables).toEqual([`Sales Dept.order's`, 'Sales Dept.Customer "VIP"']);
    expect(plan.steps[0]!.checkpoint!.sql).toContain(`to_regclass('"Sales Dept"."order''s"') AND conname = 'fk "vip"'`);
    await loadParser();
    const [add] = parseStatements(plan.steps[0]!.sql[0]!);
    const k = add!.node.cmds[0].AlterTableCmd.def.Constraint;
    expect([add!.node.relation.schemaname, add!.node.relation.relname, k.conname, k.pktable.relname, k.fk_attrs[0].String.sval, k.pk_attrs[0].String.sval]).toEqual([
      'Sales Dept', "order's", 'fk "vip"', 'Customer "VIP"', 'Customer Id', 'select',
    ]);
    for (const s of plan.steps) for (const sql of [...s.sql, ...(s.rollback.kind === 'sql' ? s.rollback.sql : [])]) expect(parseStatements(sql)).toHaveLength(1);
  });

  describe('refusals name the statement and say what is needed', () => {
    const refused = async (sql: string, pattern: RegExp, tables: TableSchema[] = []) => {
      const err = await planChange({ sql }, snapshot(...tables)).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(pattern);
      expect((err as Error).message).toContain(`in: ${sql}`);
      expect((err as { exitCode?: number }).exitCode).toBe(2);
    };

    it('unknown_table_either_side', async () => {
      await refused('ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES accounts (id)', /table "accounts" is not in the schema/);
      await refused('ALTER TABLE invoices ADD FOREIGN KEY (user_id) REFERENCES users (id)', /table "invoices" is not in the schema/);
    });

    it('unknown_column_either_side', async () => {
      await refused('ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES users (id)', /column "customer_id" does not exist in public\.orders/);
      await refused('ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (uid)', /column "uid" does not exist in public\.users \(columns: id, full_name, email\)/);
    });

    it('referenced_columns_not_unique', async () => {
      await refused(
        'ALTER TABLE orders ADD FOREIGN KEY (note) REFERENCES users (email)',
        /public\.users \(email\) is not its primary key, a unique constraint, or a valid unique index.*CREATE UNIQUE INDEX ON "public"\."users" \("email"\)/s,
      );
    });

    it('invalid_or_partial_unique_index_does_not_count', async () => {
      const users = (over: object) => usersTable({ indexes: [...usersTable().indexes, { name: 'users_email_key', columns: ['email'], unique: true, primary: false, valid: true, predicate: null, method: 'btree', definition: '', ...over }] });
      for (const over of [{ valid: false }, { predicate: 'email IS NOT NULL' }]) {
        await expect(planChange({ sql: 'ALTER TABLE orders ADD FOREIGN KEY (note) REFERENCES users (email)' }, snapshotOf(180004, users(over), indexedOrders()))).rejects.toThrow(/is not its primary key/);
      }
      const ok = await planChange({ sql: 'ALTER TABLE orders ADD FOREIGN KEY (note) REFERENCES users (email)' }, snapshotOf(180004, users({}), indexedOrders()));
      expect(ok.steps).toHaveLength(2);
    });

    it('no_primary_key_and_no_columns', async () => {
      const keyless = usersTable({ constraints: [], indexes: [] });
      await expect(planChange({ sql: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users' }, snapshotOf(180004, keyless, indexedOrders()))).rejects.toThrow(
        /public\.users has no primary key, so REFERENCES public\.users needs the referenced columns/,
      );
    });

    it('constraint_name_taken', async () => {
      await refused('ALTER TABLE orders ADD CONSTRAINT orders_pkey FOREIGN KEY (user_id) REFERENCES users (id)', /constraint "orders_pkey" already exists on public\.orders/);
    });

    it('column_count_mismatch', async () => {
      await refused('ALTER TABLE orders ADD FOREIGN KEY (user_id, tenant_id) REFERENCES users (id)', /2 referencing columns \(user_id, tenant_id\) but 1 referenced \(id\)/);
    });

    it('incompatible_types', async () => {
      await refused('ALTER TABLE orders ADD FOREIGN KEY (note) REFERENCES users (id)', /public\.orders\.note \(text\) cannot reference public\.users\.id \(bigint\)/);
    });

    it('same_key_already_there', async () => {
      const orders = indexedOrders();
      orders.constraints.push({ name: 'orders_user_fk', type: 'foreign_key', columns: ['user_id'], definition: '', validated: false, references: { table: 'public.users', columns: ['id'] } });
      await refused('ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users', /already has foreign key orders_user_fk .*NOT VALID: validate it/, [orders]);
    });

    it('not_valid_deferrable_match_full_in_the_sql', async () => {
      await refused('ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID', /without NOT VALID: the plan itself adds the key NOT VALID and validates it in a separate step/);
      await refused('ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) DEFERRABLE', /DEFERRABLE is not supported yet/);
      await refused('ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) MATCH FULL', /MATCH FULL \/ MATCH PARTIAL is not supported yet/);
      await refused('ALTER TABLE orders ADD CONSTRAINT no_overlap EXCLUDE USING btree (user_id WITH =)', /ALTER TABLE … ADD CONSTRAINT … EXCLUDE is not supported yet/);
    });

    it('invalid_structured_intent', async () => {
      await expect(planChange({ intents: [{ kind: 'add_foreign_key', table: 'orders', columns: [], references: { table: 'users' } }] }, snapshot())).rejects.toThrow(/columns/);
      await expect(planChange({ intents: [{ kind: 'add_foreign_key', table: 'orders', columns: ['user_id'], references: { table: 'users' }, onDelete: 'explode' as never }] }, snapshot())).rejects.toThrow(/onDelete/);
    });
  });
});
