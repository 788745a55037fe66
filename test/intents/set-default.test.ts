import { describe, expect, it } from 'vitest';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { namesById, seedUsers } from '../support/seed.js';
import { planAndRunUnderTraffic } from '../support/plan-under-traffic.js';

for (const major of pgMajorsAmong([12, 18])) {
  describe(`set and drop a column default on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('SET DEFAULT: brief ACCESS EXCLUSIVE, no rewrite, existing rows untouched; rolled back to the previous default and applied again', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      const names = await namesById(client);
      const { reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ALTER COLUMN created_at SET DEFAULT clock_timestamp()' });
      expect(reports).toEqual([{ step: 1, observedLock: 'ACCESS EXCLUSIVE', observedLocks: { 'public.users': 'ACCESS EXCLUSIVE' }, rewrote: false, rolledBackAndReapplied: true }]);
      const users = (await introspectPostgres(client)).tables[0]!;
      expect(users.columns.find((c) => c.name === 'created_at')!.default).toBe('clock_timestamp()');
      expect(await namesById(client)).toEqual(names);
    });

    it('SET DEFAULT on a column without one: new rows get it, old rows keep NULL', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await planAndRunUnderTraffic(db, { sql: "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'unknown@example.com'" });
      const { rows } = await client.query(`INSERT INTO users (full_name) VALUES ('x') RETURNING email`);
      expect(rows[0].email).toBe('unknown@example.com');
      const nulls = await client.query(`SELECT count(*)::int AS n FROM users WHERE email IS NULL`);
      expect(nulls.rows[0].n).toBe(2000);
    });

    it('DROP DEFAULT: brief ACCESS EXCLUSIVE; rolled back to the previous default; afterwards an insert without the column stores NULL', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query(`ALTER TABLE users ALTER COLUMN email SET DEFAULT 'none'`);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ALTER COLUMN email DROP DEFAULT' });
      expect(plan.steps[0]!.rollback).toMatchObject({ sql: [`ALTER TABLE "public"."users" ALTER COLUMN "email" SET DEFAULT 'none'::text`] });
      expect(reports[0]).toMatchObject({ observedLock: 'ACCESS EXCLUSIVE', rewrote: false, rolledBackAndReapplied: true });
      const { rows } = await client.query(`INSERT INTO users (full_name) VALUES ('x') RETURNING email`);
      expect(rows[0].email).toBeNull();
    });
  });
}
