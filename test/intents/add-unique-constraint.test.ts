import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, introspectPostgres, LiveshiftError } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers } from '../support/seed.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic, uniqueEmailApplication } from '../support/plan-under-traffic.js';

const ADD_UNIQUE = 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)';

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`add unique constraint on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('duplicate check (NULLs ignored) → CREATE UNIQUE INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE) → ADD CONSTRAINT … USING INDEX (brief ACCESS EXCLUSIVE), under traffic', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client); // every tenth email is NULL: they must not count as duplicates
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: ADD_UNIQUE }, { application: () => uniqueEmailApplication });
      expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl', 'ddl']);
      expect(reports.map((r) => r.observedLock)).toEqual([undefined, 'SHARE UPDATE EXCLUSIVE', 'ACCESS EXCLUSIVE']);
      expect(reports.map((r) => r.rolledBackAndReapplied)).toEqual([false, true, true]);
      expect(reports.every((r) => !r.rewrote)).toBe(true);
      const users = (await introspectPostgres(client)).tables[0]!;
      expect(users.constraints.find((k) => k.name === 'users_email_key')).toMatchObject({ type: 'unique', columns: ['email'], validated: true });
      expect(users.indexes.filter((i) => i.name === 'users_email_key')).toEqual([expect.objectContaining({ unique: true, valid: true, primary: false })]);
      await expect(client.query(`INSERT INTO users (full_name, email) VALUES ('dup', 'u1@example.com')`)).rejects.toThrow(/violates unique constraint "users_email_key"/);
      await client.query(`INSERT INTO users (full_name, email) VALUES ('a', NULL), ('b', NULL)`);
    });

    it('a duplicate: the check step fails (exit code 1) before any index is built; once fixed the plan runs', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query(`UPDATE users SET email = 'u1@example.com' WHERE id = 2`);
      const plan = await planChange({ sql: ADD_UNIQUE }, await introspectPostgres(client), LARGE_TABLE_OPTIONS);
      const quiet = { log: () => {}, onProgress: false as const, deployed: 'A' };
      const failure = await applyPlan(client, plan, { step: 1, ...quiet }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(LiveshiftError);
      expect(failure).toMatchObject({ exitCode: 1, step: 1 });
      expect((await introspectPostgres(client)).tables[0]!.indexes.map((i) => i.name)).toEqual(['users_pkey']);
      await client.query(`UPDATE users SET email = 'u2b@example.com' WHERE id = 2`);
      expect((await applyPlan(client, plan, { ...quiet })).ran).toEqual([1, 2, 3]);
    });

    it('small table: one ADD CONSTRAINT … UNIQUE, executed', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 200 });
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: ADD_UNIQUE }, { plan: { smallTableBytes: 8 * 1024 * 1024 }, application: () => uniqueEmailApplication });
      expect(plan.steps).toHaveLength(1);
      expect(reports[0]!.observedLock).toBe('ACCESS EXCLUSIVE');
      expect((await introspectPostgres(client)).tables[0]!.constraints.map((k) => k.name)).toEqual(['users_email_key', 'users_pkey']);
    });
  });
}
