import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, introspectPostgres, LiveshiftError } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers, namesById, SEED_ROWS } from '../support/seed.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

/** Release 0 uses email; from release 1 (the plan's application step) it never mentions it. */
const emailApplication = (release: number): WorkloadQuery[] =>
  release === 0
    ? [
        { kind: 'read', build: (id) => ({ text: 'SELECT id, full_name, email FROM users WHERE id = $1', values: [id()] }) },
        { kind: 'update', build: (id) => ({ text: 'UPDATE users SET email = email WHERE id = $1', values: [id()] }) },
        { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name, email) VALUES ('newcomer', 'new@example.com')`, values: [] }) },
      ]
    : [
        { kind: 'read', build: (id) => ({ text: 'SELECT id, full_name FROM users WHERE id = $1', values: [id()] }) },
        { kind: 'update', build: (id) => ({ text: 'UPDATE users SET full_name = full_name WHERE id = $1', values: [id()] }) },
        { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name) VALUES ('newcomer')`, values: [] }) },
      ];

/** Release 0 writes full_name on every insert; from release 1 it never mentions it. */
const fullNameApplication = (release: number): WorkloadQuery[] =>
  release === 0
    ? [
        { kind: 'read', build: (id) => ({ text: 'SELECT id, full_name, email FROM users WHERE id = $1', values: [id()] }) },
        { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name, email) VALUES ('newcomer', 'new@example.com')`, values: [] }) },
      ]
    : [
        { kind: 'read', build: (id) => ({ text: 'SELECT id, email FROM users WHERE id = $1', values: [id()] }) },
        { kind: 'insert', build: () => ({ text: `INSERT INTO users (email) VALUES ('new@example.com')`, values: [] }) },
      ];

async function users(client: pg.ClientBase) {
  return (await introspectPostgres(client)).tables.find((t) => t.name === 'users')!;
}

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`drop column on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('catalog check, application release without the column, then DROP COLUMN under traffic; its indexes go with it, other data stays', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query('CREATE INDEX users_email_idx ON users (email)');
      await client.query('CREATE INDEX users_lower_email_idx ON users (lower(email))');
      await client.query('CREATE INDEX users_name_idx ON users (full_name) WHERE email IS NOT NULL');
      await client.query('CREATE INDEX users_created_idx ON users (created_at)');
      const names = await namesById(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users DROP COLUMN email' }, { application: emailApplication });
      expect(plan.steps.map((s) => `${s.kind} ${s.deploy}`)).toEqual(['validate A', 'app A+1', 'ddl A+2']);
      expect(plan.pointOfNoReturn?.step).toBe(3);
      expect(reports[2]!.observedLocks).toEqual({ 'public.users': 'ACCESS EXCLUSIVE' });
      expect(reports[2]!.rewrote).toBe(false);
      const after = await users(client);
      expect(after.columns.map((c) => c.name)).toEqual(['id', 'full_name', 'created_at']);
      expect(after.indexes.map((i) => i.name)).toEqual(['users_created_idx', 'users_pkey']);
      expect(await namesById(client)).toEqual(names);
    });

    it('a NOT NULL column without a default is made nullable first, so inserts of the release that stopped writing it succeed', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { fullNameNotNull: true });
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE users DROP COLUMN full_name' }, { application: fullNameApplication });
      expect(plan.steps.map((s) => s.title)).toEqual([
        'Check that no view, trigger, policy or foreign key depends on full_name',
        'Drop NOT NULL on full_name',
        'Application stops reading and writing full_name',
        'Drop column full_name',
      ]);
      // the DROP NOT NULL step was rolled back (NOT NULL restored, on 12+ through the validated CHECK) and applied again
      expect(reports[1]!).toMatchObject({ observedLock: 'ACCESS EXCLUSIVE', rolledBackAndReapplied: true, rewrote: false });
      expect((await users(client)).columns.map((c) => c.name)).toEqual(['id', 'email', 'created_at']);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM users`);
      expect(rows[0].n).toBeGreaterThan(SEED_ROWS);
    });

    it('a column with a foreign key: ACCESS EXCLUSIVE on the referenced table too, observed; the foreign key goes with it', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint REFERENCES users (id), amount int NOT NULL DEFAULT 0)`);
      await client.query(`INSERT INTO orders (user_id, amount) SELECT 1 + g % ${SEED_ROWS}, g % 100 FROM generate_series(1, 5000) AS g`);
      await client.query('ANALYZE orders');
      const { reports } = await planAndRunUnderTraffic(db, { sql: 'ALTER TABLE orders DROP COLUMN user_id' });
      expect(reports.at(-1)!.observedLocks).toEqual({ 'public.orders': 'ACCESS EXCLUSIVE', 'public.users': 'ACCESS EXCLUSIVE' });
      const orders = (await introspectPostgres(client)).tables.find((t) => t.name === 'orders')!;
      expect(orders.constraints.map((k) => k.name)).toEqual(['orders_pkey']);
    });

    it('a view on the column: the first step fails (exit code 1) before any release, and its caveat query names the view', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client, { rows: 100 });
      await client.query('CREATE VIEW contacts AS SELECT id, email FROM users');
      const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, await introspectPostgres(client), LARGE_TABLE_OPTIONS);
      const failure = await applyPlan(client, plan, { step: 1, deployed: 'A', log: () => {}, onProgress: false }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(LiveshiftError);
      expect(failure).toMatchObject({ exitCode: 1, step: 1 });
      const list = /list the dependents with (.*); change them/.exec(plan.steps[0]!.caveats.join('\n'))![1]!;
      expect((await client.query(list)).rows).toEqual([{ pg_describe_object: 'rule _RETURN on view contacts' }]);
    });
  });
}
