import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Plan, Step } from '@liveshift/core';
import { LiveshiftError, applyPlan, engineInfo } from '@liveshift/runtime';
import { pgMajorsUnderTest, withPostgres } from '../support/postgres.js';
import { FAST_TIMEOUTS, collectLog, planOf } from '../support/step-fixtures.js';

const INDEX = 'users_email_key';

function createIndexStep(): Step {
  return {
    n: 1,
    title: 'Create unique index on email',
    kind: 'ddl',
    deploy: 'A',
    instruction: '',
    sql: [`CREATE UNIQUE INDEX CONCURRENTLY "${INDEX}" ON "public"."users" ("email")`],
    transactional: false,
    lock: { mode: 'SHARE UPDATE EXCLUSIVE', tables: ['public.users'], blocksReads: false, blocksWrites: false, duration: 'scan' },
    timeouts: FAST_TIMEOUTS,
    checkpoint: {
      description: 'the index is valid',
      sql: `SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('"public"."${INDEX}"')`,
      expected: true,
    },
    rollback: { kind: 'sql', sql: [`DROP INDEX CONCURRENTLY IF EXISTS "public"."${INDEX}"`], transactional: false },
    caveats: [],
    changes: [
      {
        op: 'add_index',
        table: { schema: 'public', name: 'users' },
        index: { name: INDEX, columns: ['email'], unique: true, primary: false, valid: true, predicate: null, method: 'btree', definition: '' },
      },
    ],
  };
}

/** null when there is no such index */
async function indexValidity(client: pg.Client): Promise<boolean | null> {
  const { rows } = await client.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)`, [`public.${INDEX}`]);
  return rows[0] ? (rows[0].indisvalid as boolean) : null;
}

for (const major of pgMajorsUnderTest()) {
  describe(`CREATE INDEX CONCURRENTLY steps on PostgreSQL ${major}`, () => {
    const postgres = withPostgres(major);

    async function usersTable(emails: string[]): Promise<{ client: pg.Client; plan: Plan; db: Awaited<ReturnType<typeof postgres.database>> }> {
      const db = await postgres.database();
      const client = await db.client();
      await client.query('CREATE TABLE users (id serial PRIMARY KEY, email text)');
      for (const email of emails) await client.query('INSERT INTO users (email) VALUES ($1)', [email]);
      return { client, db, plan: planOf(await engineInfo(client), [createIndexStep()]) };
    }

    it('drops the INVALID index a failed build leaves behind, then fails with exit code 1 and the reason', async () => {
      const { client, plan } = await usersTable(['a@example.com', 'a@example.com', 'b@example.com']);
      const { log, text } = collectLog();
      const error = await applyPlan(client, plan, { log, onProgress: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LiveshiftError);
      expect((error as LiveshiftError).exitCode).toBe(1);
      expect((error as LiveshiftError).message).toMatch(/could not create unique index "users_email_key".*SQLSTATE 23505/);
      expect(text()).toContain(`dropping INVALID index public.${INDEX} left by this failed build`);
      expect(await indexValidity(client)).toBeNull();
    });

    it('drops an INVALID index left by an earlier interrupted run before building it again', async () => {
      const { client, plan } = await usersTable(['a@example.com', 'a@example.com']);
      await expect(client.query(createIndexStep().sql[0]!)).rejects.toThrow(/could not create unique index/);
      expect(await indexValidity(client)).toBe(false);
      await client.query(`DELETE FROM users WHERE id = 2`);

      const { log, text } = collectLog();
      const result = await applyPlan(client, plan, { log, onProgress: false });
      expect(result.ran).toEqual([1]);
      expect(text()).toContain(`dropping INVALID index public.${INDEX} left by an earlier interrupted run`);
      expect(await indexValidity(client)).toBe(true);
    });

    it('retries a build that timed out waiting for a writer, cleaning up its INVALID leftover, and holds only SHARE UPDATE EXCLUSIVE meanwhile', async () => {
      const { client, plan, db } = await usersTable(['a@example.com', 'b@example.com']);
      // an open write transaction: the build must wait for it before it can finish
      const writer = await db.client('writer');
      await writer.query('BEGIN');
      await writer.query(`UPDATE users SET email = email WHERE id = 1`);

      const runner = await db.client('index-runner');
      const { log, text } = collectLog();
      let done = false;
      const applying = applyPlan(runner, plan, { log, onProgress: false }).finally(() => {
        done = true;
      });

      // observed from a second session while the build waits: its table lock never blocks the application
      const modes = new Set<string>();
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        const { rows } = await client.query(
          `SELECT l.mode FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE a.application_name = 'index-runner' AND l.locktype = 'relation' AND l.granted AND l.relation = 'public.users'::regclass`,
        );
        for (const row of rows) modes.add(row.mode as string);
        await client.query(`INSERT INTO users (email) VALUES ('w' || clock_timestamp())`);
        await sleep(30);
      }
      expect(done).toBe(false);
      await writer.query('COMMIT');
      expect((await applying).ran).toEqual([1]);

      expect([...modes]).toEqual(['ShareUpdateExclusiveLock']);
      expect(text()).toMatch(/lock not granted within lock_timeout 300ms \(attempt 1 of 31\)/);
      expect(text()).toContain(`dropping INVALID index public.${INDEX} left by the previous attempt`);
      expect(await indexValidity(client)).toBe(true);
    });
  });
}
