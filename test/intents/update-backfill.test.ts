import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers, SEED_ROWS } from '../support/seed.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic } from '../support/plan-under-traffic.js';

const FILL = "UPDATE users SET email = lower(replace(full_name, ' ', '.')) || '@example.com' WHERE email IS NULL";

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`backfill (UPDATE) on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('keyset batches under ROW EXCLUSIVE, under traffic: exactly the NULL emails are filled, nothing else changes', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      const before = (await client.query(`SELECT id::int, email FROM users ORDER BY id`)).rows as { id: number; email: string | null }[];
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: FILL }, { blockingSql: 'UPDATE users SET full_name = full_name WHERE id = 10' });
      expect(plan.steps).toHaveLength(1);
      expect(plan.pointOfNoReturn).toMatchObject({ step: 1 });
      expect(reports[0]!.observedLocks).toEqual({ 'public.users': 'ROW EXCLUSIVE' });
      const after = new Map(((await client.query(`SELECT id::int, email FROM users WHERE id <= $1`, [SEED_ROWS])).rows as { id: number; email: string }[]).map((r) => [r.id, r.email]));
      for (const row of before) expect(after.get(row.id)).toBe(row.email ?? `user.${row.id}@example.com`);
    });

    it('idempotent: run again after more NULLs appear, only those change; a finished run changes nothing', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 2000 });
      const plan = await planChange({ sql: FILL }, await introspectPostgres(client), LARGE_TABLE_OPTIONS);
      const quiet = { log: () => {}, onProgress: false as const, deployed: 'A' };
      await applyPlan(client, plan, quiet);
      // the batch statement itself, run over the whole key range, changes no row once done
      const batch = plan.steps[0]!.sql[0]!;
      expect((await client.query(batch, ['0', '999999'])).rowCount).toBe(0);
      await client.query(`UPDATE users SET email = NULL WHERE id IN (5, 6)`);
      expect((await client.query(batch, ['0', '999999'])).rowCount).toBe(2);
    });
  });
}
