import { describe, expect, it } from 'vitest';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers } from '../support/seed.js';
import { planAndRunUnderTraffic, uniqueEmailApplication } from '../support/plan-under-traffic.js';

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`drop index on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('DROP INDEX CONCURRENTLY under traffic (SHARE UPDATE EXCLUSIVE, observed while it waits); rolled back by a concurrent rebuild from its definition, then dropped again', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query('CREATE UNIQUE INDEX users_lower_email_key ON users (lower(email)) WHERE email IS NOT NULL');
      await client.query('CREATE INDEX users_name_idx ON users (full_name text_pattern_ops)');
      const before = (await introspectPostgres(client)).tables[0]!.indexes.find((i) => i.name === 'users_lower_email_key')!;
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'DROP INDEX users_lower_email_key, users_name_idx' }, { application: () => uniqueEmailApplication });
      expect(plan.steps.map((s) => s.transactional)).toEqual([false, false]);
      expect(reports.map((r) => r.observedLocks)).toEqual([{ 'public.users': 'SHARE UPDATE EXCLUSIVE' }, { 'public.users': 'SHARE UPDATE EXCLUSIVE' }]);
      expect(reports.every((r) => r.rolledBackAndReapplied && !r.rewrote)).toBe(true);
      expect((await introspectPostgres(client)).tables[0]!.indexes.map((i) => i.name)).toEqual(['users_pkey']);
      // the rollback builds exactly the definition that was dropped
      await client.query(plan.steps[0]!.rollback.kind === 'sql' ? plan.steps[0]!.rollback.sql[0]! : '');
      const rebuilt = (await introspectPostgres(client)).tables[0]!.indexes.find((i) => i.name === 'users_lower_email_key')!;
      expect(rebuilt.definition).toBe(before.definition);
    });
  });
}
