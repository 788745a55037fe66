import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { planChange, type Step } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

const ACCOUNTS = 20_000;
const ORDERS = 20_000;

/**
 * accounts(id serial PRIMARY KEY, name varchar(50) NOT NULL, note text) and orders referencing it
 * (ON DELETE CASCADE), the shape of the int → bigint primary key conversion everyone meets.
 */
async function seedAccounts(client: pg.ClientBase, opts: { rows?: number } = {}): Promise<void> {
  await client.query(`CREATE TABLE accounts (
    id serial PRIMARY KEY,
    name varchar(50) NOT NULL DEFAULT 'anonymous',
    code text,
    created timestamp NOT NULL DEFAULT '2024-01-01 12:00'
  )`);
  await client.query(`INSERT INTO accounts (name, code, created) SELECT 'account ' || g, (g % 1000)::text, '2024-01-01 12:00'::timestamp + g * interval '1 minute' FROM generate_series(1, $1::int) AS g`, [opts.rows ?? ACCOUNTS]);
  await client.query(`CREATE INDEX accounts_name_idx ON accounts (name text_pattern_ops)`);
  await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, account_id int REFERENCES accounts ON DELETE CASCADE, amount int NOT NULL DEFAULT 0)`);
  await client.query(`INSERT INTO orders (account_id, amount) SELECT 1 + g % $2::int, g % 100 FROM generate_series(1, $1::int) AS g`, [ORDERS, opts.rows ?? ACCOUNTS]);
  await client.query(`CREATE INDEX orders_account_id_idx ON orders (account_id)`);
  await client.query('ANALYZE accounts');
  await client.query('ANALYZE orders');
}

/** An application that reads and writes the changed column at every step: by key, by name, new accounts and orders, deletes. */
const accountsApplication: WorkloadQuery[] = [
  { kind: 'read', build: (id) => ({ text: 'SELECT id, name, code, created FROM accounts WHERE id = $1', values: [id()] }) },
  {
    kind: 'update',
    // code as an untyped parameter: valid while the column is text and once it is integer
    build: (id) => {
      const i = id();
      return { text: `UPDATE accounts SET name = 'renamed ' || id, code = $2 WHERE id = $1`, values: [i, String(i % 997)] };
    },
  },
  { kind: 'insert', build: () => ({ text: `INSERT INTO accounts (name, code) VALUES ('newcomer', '42') RETURNING id`, values: [] }) },
  { kind: 'insert', build: (id) => ({ text: 'INSERT INTO orders (account_id, amount) SELECT id, 5 FROM accounts WHERE id = $1', values: [id()] }) },
  { kind: 'read', build: (id) => ({ text: `SELECT count(*) FROM accounts a JOIN orders o ON o.account_id = a.id WHERE a.name LIKE 'account ' || $1::text || '%'`, values: [id() % 100] }) },
  { kind: 'update', build: () => ({ text: `DELETE FROM accounts WHERE id = (SELECT max(id) FROM accounts WHERE name = 'newcomer')`, values: [] }) },
];

const accountsTable = async (client: pg.ClientBase, name = 'accounts') => (await introspectPostgres(client)).tables.find((t) => t.name === name)!;

/** The referencing table's VALIDATE also holds ROW SHARE on accounts (claimed as alsoLocks); nothing else beyond the claims. */
const noExtraLocks = (_step: Step) => ({});

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`change column type on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('int → bigint on a serial primary key referenced by a foreign key: column swap under traffic that reads and writes the key at every step', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedAccounts(client);
      const before = await client.query(`SELECT sum(id)::text AS ids, string_agg(name, ',' ORDER BY id) AS names FROM accounts`);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint' }, {
        application: () => accountsApplication,
        blockingSql: `UPDATE accounts SET code = code WHERE id = 1`,
        locksBeyondClaim: noExtraLocks,
      });
      expect(plan.steps.map((s) => [s.kind, s.deploy, s.lock.mode])).toEqual([
        ['ddl', 'A', 'ACCESS EXCLUSIVE'],
        ['ddl', 'A', 'SHARE ROW EXCLUSIVE'],
        ['backfill', 'A', 'ROW EXCLUSIVE'],
        ['validate', 'A', 'ACCESS SHARE'],
        ['ddl', 'A', 'SHARE UPDATE EXCLUSIVE'],
        ['ddl', 'A', 'ACCESS EXCLUSIVE'],
        ['validate', 'A', 'SHARE UPDATE EXCLUSIVE'],
        ['app', 'A+1', 'none'],
        ['ddl', 'A+1', 'ACCESS EXCLUSIVE'],
      ]);
      expect(plan.pointOfNoReturn?.step).toBe(9);
      // the swap locks both tables, the validation of the re-pointed key reads orders and holds ROW SHARE on accounts
      expect(reports[5]!.observedLocks).toEqual({ 'public.accounts': 'ACCESS EXCLUSIVE', 'public.orders': 'ACCESS EXCLUSIVE' });
      expect(reports[6]!.observedLocks).toEqual({ 'public.orders': 'SHARE UPDATE EXCLUSIVE', 'public.accounts': 'ROW SHARE' });
      expect(reports.filter((r) => r.rolledBackAndReapplied).map((r) => r.step)).toEqual([1, 2, 5, 6, 7]);
      expect(reports.every((r) => !r.rewrote)).toBe(true);

      const accounts = await accountsTable(client);
      expect(accounts.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
        ['name', 'character varying(50)', false],
        ['code', 'text', true],
        ['created', 'timestamp without time zone', false],
        ['id', 'bigint', false],
      ]);
      expect(accounts.columns.find((c) => c.name === 'id')!.default).toBe(`nextval('accounts_id_seq'::regclass)`);
      expect(accounts.constraints.map((k) => [k.name, k.type, k.columns])).toEqual([['accounts_pkey', 'primary_key', ['id']]]);
      expect(accounts.indexes.map((i) => [i.name, i.columns, i.primary])).toEqual([
        ['accounts_name_idx', ['name'], false],
        ['accounts_pkey', ['id'], true],
      ]);
      expect(accounts.triggers).toEqual([]);
      const orders = await accountsTable(client, 'orders');
      expect(orders.constraints.find((k) => k.name === 'orders_account_id_fkey')).toMatchObject({ validated: true, references: { table: 'public.accounts', columns: ['id'] } });
      expect(orders.constraints.find((k) => k.name === 'orders_account_id_fkey')!.definition).toMatch(/ON DELETE CASCADE/);

      // the seeded rows kept their keys and names (the application renames some: compare those it cannot touch)
      const after = await client.query(`SELECT sum(id)::text AS ids FROM accounts WHERE id <= $1`, [ACCOUNTS]);
      const deleted = await client.query(`SELECT count(*)::int AS n FROM accounts WHERE id <= $1`, [ACCOUNTS]);
      expect(deleted.rows[0].n).toBe(ACCOUNTS);
      expect(after.rows[0].ids).toBe(before.rows[0].ids);
      // the sequence moved with the column and counts as bigint: an id past the integer range works
      const seq = await client.query(`SELECT seqtypid::regtype::text AS type FROM pg_sequence WHERE seqrelid = 'accounts_id_seq'::regclass`);
      expect(seq.rows[0].type).toBe('bigint');
      await client.query(`SELECT setval('accounts_id_seq', 3000000000)`);
      const big = await client.query(`INSERT INTO accounts (name) VALUES ('big') RETURNING id`);
      expect(big.rows[0].id).toBe('3000000001');
      await client.query('INSERT INTO orders (account_id) VALUES (1)');
      await expect(client.query('INSERT INTO orders (account_id) VALUES (999999)')).rejects.toThrow(/violates foreign key constraint "orders_account_id_fkey"/);
      await client.query('DELETE FROM accounts WHERE id = 2');
      expect((await client.query('SELECT count(*)::int AS n FROM orders WHERE account_id = 2')).rows[0].n).toBe(0);
    });

    it('int → bigint on both ends of a foreign key in one plan: the key column swapped, then the referencing column, its foreign key copied NOT VALID, validated and renamed; traffic inserts orders and deletes accounts (cascading) throughout', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedAccounts(client);
      const ordersBefore = await client.query(`SELECT sum(account_id)::text AS s, count(*)::int AS n FROM orders WHERE id <= $1`, [ORDERS]);
      const { plan, reports } = await planAndRunUnderTraffic(
        db,
        { sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint; ALTER TABLE orders ALTER COLUMN account_id TYPE bigint' },
        { application: () => accountsApplication, blockingSql: `UPDATE accounts SET code = code WHERE id = 1; UPDATE orders SET amount = amount WHERE id = 1` },
      );
      expect(plan.steps.filter((s) => s.title.startsWith('Swap')).map((s) => s.lock.tables)).toEqual([['public.accounts', 'public.orders'], ['public.orders']]);
      const copy = plan.steps.findIndex((s) => s.title.startsWith('Copy foreign key orders_account_id_fkey'));
      expect(reports[copy]!.observedLocks).toEqual({ 'public.orders': 'SHARE ROW EXCLUSIVE', 'public.accounts': 'SHARE ROW EXCLUSIVE' });
      expect(reports[copy + 1]!.observedLocks).toEqual({ 'public.orders': 'SHARE UPDATE EXCLUSIVE', 'public.accounts': 'ROW SHARE' });
      expect(reports.at(-1)!.observedLocks).toEqual({ 'public.orders': 'ACCESS EXCLUSIVE', 'public.accounts': 'ACCESS EXCLUSIVE' });
      expect(reports.every((r) => !r.rewrote)).toBe(true);
      const orders = await accountsTable(client, 'orders');
      expect(orders.columns.map((c) => [c.name, c.type])).toEqual([['id', 'bigint'], ['amount', 'integer'], ['account_id', 'bigint']]);
      expect(orders.constraints.map((k) => [k.name, k.columns, k.validated])).toEqual([['orders_account_id_fkey', ['account_id'], true], ['orders_pkey', ['id'], true]]);
      expect(orders.indexes.map((i) => [i.name, i.columns])).toEqual([['orders_account_id_idx', ['account_id']], ['orders_pkey', ['id']]]);
      expect((await accountsTable(client)).columns.find((c) => c.name === 'id')!.type).toBe('bigint');
      // every seeded order that survived the cascading deletes kept its account
      const ordersAfter = await client.query(`SELECT count(*)::int AS n FROM orders o WHERE id <= $1 AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = o.account_id)`, [ORDERS]);
      expect(ordersAfter.rows[0].n).toBe(0);
      expect(ordersBefore.rows[0].n).toBe(ORDERS);
      await client.query(`SELECT setval('accounts_id_seq', 5000000000)`);
      const big = await client.query(`INSERT INTO accounts (name) VALUES ('big') RETURNING id`);
      await client.query(`INSERT INTO orders (account_id) VALUES ($1)`, [big.rows[0].id]);
      await client.query(`DELETE FROM accounts WHERE id = $1`, [big.rows[0].id]);
      expect((await client.query(`SELECT count(*)::int AS n FROM orders WHERE account_id = $1`, [big.rows[0].id])).rows[0].n).toBe(0);
    });

    it('varchar(50) → varchar(20) (shrinking rewrites): NOT NULL column with a default and a text_pattern_ops index, swapped; the index keeps its operator class', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedAccounts(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(20)' }, {
        application: () => accountsApplication,
        blockingSql: `UPDATE accounts SET code = code WHERE id = 1`,
      });
      expect(plan.steps.some((s) => s.kind === 'backfill')).toBe(true);
      expect(reports.every((r) => !r.rewrote)).toBe(true);
      const accounts = await accountsTable(client);
      expect(accounts.columns.find((c) => c.name === 'name')).toEqual({ name: 'name', type: 'character varying(20)', nullable: false, default: `'anonymous'::character varying` });
      expect(accounts.columns.some((c) => c.name === 'name__old' || c.name === 'name__new')).toBe(false);
      expect(accounts.indexes.find((i) => i.name === 'accounts_name_idx')!.definition).toMatch(/\(name text_pattern_ops\)/);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM accounts WHERE name = 'account ' || id AND id <= $1`, [ACCOUNTS]);
      expect(rows[0].n).toBeGreaterThan(ACCOUNTS * 0.8);
      await expect(client.query(`INSERT INTO accounts (name) VALUES ('a name longer than twenty')`)).rejects.toThrow(/too long for type character varying\(20\)/);
    });

    it('varchar(50) → varchar(200) in place: no rewrite (relfilenode kept), the CHECK on the column re-added NOT VALID and validated under SHARE UPDATE EXCLUSIVE', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedAccounts(client);
      await client.query(`ALTER TABLE accounts ADD CONSTRAINT accounts_name_check CHECK (name <> '')`);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(200)' }, {
        application: () => accountsApplication,
        blockingSql: `UPDATE accounts SET code = code WHERE id = 1`,
      });
      expect(plan.steps.map((s) => [s.kind, s.lock.mode, s.lock.duration])).toEqual([
        ['ddl', 'ACCESS EXCLUSIVE', 'brief'],
        ['validate', 'SHARE UPDATE EXCLUSIVE', 'scan'],
      ]);
      expect(reports.map((r) => [r.observedLock, r.rewrote, r.rolledBackAndReapplied])).toEqual([
        ['ACCESS EXCLUSIVE', false, true],
        ['SHARE UPDATE EXCLUSIVE', false, true],
      ]);
      const accounts = await accountsTable(client);
      expect(accounts.columns.find((c) => c.name === 'name')!.type).toBe('character varying(200)');
      expect(accounts.constraints.find((k) => k.name === 'accounts_name_check')).toMatchObject({ validated: true });
      await expect(client.query(`INSERT INTO accounts (name) VALUES ('')`)).rejects.toThrow(/accounts_name_check/);
    });

    it(major >= 12 ? "timestamp → timestamptz USING created AT TIME ZONE 'UTC': in place with TimeZone UTC (no rewrite)" : "timestamp → timestamptz USING created AT TIME ZONE 'UTC': PostgreSQL 11 rewrites, so the column is swapped", async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedAccounts(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: `ALTER TABLE accounts ALTER COLUMN created TYPE timestamptz USING created AT TIME ZONE 'UTC'` }, {
        application: () => accountsApplication,
        blockingSql: `UPDATE accounts SET code = code WHERE id = 1`,
      });
      expect(plan.steps.length).toBe(major >= 12 ? 1 : 7);
      expect(reports.every((r) => !r.rewrote)).toBe(true);
      await client.query(`SET TimeZone = 'UTC'`);
      const { rows } = await client.query(`SELECT created::text AS t FROM accounts WHERE id = 1`);
      expect(rows[0].t).toBe('2024-01-01 12:01:00+00');
      expect((await accountsTable(client)).columns.find((c) => c.name === 'created')).toMatchObject({ type: 'timestamp with time zone', nullable: false });
    });

    it('text → integer USING code::integer: swapped, the conversion applied by the trigger, the backfill and the parity check alike', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedAccounts(client);
      await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE accounts ALTER COLUMN code TYPE integer USING code::integer' }, {
        application: () => accountsApplication,
        blockingSql: `UPDATE accounts SET name = name WHERE id = 1`,
      });
      expect((await accountsTable(client)).columns.find((c) => c.name === 'code')).toMatchObject({ type: 'integer', nullable: true });
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM accounts WHERE id <= $1 AND code <> id % 1000 AND code <> id % 997`, [ACCOUNTS]);
      expect(rows[0].n).toBe(0);
    });

    it('small table: one ALTER … TYPE, a rewrite claimed as such', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedAccounts(client, { rows: 200 });
      const plan = await planChange({ sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint' }, await introspectPostgres(client), { ...LARGE_TABLE_OPTIONS, smallTableBytes: 8 * 1024 * 1024 });
      expect(plan.steps).toHaveLength(1);
      const { reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint' }, {
        plan: { smallTableBytes: 8 * 1024 * 1024 },
        application: () => accountsApplication.map((q) => ({ ...q, build: (id: () => number) => q.build(() => 1 + (id() % 200)) })),
        blockingSql: `UPDATE accounts SET code = code WHERE id = 1`,
      });
      expect(reports[0]!.observedLocks).toEqual({ 'public.accounts': 'ACCESS EXCLUSIVE', 'public.orders': 'ACCESS EXCLUSIVE' });
      expect(reports[0]!.rewrote).toBe(true);
      expect((await accountsTable(client)).columns.find((c) => c.name === 'id')!.type).toBe('bigint');
    });
  });
}
