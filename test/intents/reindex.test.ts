import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { seedUsers } from '../support/seed.js';
import { LARGE_TABLE_OPTIONS, planAndRunUnderTraffic, uniqueEmailApplication } from '../support/plan-under-traffic.js';

for (const major of pgMajorsAmong([11, 12, 18])) {
  describe(`reindex on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it(
      major >= 12
        ? 'REINDEX INDEX CONCURRENTLY under traffic: SHARE UPDATE EXCLUSIVE on the table, observed while it waits; same name and definition, new storage'
        : 'copy built CONCURRENTLY, original dropped CONCURRENTLY, copy renamed (ACCESS EXCLUSIVE on the index only): same name and definition, new storage',
      async () => {
        const db = await pg.database();
        const client = await db.client();
        await seedUsers(client);
        await client.query('CREATE INDEX users_email_idx ON users (email text_pattern_ops) WHERE email IS NOT NULL');
        const file = async () => (await client.query(`SELECT relfilenode::text AS f FROM pg_class WHERE relname = 'users_email_idx'`)).rows[0]?.f as string;
        const storage = await file();
        const definition = async () => (await introspectPostgres(client)).tables[0]!.indexes.find((i) => i.name === 'users_email_idx')!.definition;
        const before = await definition();
        const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'REINDEX INDEX users_email_idx' });
        if (major >= 12) {
          expect(plan.steps.map((s) => s.sql[0])).toEqual(['REINDEX INDEX CONCURRENTLY "public"."users_email_idx"']);
          expect(reports[0]!.observedLocks).toEqual({ 'public.users': 'SHARE UPDATE EXCLUSIVE' });
        } else {
          expect(plan.steps).toHaveLength(3);
          expect(reports.map((r) => r.observedLocks)).toEqual([
            { 'public.users': 'SHARE UPDATE EXCLUSIVE' },
            { 'public.users': 'SHARE UPDATE EXCLUSIVE' },
            { 'public.users_email_idx': 'ACCESS EXCLUSIVE' },
          ]);
          expect(reports.every((r) => r.rolledBackAndReapplied)).toBe(true);
        }
        expect(await definition()).toBe(before);
        expect(await file()).not.toBe(storage);
        const { rows } = await client.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass`);
        expect(rows[0].indisvalid).toBe(true);
      },
    );

    it(
      major >= 12 ? 'REINDEX TABLE: every index, the primary key included, rebuilt CONCURRENTLY one by one' : 'REINDEX TABLE is refused on 11: the primary key index has no online rebuild there',
      async () => {
        const db = await pg.database();
        const client = await db.client();
        await seedUsers(client);
        await client.query('CREATE INDEX users_email_idx ON users (email)');
        if (major < 12) {
          await expect(planChange({ sql: 'REINDEX TABLE users' }, await introspectPostgres(client), LARGE_TABLE_OPTIONS)).rejects.toThrow(/users_pkey implements the primary key users_pkey/);
          return;
        }
        const { plan, reports } = await planAndRunUnderTraffic(db, { sql: 'REINDEX TABLE users' });
        expect(plan.steps.map((s) => s.title)).toEqual(['Rebuild index users_email_idx (REINDEX CONCURRENTLY)', 'Rebuild index users_pkey (REINDEX CONCURRENTLY)']);
        expect(reports.map((r) => r.observedLock)).toEqual(['SHARE UPDATE EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE']);
      },
    );

    it('an INVALID index left by a failed unique build is dropped and built again once the duplicate is gone', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      await client.query(`UPDATE users SET email = 'u1@example.com' WHERE id = 2`);
      await expect(client.query('CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email)')).rejects.toThrow(/could not create unique index/);
      await client.query(`UPDATE users SET email = 'u2@example.com' WHERE id = 2`);
      const { plan } = await planAndRunUnderTraffic(db, { sql: 'REINDEX INDEX users_email_key' }, { application: () => uniqueEmailApplication });
      expect(plan.steps.map((s) => s.title)).toEqual(['Drop the INVALID index users_email_key (CONCURRENTLY)', 'Build index users_email_key again (CONCURRENTLY)']);
      expect((await introspectPostgres(client)).tables[0]!.indexes.find((i) => i.name === 'users_email_key')).toMatchObject({ valid: true, unique: true });
    });
  });
}
