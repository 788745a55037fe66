import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LiveshiftError, applyPlan, engineInfo, readStepStates, type ApplyResult } from '@liveshift/runtime';
import { pgMajorsUnderTest, withPostgres } from '../support/postgres.js';
import { collectLog, ddlStep, planOf } from '../support/step-fixtures.js';

const LOCK_TIMEOUT_MS = 300;
const BLOCKER_HELD_MS = 3000;

for (const major of pgMajorsUnderTest()) {
  describe(`a lock-taking DDL step on PostgreSQL ${major}`, () => {
    const postgres = withPostgres(major);

    it('gives up each lock wait within lock_timeout, retries, and succeeds once a long transaction ends, never holding up readers', async () => {
      const db = await postgres.database();
      const setup = await db.client();
      await setup.query('CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 1000) g');
      const runner = await db.client('runner');
      const reader = await db.client('reader');
      const blocker = await db.client('blocker');

      const heldLocks: string[] = [];
      const step = ddlStep(1, 'public.accounts', ['ALTER TABLE "public"."accounts" ADD COLUMN "note" text'], {
        timeouts: { lockTimeoutMs: LOCK_TIMEOUT_MS, retries: 40, initialBackoffMs: 100, maxBackoffMs: 300, statementTimeoutMs: 0 },
      });
      const plan = planOf(await engineInfo(setup), [step]);

      // an idle-in-transaction reader holds ACCESS SHARE: the ALTER cannot get ACCESS EXCLUSIVE
      await blocker.query('BEGIN');
      await blocker.query('SELECT count(*) FROM accounts');

      const { log, text } = collectLog();
      const startedAt = Date.now();
      let finished = false;
      const applying: Promise<ApplyResult> = applyPlan(runner, plan, {
        log,
        onProgress: false,
        observe: async (_step, session) => {
          const { rows } = await session.query(
            `SELECT mode FROM pg_locks WHERE locktype = 'relation' AND granted AND pid = pg_backend_pid() AND relation = 'public.accounts'::regclass`,
          );
          heldLocks.push(...rows.map((r) => r.mode as string));
        },
      }).finally(() => {
        finished = true;
      });

      // the application keeps reading while the step waits; no read may queue behind it for long
      const latencies: number[] = [];
      const reading = (async () => {
        while (!finished) {
          const t0 = performance.now();
          await reader.query('SELECT sum(balance) FROM accounts');
          latencies.push(performance.now() - t0);
          await sleep(20);
        }
      })();

      await sleep(BLOCKER_HELD_MS);
      expect(finished).toBe(false);
      await blocker.query('COMMIT');
      const result = await applying;
      await reading;

      expect(result.ran).toEqual([1]);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(BLOCKER_HELD_MS);
      expect(text()).toMatch(/step 1 \(ddl 1\): lock not granted within lock_timeout 300ms \(attempt 1 of 41\); retrying in 100ms/);
      expect(latencies.length).toBeGreaterThan(20);
      // reads did queue behind the waiting ALTER (the lock-queue hazard is real here)...
      expect(latencies.some((ms) => ms > 100)).toBe(true);
      // ...but never for longer than one lock wait, though the blocker held on for seconds
      expect(Math.max(...latencies)).toBeLessThan(LOCK_TIMEOUT_MS + 1000);
      expect(heldLocks).toContain('AccessExclusiveLock');
      const { rows } = await setup.query(`SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'note'`);
      expect(rows[0].n).toBe(1);
    });

    it('fails with exit code 1, changing nothing, when the lock budget runs out, and runs once the blocker is gone', async () => {
      const db = await postgres.database();
      const setup = await db.client();
      await setup.query('CREATE TABLE accounts (id int PRIMARY KEY)');
      const runner = await db.client('runner');
      const blocker = await db.client('blocker');
      const step = ddlStep(1, 'public.accounts', ['ALTER TABLE "public"."accounts" ADD COLUMN "note" text'], {
        timeouts: { lockTimeoutMs: 200, retries: 2, initialBackoffMs: 50, maxBackoffMs: 100, statementTimeoutMs: 0 },
      });
      const plan = planOf(await engineInfo(setup), [step]);
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE accounts IN ACCESS SHARE MODE');

      const { log, lines } = collectLog();
      const error = await applyPlan(runner, plan, { log, onProgress: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LiveshiftError);
      expect((error as LiveshiftError).exitCode).toBe(1);
      expect((error as LiveshiftError).message).toMatch(
        /step 1 \(ddl 1\): could not take its lock on public\.accounts within the budget: 3 attempts of lock_timeout 200ms/,
      );
      expect(lines.filter((l) => l.includes('retrying in'))).toHaveLength(2);
      const columns = await setup.query(`SELECT 1 FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'note'`);
      expect(columns.rowCount).toBe(0);

      await blocker.query('COMMIT');
      const rerun = await applyPlan(runner, plan, { log, onProgress: false });
      expect(rerun.ran).toEqual([1]);
      expect((await readStepStates(setup, rerun.planId)).get(1)?.status).toBe('done');
    });
  });
}
