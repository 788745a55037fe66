import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers, SEED_ROWS } from '../support/seed.js';
import { planAndRunUnderTraffic, plainApplication } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

async function seedOrders(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint, amount int NOT NULL DEFAULT 0)`);
  await client.query(`INSERT INTO orders (user_id, amount) SELECT 1 + g % ${SEED_ROWS}, g % 100 FROM generate_series(1, 20000) AS g`);
  await client.query('CREATE INDEX orders_user_id_idx ON orders (user_id)');
  await client.query('ANALYZE orders');
}

const shopApplication: WorkloadQuery[] = [
  ...plainApplication,
  { kind: 'insert', build: (id) => ({ text: 'INSERT INTO orders (user_id, amount) SELECT id, 5 FROM users WHERE id = $1', values: [id()] }) },
  { kind: 'read', build: (id) => ({ text: 'SELECT count(*) FROM orders WHERE user_id = $1', values: [id()] }) },
];

async function table(client: pg.ClientBase, name: string) {
  return (await introspectPostgres(client)).tables.find((t) => t.name === name)!;
}

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`drop constraint on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('CHECK: brief ACCESS EXCLUSIVE; rolled back (re-added NOT VALID, validated) and dropped again', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query('ALTER TABLE users ADD CONSTRAINT users_full_name_check CHECK (length(full_name) > 0)');
      const { reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users DROP CONSTRAINT users_full_name_check' });
      expect(reports).toEqual([{ step: 1, observedLock: 'ACCESS EXCLUSIVE', observedLocks: { 'public.users': 'ACCESS EXCLUSIVE' }, rewrote: false, rolledBackAndReapplied: true }]);
      expect((await table(client, 'users')).constraints.map((k) => k.name)).toEqual(['users_pkey']);
      await client.query(`INSERT INTO users (full_name) VALUES ('')`);
    });

    it('FOREIGN KEY: ACCESS EXCLUSIVE on both tables, observed; rolled back (NOT VALID, then validated) and dropped again, under traffic that inserts orders', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await seedOrders(client);
      await client.query('ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE');
      const { reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey' }, { application: () => shopApplication });
      expect(reports[0]!.observedLocks).toEqual({ 'public.orders': 'ACCESS EXCLUSIVE', 'public.users': 'ACCESS EXCLUSIVE' });
      expect(reports[0]!.rolledBackAndReapplied).toBe(true);
      expect((await table(client, 'orders')).constraints.map((k) => k.name)).toEqual(['orders_pkey']);
      await client.query('INSERT INTO orders (user_id) VALUES (999999999)');
    });

    it('PRIMARY KEY: the index goes with it; rolled back by a concurrent index build attached with USING INDEX, and dropped again', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await seedOrders(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey' }, { application: () => shopApplication });
      expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', transactional: false });
      expect(reports[0]).toMatchObject({ observedLocks: { 'public.orders': 'ACCESS EXCLUSIVE' }, rolledBackAndReapplied: true });
      const orders = await table(client, 'orders');
      expect([orders.constraints, orders.indexes.map((i) => i.name)]).toEqual([[], ['orders_user_id_idx']]);
      expect(orders.columns.find((c) => c.name === 'id')!.nullable).toBe(false);
    });

    it('a primary key that a foreign key references is refused, naming the foreign key', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 10 });
      await seedOrders(client);
      await client.query('DELETE FROM orders WHERE user_id > 10');
      await client.query('ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)');
      await expect(planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users DROP CONSTRAINT users_pkey' })).rejects.toThrow(/foreign key orders_user_id_fkey on public\.orders references public\.users \(id\)/);
    });
  });
}
