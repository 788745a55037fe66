import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Step } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers, SEED_ROWS } from '../support/seed.js';
import { planAndRunUnderTraffic, plainApplication } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

const ORDERS = 20_000;

async function seedOrders(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL, amount int NOT NULL DEFAULT 0)`);
  await client.query(`INSERT INTO orders (user_id, amount) SELECT 1 + g % $2::int, g % 100 FROM generate_series(1, $1::int) AS g`, [ORDERS, SEED_ROWS]);
  await client.query('ANALYZE orders');
}

/** Order inserts as the application writes them in each release: from release 1 on, also the new column. */
const shop = (column: string | null): WorkloadQuery[] => [
  ...plainApplication,
  {
    kind: 'insert',
    build: (id) =>
      column
        ? { text: `INSERT INTO orders (user_id, ${column}, amount) SELECT id, id, 5 FROM users WHERE id = $1`, values: [id()] }
        : { text: 'INSERT INTO orders (user_id, amount) SELECT id, 5 FROM users WHERE id = $1', values: [id()] },
  },
  { kind: 'read', build: (id) => ({ text: 'SELECT count(*) FROM orders WHERE user_id = $1', values: [id()] }) },
];

const blockOrder = 'UPDATE orders SET amount = amount WHERE id = 1';
/** A foreign key's VALIDATE holds ROW SHARE on the referenced table (claimed in alsoLocks). */
const validate = (s: Step) => s.kind === 'validate' && s.sql.length > 0;

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`add a referencing column on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('nullable: ADD COLUMN (brief) → index CONCURRENTLY → FOREIGN KEY NOT VALID (brief) → VALIDATE, under traffic that writes both tables', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await seedOrders(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id)' }, {
        application: () => shop(null),
        blockingSql: blockOrder,
      });
      expect(plan.warnings).toEqual([]);
      expect(reports.map((r) => r.observedLocks)).toEqual([
        { 'public.orders': 'ACCESS EXCLUSIVE' },
        { 'public.orders': 'SHARE UPDATE EXCLUSIVE' },
        { 'public.orders': 'SHARE ROW EXCLUSIVE', 'public.users': 'SHARE ROW EXCLUSIVE' },
        { 'public.orders': 'SHARE UPDATE EXCLUSIVE', 'public.users': 'ROW SHARE' },
      ]);
      expect(plan.steps.filter(validate)).toHaveLength(1);
      expect(reports.every((r) => r.rolledBackAndReapplied && !r.rewrote)).toBe(true);
      const orders = (await introspectPostgres(client)).tables.find((t) => t.name === 'orders')!;
      expect(orders.columns.at(-1)).toEqual({ name: 'buyer_id', type: 'bigint', nullable: true, default: null });
      expect(orders.indexes.map((i) => i.name)).toContain('orders_buyer_id_idx');
      expect(orders.constraints.find((k) => k.name === 'orders_buyer_id_fkey')).toMatchObject({ validated: true, references: { table: 'public.users', columns: ['id'] } });
      await expect(client.query('INSERT INTO orders (user_id, buyer_id) VALUES (1, 999999999)')).rejects.toThrow(/violates foreign key constraint "orders_buyer_id_fkey"/);
    });

    it('NOT NULL with a backfill: the application writes it from release A+1, existing rows are filled from user_id, then NOT NULL, index and key', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await seedOrders(client);
      const { plan } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders ADD COLUMN owner_id bigint NOT NULL REFERENCES users ON DELETE CASCADE' }, {
        plan: { backfill: 'user_id' },
        application: (release) => shop(release >= 1 ? 'owner_id' : null),
        blockingSql: blockOrder,
      });
      expect(plan.steps.map((s) => s.kind)).toEqual(
        major >= 12
          ? ['ddl', 'app', 'backfill', 'ddl', 'validate', 'ddl', 'ddl', 'ddl', 'ddl', 'validate']
          : ['ddl', 'app', 'backfill', 'ddl', 'validate', 'ddl', 'ddl', 'validate'],
      );
      const { rows } = await client.query(`SELECT count(*) FILTER (WHERE owner_id IS DISTINCT FROM user_id)::int AS differ, count(*)::int AS n FROM orders`);
      expect(rows[0].differ).toBe(0);
      expect(rows[0].n).toBeGreaterThanOrEqual(ORDERS);
      const orders = (await introspectPostgres(client)).tables.find((t) => t.name === 'orders')!;
      expect(orders.columns.find((c) => c.name === 'owner_id')!.nullable).toBe(major < 12);
      expect(orders.constraints.find((k) => k.name === 'orders_owner_id_fkey')).toMatchObject({ validated: true });
      await client.query('DELETE FROM users WHERE id = 5');
      expect((await client.query('SELECT count(*)::int AS n FROM orders WHERE owner_id = 5')).rows[0].n).toBe(0);
    });
  });
}
