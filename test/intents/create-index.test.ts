import { describe, expect, it } from 'vitest';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers } from '../support/seed.js';
import { planAndRunUnderTraffic, uniqueEmailApplication } from '../support/plan-under-traffic.js';

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`create index on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('multi-column: CONCURRENTLY under SHARE UPDATE EXCLUSIVE (observed while it waits), VALID, rollback drops it concurrently', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      const { reports } = await planAndRunUnderTraffic(db, { sql: 'CREATE INDEX users_email_name_idx ON users (email, full_name)' });
      expect(reports[0]).toMatchObject({ observedLock: 'SHARE UPDATE EXCLUSIVE', rolledBackAndReapplied: true });
      const ix = (await introspectPostgres(client)).tables[0]!.indexes.find((i) => i.name === 'users_email_name_idx');
      expect(ix).toMatchObject({ columns: ['email', 'full_name'], valid: true, unique: false });
    });

    it('unique partial on an expression: duplicate check, concurrent build, the index enforces uniqueness', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      const { plan } = await planAndRunUnderTraffic(db, { sql: 'CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL' }, { application: () => uniqueEmailApplication });
      expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
      const ix = (await introspectPostgres(client)).tables[0]!.indexes.find((i) => i.name === 'users_email_key')!;
      expect(ix).toMatchObject({ unique: true, valid: true, predicate: '(email IS NOT NULL)' });
      await expect(client.query(`INSERT INTO users (full_name, email) VALUES ('dup', 'U1@EXAMPLE.COM')`)).rejects.toThrow(/duplicate key/);
    });

    it('repeated NULLs are not duplicates: a plain unique index on a column with many NULLs is built', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client); // every tenth email is NULL
      await planAndRunUnderTraffic(db, { sql: 'CREATE UNIQUE INDEX users_email_key ON users (email)' }, { application: () => uniqueEmailApplication });
      const ix = (await introspectPostgres(client)).tables[0]!.indexes.find((i) => i.name === 'users_email_key');
      expect(ix).toMatchObject({ unique: true, valid: true });
    });

    it('duplicates present: the check step stops the plan before any index is built', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query(`UPDATE users SET email = 'same@example.com' WHERE id IN (2, 3)`);
      await expect(planAndRunUnderTraffic(db, { sql: 'CREATE UNIQUE INDEX users_email_key ON users (email)' }, { application: () => uniqueEmailApplication })).rejects.toThrow(/checkpoint/i);
      expect((await introspectPostgres(client)).tables[0]!.indexes.map((i) => i.name)).toEqual(['users_pkey']);
    });
  });
}
