import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { planChange, type Step } from '@liveshift/core';
import { applyPlan, introspectPostgres, LiveshiftError } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers, SEED_ROWS } from '../support/seed.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic, plainApplication } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

const ORDERS = 20_000;
const ADD_FK = 'ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)';

/** orders referencing the seeded users (every 50th without a user); `orphan` adds one row whose user does not exist. */
async function seedOrders(client: pg.ClientBase, opts: { rows?: number; users?: number; orphan?: boolean; index?: boolean } = {}): Promise<void> {
  await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint, amount int NOT NULL DEFAULT 0)`);
  await client.query(
    `INSERT INTO orders (user_id, amount) SELECT CASE WHEN g % 50 = 0 THEN NULL ELSE 1 + g % $2::int END, g % 100 FROM generate_series(1, $1::int) AS g`,
    [opts.rows ?? ORDERS, opts.users ?? SEED_ROWS],
  );
  if (opts.orphan) await client.query(`INSERT INTO orders (user_id, amount) VALUES (999999999, 1)`);
  if (opts.index !== false) await client.query('CREATE INDEX orders_user_id_idx ON orders (user_id)');
  await client.query('ANALYZE orders');
}

/** The plain application, plus order reads and inserts for users that exist (an insert for a missing id inserts nothing). */
const shopApplication: WorkloadQuery[] = [
  ...plainApplication,
  { kind: 'insert', build: (id) => ({ text: 'INSERT INTO orders (user_id, amount) SELECT id, 5 FROM users WHERE id = $1', values: [id()] }) },
  { kind: 'read', build: (id) => ({ text: 'SELECT count(*) FROM orders WHERE user_id = $1', values: [id()] }) },
];

/** A foreign key's VALIDATE also holds ROW SHARE on the referenced table; its claim names orders only. */
const referencedTableLock = (step: Step) => (step.kind === 'validate' ? { 'public.users': 'ROW SHARE' as const } : {});

async function foreignKey(client: pg.ClientBase, name = 'orders_user_id_fkey') {
  return (await introspectPostgres(client)).tables.find((t) => t.name === 'orders')!.constraints.find((k) => k.name === name);
}

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`add foreign key on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('NOT VALID (SHARE ROW EXCLUSIVE on orders and users) → VALIDATE (SHARE UPDATE EXCLUSIVE on orders, ROW SHARE on users), under traffic that inserts orders', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await seedOrders(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: ADD_FK }, { application: () => shopApplication, locksBeyondClaim: referencedTableLock });
      expect(plan.warnings).toEqual([]);
      expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'validate']);
      expect(reports.map((r) => r.observedLocks)).toEqual([
        { 'public.orders': 'SHARE ROW EXCLUSIVE', 'public.users': 'SHARE ROW EXCLUSIVE' },
        { 'public.orders': 'SHARE UPDATE EXCLUSIVE', 'public.users': 'ROW SHARE' },
      ]);
      expect(reports.every((r) => r.rolledBackAndReapplied && !r.rewrote)).toBe(true);
      expect(await foreignKey(client)).toMatchObject({ type: 'foreign_key', columns: ['user_id'], validated: true, references: { table: 'public.users', columns: ['id'] } });
      await expect(client.query('INSERT INTO orders (user_id) VALUES (999999999)')).rejects.toThrow(/violates foreign key constraint "orders_user_id_fkey"/);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM orders`);
      expect(rows[0].n).toBeGreaterThan(ORDERS);
    });

    it('an orphan row: VALIDATE fails cleanly (exit code 1), the key stays NOT VALID and checks new rows; once the orphan is fixed the step succeeds', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await seedOrders(client, { orphan: true });
      const plan = await planChange({ sql: ADD_FK }, await introspectPostgres(client), LARGE_TABLE_OPTIONS);
      const quiet = { log: () => {}, onProgress: false as const, deployed: 'A' };
      expect((await applyPlan(client, plan, { step: 1, ...quiet })).ran).toEqual([1]);

      const failure = await applyPlan(client, plan, { step: 2, ...quiet }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(LiveshiftError);
      expect(failure).toMatchObject({ exitCode: 1, step: 2 });
      expect((failure as Error).message).toMatch(/step 2 \(Validate foreign key orders_user_id_fkey on existing rows\) failed: .*violates foreign key constraint.*SQLSTATE 23503/s);
      expect(await foreignKey(client)).toMatchObject({ validated: false });
      await expect(client.query('INSERT INTO orders (user_id) VALUES (888888888)')).rejects.toThrow(/violates foreign key constraint/);

      // the caveat's query finds exactly the orphan
      const find = /Find those rows with (.*), fix or delete them/.exec(plan.steps[1]!.caveats.join('\n'))![1]!;
      expect((await client.query(find)).rows).toEqual([{ user_id: '999999999' }]);
      await client.query('UPDATE orders SET user_id = NULL WHERE user_id = 999999999');
      expect((await applyPlan(client, plan, { step: 2, ...quiet })).ran).toEqual([2]);
      expect(await foreignKey(client)).toMatchObject({ validated: true });
    });

    it('small tables: one ADD CONSTRAINT validated at once, SHARE ROW EXCLUSIVE on both; no index on user_id gives a warning', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 200 });
      await seedOrders(client, { rows: 300, users: 200, index: false });
      const { plan, reports } = await planAndRunUnderTraffic(
        db,
        { sql: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users ON DELETE CASCADE' },
        { plan: { smallTableBytes: 8 * 1024 * 1024 }, application: () => shopApplication },
      );
      expect(plan.steps).toHaveLength(1);
      expect(plan.warnings.join('\n')).toMatch(/No index on public\.orders starts with \(user_id\)/);
      expect(reports[0]!.observedLocks).toEqual({ 'public.orders': 'SHARE ROW EXCLUSIVE', 'public.users': 'SHARE ROW EXCLUSIVE' });
      expect(await foreignKey(client)).toMatchObject({ validated: true, references: { table: 'public.users', columns: ['id'] } });
      await client.query('DELETE FROM users WHERE id = 1');
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM orders WHERE user_id = 1`);
      expect(rows[0].n).toBe(0);
    });
  });
}
