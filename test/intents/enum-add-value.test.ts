import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

const ROWS = 20_000;

async function seedMoods(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
  await client.query(`CREATE TABLE users (id bigserial PRIMARY KEY, email text, mood mood NOT NULL DEFAULT 'ok')`);
  await client.query(`INSERT INTO users (email, mood) SELECT 'u' || g, (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood FROM generate_series(1, $1::int) AS g`, [ROWS]);
  await client.query('ANALYZE users');
}

/** Reads, updates and inserts of the enum column, sorting by it too. */
const moodApplication: WorkloadQuery[] = [
  { kind: 'read', build: (id) => ({ text: 'SELECT id, mood FROM users WHERE id = $1', values: [id()] }) },
  { kind: 'update', build: (id) => ({ text: `UPDATE users SET mood = 'happy' WHERE id = $1`, values: [id()] }) },
  { kind: 'insert', build: () => ({ text: `INSERT INTO users (email, mood) VALUES ('new', 'sad')`, values: [] }) },
  { kind: 'read', build: () => ({ text: `SELECT mood, count(*) FROM users WHERE id < 100 GROUP BY mood ORDER BY mood`, values: [] }) },
];

const moods = async (client: pg.ClientBase) => (await introspectPostgres(client)).enums?.find((e) => e.name === 'mood')?.values;

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`enum add value on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it(major >= 12 ? 'ADD VALUE in its own transaction, no table lock, under traffic; the value is usable once it has committed' : 'ADD VALUE outside a transaction block (PostgreSQL 11 refuses it inside one), no table lock, under traffic', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedMoods(client);
      const { plan, reports } = await planAndRunUnderTraffic(db, { sql: `ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad'` }, {
        application: () => moodApplication,
        // ADD VALUE waits for the type's lock; a COMMENT ON TYPE holds a conflicting one
        blockingSql: `COMMENT ON TYPE mood IS 'held'`,
        // and not a single table lock on the table that uses the type
        locksBeyondClaim: () => ({ 'public.users': undefined }),
      });
      expect(plan.steps).toHaveLength(1);
      expect(plan.steps[0]).toMatchObject({ transactional: major >= 12, lock: { mode: 'none', tables: [] }, rollback: { kind: 'irreversible' } });
      expect(plan.pointOfNoReturn?.step).toBe(1);
      expect(reports[0]!.observedLocks).toEqual({});
      expect(await moods(client)).toEqual(['sad', 'meh', 'ok', 'happy']);
      await client.query(`UPDATE users SET mood = 'meh' WHERE id = 1`);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM users WHERE mood < 'ok'`);
      expect(rows[0].n).toBeGreaterThan(ROWS / 3 - 10);
    });

    it('the new value cannot be used in the transaction that adds it on 12+ (the reason the step commits alone); 11 refuses the statement inside a transaction block', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedMoods(client);
      await client.query('BEGIN');
      if (major >= 12) {
        await client.query(`ALTER TYPE mood ADD VALUE 'meh'`);
        await expect(client.query(`SELECT 'meh'::mood`)).rejects.toThrow(/unsafe use of new value "meh" of enum type mood/);
      } else {
        await expect(client.query(`ALTER TYPE mood ADD VALUE 'meh'`)).rejects.toThrow(/cannot run inside a transaction block/);
      }
      await client.query('ROLLBACK');
    });

    it('refusals name what is wrong: an existing value, an unknown neighbour, an unknown type; removing a value is refused with the steps', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedMoods(client);
      const snapshot = await introspectPostgres(client);
      await expect(planChange({ sql: `ALTER TYPE mood ADD VALUE 'ok'` }, snapshot, LARGE_TABLE_OPTIONS)).rejects.toThrow(/already has the value 'ok'; nothing to do/);
      await expect(planChange({ sql: `ALTER TYPE mood ADD VALUE 'meh' BEFORE 'nope'` }, snapshot, LARGE_TABLE_OPTIONS)).rejects.toThrow(/has no value 'nope' to put 'meh' before/);
      await expect(planChange({ sql: `ALTER TYPE feeling ADD VALUE 'meh'` }, snapshot, LARGE_TABLE_OPTIONS)).rejects.toThrow(/enum type "public.feeling" is not in the schema \(enum types: public.mood\)/);
      await expect(planChange({ intents: [{ kind: 'remove_enum_value', type: 'mood', value: 'sad' }] }, snapshot, LARGE_TABLE_OPTIONS)).rejects.toThrow(
        /cannot remove a value from an enum type.*in public\.users\.mood.*CREATE TYPE "public"\."mood__new" AS ENUM \('ok', 'happy'\)/s,
      );
    });
  });
}
