import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, introspectPostgres, LiveshiftError } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

const EVENTS = 20_000;
const ADD_PK = 'ALTER TABLE events ADD PRIMARY KEY (id)';

/** An events table without a primary key, as legacy tables have it. */
async function seedEvents(client: pg.ClientBase, opts: { nullableId?: boolean } = {}): Promise<void> {
  await client.query(`CREATE TABLE events (id bigint${opts.nullableId ? '' : ' NOT NULL'}, name text NOT NULL)`);
  await client.query(`INSERT INTO events (id, name) SELECT g, 'event ' || g FROM generate_series(1, $1::int) AS g`, [EVENTS]);
  await client.query('CREATE SEQUENCE events_id_seq START 100000');
  await client.query('ANALYZE events');
}

/** Reads and updates by id, inserts with fresh ids: what an application on such a table does. */
const eventsApplication: WorkloadQuery[] = [
  { kind: 'read', build: (id) => ({ text: 'SELECT * FROM events WHERE id = $1', values: [id()] }) },
  { kind: 'update', build: (id) => ({ text: 'UPDATE events SET name = name WHERE id = $1', values: [id()] }) },
  { kind: 'insert', build: () => ({ text: `INSERT INTO events (id, name) VALUES (nextval('events_id_seq'), 'new')`, values: [] }) },
];

const run = { application: () => eventsApplication, blockingSql: 'UPDATE events SET name = name WHERE id = 1' };

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`add primary key on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('NOT NULL column: duplicate check → unique index CONCURRENTLY → ADD CONSTRAINT … PRIMARY KEY USING INDEX, under traffic', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedEvents(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: ADD_PK }, run);
      expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl', 'ddl']);
      expect(reports.map((r) => r.observedLock)).toEqual([undefined, 'SHARE UPDATE EXCLUSIVE', 'ACCESS EXCLUSIVE']);
      expect(reports.slice(1).every((r) => r.rolledBackAndReapplied && !r.rewrote)).toBe(true);
      const events = (await introspectPostgres(client)).tables[0]!;
      expect(events.constraints).toEqual([expect.objectContaining({ name: 'events_pkey', type: 'primary_key', columns: ['id'] })]);
      expect(events.indexes).toEqual([expect.objectContaining({ name: 'events_pkey', primary: true, unique: true })]);
      await expect(client.query(`INSERT INTO events (id, name) VALUES (1, 'dup')`)).rejects.toThrow(/violates unique constraint "events_pkey"/);
    });

    if (major >= 12) {
      it('nullable column: made NOT NULL through a validated CHECK (no scan under ACCESS EXCLUSIVE), then the key', async () => {
        const db = await pg.database();
        const client = await db.client();
        await seedEvents(client, { nullableId: true });
        const { plan, reports } = await planAndRunUnderTraffic(db, { sql: ADD_PK }, run);
        expect(plan.steps).toHaveLength(7);
        expect(reports.map((r) => r.observedLock)).toEqual([
          'ACCESS EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE', undefined, 'SHARE UPDATE EXCLUSIVE', 'ACCESS EXCLUSIVE',
        ]);
        const events = (await introspectPostgres(client)).tables[0]!;
        expect(events.columns[0]).toMatchObject({ name: 'id', nullable: false });
        expect(events.constraints.map((k) => k.name)).toEqual(['events_pkey']);
      });

      it('a NULL key: VALIDATE of the CHECK fails cleanly (exit code 1), nothing else changes', async () => {
        const db = await pg.database();
        const client = await db.client();
        await seedEvents(client, { nullableId: true });
        await client.query(`INSERT INTO events (id, name) VALUES (NULL, 'orphan')`);
        const plan = await planChange({ sql: ADD_PK }, await introspectPostgres(client), LARGE_TABLE_OPTIONS);
        const quiet = { log: () => {}, onProgress: false as const, deployed: 'A' };
        const failure = await applyPlan(client, plan, { ...quiet }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(LiveshiftError);
        expect(failure).toMatchObject({ exitCode: 1, step: 2 });
        expect((await introspectPostgres(client)).tables[0]!.constraints).toEqual([expect.objectContaining({ name: 'events_id_not_null', validated: false })]);
      });
    } else {
      it('nullable column on 11: refused, with the steps to take (SET NOT NULL would scan under ACCESS EXCLUSIVE)', async () => {
        const db = await pg.database();
        const client = await db.client();
        await seedEvents(client, { nullableId: true });
        await expect(planChange({ sql: ADD_PK }, await introspectPostgres(client), LARGE_TABLE_OPTIONS)).rejects.toThrow(/on PostgreSQL 11\.\d+ setting NOT NULL scans.*\(1\) plan .*\(3\) plan ALTER TABLE "public"\."events" ADD PRIMARY KEY/s);
      });
    }

    it('small table with a nullable column: one ADD PRIMARY KEY (it sets NOT NULL), and its rollback restores the column', async () => {
      const db = await pg.database();
      const client = await db.client();
      await client.query(`CREATE TABLE events (id bigint, name text NOT NULL)`);
      await client.query(`INSERT INTO events SELECT g, 'e' FROM generate_series(1, 200) g`);
      await client.query('CREATE SEQUENCE events_id_seq START 100000');
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: ADD_PK }, { ...run, plan: { smallTableBytes: 8 * 1024 * 1024 } });
      expect(plan.steps).toHaveLength(1);
      expect(reports[0]).toMatchObject({ observedLock: 'ACCESS EXCLUSIVE', rolledBackAndReapplied: true });
      expect((await introspectPostgres(client)).tables[0]!.columns[0]).toMatchObject({ nullable: false });
    });
  });
}
