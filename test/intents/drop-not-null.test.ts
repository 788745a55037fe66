import { describe, expect, it } from 'vitest';
import { introspectPostgres, rollbackPlanStep } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { namesById, seedUsers } from '../support/seed.js';
import { planAndRunUnderTraffic } from '../support/plan-under-traffic.js';

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`drop NOT NULL on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it(
      major >= 12
        ? 'brief ACCESS EXCLUSIVE, no rewrite; rolled back through CHECK NOT VALID → VALIDATE → SET NOT NULL → DROP CHECK, then applied again'
        : 'brief ACCESS EXCLUSIVE, no rewrite; rolled back with SET NOT NULL (a scan on 11), then applied again',
      async () => {
        const db = await pg.database();
        const client = await db.client();
        await seedUsers(client, { fullNameNotNull: true });
        const names = await namesById(client);
        const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL' });
        expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', transactional: major < 12 });
        expect(reports).toEqual([{ step: 1, observedLock: 'ACCESS EXCLUSIVE', observedLocks: { 'public.users': 'ACCESS EXCLUSIVE' }, rewrote: false, rolledBackAndReapplied: true }]);
        const users = (await introspectPostgres(client)).tables[0]!;
        expect(users.columns.find((c) => c.name === 'full_name')!.nullable).toBe(true);
        expect(users.constraints.map((k) => k.name)).toEqual(['users_pkey']);
        await client.query(`INSERT INTO users (full_name) VALUES (NULL)`);
        expect(await namesById(client)).toEqual(names);
      },
    );

    it('once a NULL is written the rollback fails and NOT NULL stays off; once the NULL is filled, running it again succeeds', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 3000, fullNameNotNull: true });
      const { plan } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL' });
      await client.query(`UPDATE users SET full_name = NULL WHERE id = 7`);
      const failure = await rollbackPlanStep(client, plan, 1, { deployed: 'A', log: () => {} }).catch((e: unknown) => e);
      expect(failure).toMatchObject({ exitCode: 1 });
      const users = async () => (await introspectPostgres(client)).tables[0]!;
      expect((await users()).columns.find((c) => c.name === 'full_name')!.nullable).toBe(true);
      if (major >= 12) {
        // the failed VALIDATE left the NOT VALID CHECK behind: it already rejects new NULLs
        await expect(client.query(`UPDATE users SET full_name = NULL WHERE id = 8`)).rejects.toThrow(/users_full_name_not_null_check/);
      }
      await client.query(`UPDATE users SET full_name = 'seven' WHERE id = 7`);
      expect(await rollbackPlanStep(client, plan, 1, { deployed: 'A', log: () => {} })).toMatchObject({ rolledBack: true });
      expect((await users()).columns.find((c) => c.name === 'full_name')!.nullable).toBe(false);
    });
  });
}
