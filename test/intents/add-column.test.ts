import { describe, expect, it } from 'vitest';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { namesById, seedUsers, SEED_ROWS } from '../support/seed.js';
import { planAndRunUnderTraffic, plainApplication } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`add column on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('nullable: one brief ACCESS EXCLUSIVE step, no rewrite, rollback drops it', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ADD COLUMN nickname varchar(40)' });
      expect(plan.steps).toHaveLength(1);
      expect(reports[0]).toMatchObject({ observedLock: 'ACCESS EXCLUSIVE', rewrote: false, rolledBackAndReapplied: true });
      const col = (await introspectPostgres(client)).tables[0]!.columns.find((c) => c.name === 'nickname');
      expect(col).toMatchObject({ type: 'character varying(40)', nullable: true, default: null });
    });

    it('NOT NULL with a constant default: one step, catalog-only (no rewrite), every row reads the default', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active'" });
      expect(plan.steps).toHaveLength(1);
      expect(reports[0]!.rewrote).toBe(false);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM users WHERE status = 'active'`);
      expect(rows[0].n).toBeGreaterThanOrEqual(SEED_ROWS);
    });

    it('volatile default, NOT NULL: add, set default, batched backfill, NOT NULL via validated CHECK; every row distinct and filled', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      const before = await namesById(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users ADD COLUMN token double precision NOT NULL DEFAULT random()' });
      expect(plan.steps.map((s) => s.kind).slice(0, 3)).toEqual(['ddl', 'ddl', 'backfill']);
      expect(reports.every((r) => !r.rewrote)).toBe(true);
      const { rows } = await client.query(`SELECT count(*)::int AS n, count(DISTINCT token)::int AS d, count(token)::int AS filled FROM users`);
      expect(rows[0].filled).toBe(rows[0].n);
      expect(rows[0].d).toBeGreaterThan(rows[0].n * 0.99);
      expect(await namesById(client)).toEqual(before);
      const col = (await introspectPostgres(client)).tables[0]!.columns.find((c) => c.name === 'token')!;
      expect(col.nullable).toBe(major < 12);
      expect(col.default).toBe('random()');
    });

    it('NOT NULL without default: nullable → the application writes it → backfill → NOT NULL', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      const writesPlan: WorkloadQuery[] = [
        plainApplication[0]!,
        { kind: 'update', build: (id) => ({ text: `UPDATE users SET plan = 'pro' WHERE id = $1`, values: [id()] }) },
        { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name, plan) VALUES ('newcomer', 'pro')`, values: [] }) },
      ];
      const { plan } = await planAndRunUnderTraffic(
        db,
        { intents: [{ kind: 'add_column', table: 'users', column: { name: 'plan', type: 'text', nullable: false, backfill: "'free'" } }] },
        { application: (release) => (release >= 1 ? writesPlan : plainApplication) },
      );
      expect(plan.steps[1]).toMatchObject({ kind: 'app', deploy: 'A+1' });
      const { rows } = await client.query(`SELECT count(*) FILTER (WHERE plan IS NULL)::int AS missing, count(*) FILTER (WHERE plan = 'free')::int AS free FROM users`);
      expect(rows[0].missing).toBe(0);
      expect(rows[0].free).toBeGreaterThan(0);
    });
  });
}
