import { describe, expect, it } from 'vitest';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers } from '../support/seed.js';
import { planAndRunUnderTraffic } from '../support/plan-under-traffic.js';

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`set NOT NULL on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it(major >= 12 ? 'CHECK NOT VALID → VALIDATE (SHARE UPDATE EXCLUSIVE) → SET NOT NULL without a scan → DROP CHECK' : 'stops at the validated CHECK: SET NOT NULL would scan under ACCESS EXCLUSIVE on 11', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query(`UPDATE users SET email = 'x' || id || '@example.com' WHERE email IS NULL`);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' });
      expect(reports.map((r) => r.observedLock)).toEqual(major >= 12
        ? ['ACCESS EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']
        : ['ACCESS EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE']);
      const users = (await introspectPostgres(client)).tables[0]!;
      expect(users.columns.find((c) => c.name === 'email')!.nullable).toBe(major < 12);
      if (major < 12) {
        expect(users.constraints.find((k) => k.name === 'users_email_not_null')).toMatchObject({ validated: true });
        expect(plan.warnings).toHaveLength(1);
        await expect(client.query(`INSERT INTO users (full_name) VALUES ('no email')`)).rejects.toThrow(/check constraint/);
      } else {
        expect(users.constraints.map((k) => k.name)).toEqual(['users_pkey']);
        await expect(client.query(`INSERT INTO users (full_name) VALUES ('no email')`)).rejects.toThrow(/not-null/);
      }
    });

    it('with NULLs and a backfill value: NULLs filled in batches, then NOT NULL', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      // the application already writes email; only old rows are NULL
      const { plan } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' }, {
        plan: { backfill: "'unknown@example.com'" },
        blockingSql: 'UPDATE users SET full_name = full_name WHERE id = 10', // a NULL row the first batch must fill
      });
      expect(plan.steps[0]!.kind).toBe('backfill');
      const { rows } = await client.query(`SELECT count(*) FILTER (WHERE email IS NULL)::int AS n, count(*) FILTER (WHERE email = 'unknown@example.com')::int AS filled FROM users`);
      expect(rows[0]).toEqual({ n: 0, filled: 2000 });
    });

    it('small table: a single SET NOT NULL, executed', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 200 });
      await client.query(`UPDATE users SET email = 'x' WHERE email IS NULL`);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' }, { plan: { smallTableBytes: 8 * 1024 * 1024 } });
      expect(plan.steps).toHaveLength(1);
      expect(reports[0]!.observedLock).toBe('ACCESS EXCLUSIVE');
      expect((await introspectPostgres(client)).tables[0]!.columns.find((c) => c.name === 'email')!.nullable).toBe(false);
    });
  });
}
