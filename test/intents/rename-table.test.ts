import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers, SEED_ROWS } from '../support/seed.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic } from '../support/plan-under-traffic.js';
import { runStepByStep } from '../support/step-by-step.js';
import type { WorkloadQuery } from '../support/workload.js';

/** The application of release A names users; from A+1 it names accounts. Reads, updates, inserts (with RETURNING) and upserts. */
const application = (release: number): WorkloadQuery[] => {
  const t = release === 0 ? 'users' : 'accounts';
  return [
    { kind: 'read', build: (id) => ({ text: `SELECT * FROM ${t} WHERE id = $1`, values: [id()] }) },
    { kind: 'update', build: (id) => ({ text: `UPDATE ${t} SET email = email WHERE id = $1`, values: [id()] }) },
    { kind: 'insert', build: () => ({ text: `INSERT INTO ${t} (full_name, email) VALUES ('newcomer', NULL) RETURNING id, created_at`, values: [] }) },
    { kind: 'insert', build: (id) => ({ text: `INSERT INTO ${t} (id, full_name) VALUES ($1, 'x') ON CONFLICT (id) DO NOTHING`, values: [id()] }) },
  ];
};

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`rename table on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('through a view: RENAME + CREATE VIEW in one transaction, old-name reads and writes keep working, the application moves, the view is dropped', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint REFERENCES users (id))`);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users RENAME TO accounts' }, { application });
      expect(plan.steps.map((s) => [s.deploy, s.kind])).toEqual([['A', 'ddl'], ['A+1', 'app'], ['A+2', 'ddl']]);
      expect(reports[0]).toMatchObject({ observedLocks: { 'public.users': 'ACCESS EXCLUSIVE' }, rewrote: false, rolledBackAndReapplied: true });
      expect(reports[2]).toMatchObject({ observedLocks: { 'public.users': 'ACCESS EXCLUSIVE' }, rolledBackAndReapplied: true });
      expect(plan.pointOfNoReturn).toBeNull();
      const tables = (await introspectPostgres(client)).tables;
      expect(tables.map((t) => t.name)).toEqual(['accounts', 'orders']);
      expect(tables[1]!.constraints.find((k) => k.type === 'foreign_key')!.references).toEqual({ table: 'public.accounts', columns: ['id'] });
      expect((await client.query(`SELECT to_regclass('public.users') AS r`)).rows[0].r).toBeNull();
      // rows inserted through the view got the table's defaults
      const { rows } = await client.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE created_at IS NULL)::int AS no_default FROM accounts WHERE full_name = 'newcomer'`);
      expect(rows[0].n).toBeGreaterThan(0);
      expect(rows[0].no_default).toBe(0);
      expect((await client.query('SELECT count(*)::int AS n FROM accounts WHERE id <= $1', [SEED_ROWS])).rows[0].n).toBe(SEED_ROWS);
    });

    it('via app: a plain RENAME between two application releases', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 100 });
      const plan = await planChange({ intents: [{ kind: 'rename_table', table: 'users', to: 'accounts', via: 'app' }] }, await introspectPostgres(client), LARGE_TABLE_OPTIONS);
      const reports = await runStepByStep({ url: db.url, plan, blockingSql: 'SELECT 1' });
      expect(reports[1]).toMatchObject({ observedLocks: { 'public.users': 'ACCESS EXCLUSIVE' }, rewrote: false, rolledBackAndReapplied: true });
      expect((await introspectPostgres(client)).tables.map((t) => t.name)).toEqual(['accounts']);
    });
  });
}
