import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers, SEED_ROWS } from '../support/seed.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic, plainApplication } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

/** Release A still reads orders; from A+1 the application no longer touches it. */
const application = (release: number): WorkloadQuery[] =>
  release === 0 ? [...plainApplication, { kind: 'read', build: (id) => ({ text: 'SELECT count(*) FROM orders WHERE user_id = $1', values: [id()] }) }] : plainApplication;

for (const major of pgMajorsAmong([12, 18])) {
  describe(`drop table on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('the application stops using it, then DROP TABLE (ACCESS EXCLUSIVE on it and on the table its key references) as the point of no return', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint REFERENCES users (id))`);
      await client.query(`INSERT INTO orders (user_id) SELECT 1 + g % $1::int FROM generate_series(1, 5000) g`, [SEED_ROWS]);
      await client.query('ANALYZE orders');
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'DROP TABLE orders' }, { application });
      expect(plan.steps.map((s) => [s.deploy, s.kind])).toEqual([['A+1', 'app'], ['A+2', 'ddl']]);
      expect(plan.pointOfNoReturn).toMatchObject({ step: 2, reason: expect.stringMatching(/lost: all ~5,000 rows of public\.orders/) });
      expect(reports[1]!.observedLocks).toEqual({ 'public.orders': 'ACCESS EXCLUSIVE', 'public.users': 'ACCESS EXCLUSIVE' });
      expect((await introspectPostgres(client)).tables.map((t) => t.name)).toEqual(['users']);
      expect((await client.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBeGreaterThanOrEqual(SEED_ROWS);
    });

    it('a table other tables reference is refused, naming the key', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 100 });
      await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint REFERENCES users (id))`);
      await expect(planChange({ sql: 'DROP TABLE users' }, await introspectPostgres(client), LARGE_TABLE_OPTIONS)).rejects.toThrow(
        /public\.users is referenced by foreign key orders_user_id_fkey on public\.orders \(user_id\)/,
      );
    });
  });
}
