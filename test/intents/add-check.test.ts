import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, introspectPostgres, LiveshiftError } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers } from '../support/seed.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic } from '../support/plan-under-traffic.js';

const ADD_CHECK = 'ALTER TABLE users ADD CONSTRAINT users_full_name_check CHECK (length(full_name) > 0)';

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`add CHECK constraint on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('NOT VALID (ACCESS EXCLUSIVE, brief) → VALIDATE (SHARE UPDATE EXCLUSIVE) under traffic; each rolled back and applied again; new violations rejected', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: ADD_CHECK });
      expect(plan.steps.map((s) => s.kind)).toEqual(['ddl', 'validate']);
      expect(reports.map((r) => r.observedLock)).toEqual(['ACCESS EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE']);
      expect(reports.every((r) => r.rolledBackAndReapplied && !r.rewrote)).toBe(true);
      const users = (await introspectPostgres(client)).tables[0]!;
      expect(users.constraints.find((k) => k.name === 'users_full_name_check')).toMatchObject({ type: 'check', columns: ['full_name'], validated: true });
      await expect(client.query(`INSERT INTO users (full_name) VALUES ('')`)).rejects.toThrow(/violates check constraint "users_full_name_check"/);
    });

    it('an existing violation: VALIDATE fails (exit code 1) and the CHECK stays NOT VALID; the caveat query finds the row; once fixed the step succeeds', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 2000 });
      await client.query(`UPDATE users SET full_name = '' WHERE id = 42`);
      const plan = await planChange({ sql: ADD_CHECK }, await introspectPostgres(client), LARGE_TABLE_OPTIONS);
      const quiet = { log: () => {}, onProgress: false as const, deployed: 'A' };
      await applyPlan(client, plan, { step: 1, ...quiet });
      const failure = await applyPlan(client, plan, { step: 2, ...quiet }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(LiveshiftError);
      expect(failure).toMatchObject({ exitCode: 1, step: 2 });
      const find = /Find those rows with (.*), fix them/.exec(plan.steps[1]!.caveats.join('\n'))![1]!;
      expect((await client.query(find)).rows.map((r) => r.id)).toEqual(['42']);
      await client.query(`UPDATE users SET full_name = 'forty-two' WHERE id = 42`);
      expect((await applyPlan(client, plan, { step: 2, ...quiet })).ran).toEqual([2]);
    });

    it('small table: one validated ADD with a generated name, columns in conkey order', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 300 });
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: "ALTER TABLE users ADD CHECK (email LIKE '%@%' OR full_name IS NOT NULL AND created_at > '2000-01-01')" }, { plan: { smallTableBytes: 8 * 1024 * 1024 } });
      expect(plan.steps).toHaveLength(1);
      expect(reports[0]!.observedLock).toBe('ACCESS EXCLUSIVE');
      const k = (await introspectPostgres(client)).tables[0]!.constraints.find((c) => c.type === 'check')!;
      expect(k).toMatchObject({ name: 'users_check', columns: ['email', 'full_name', 'created_at'], validated: true });
    });
  });
}
