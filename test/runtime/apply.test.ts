import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { Plan, SchemaSnapshot, Step } from '@liveshift/core';
import {
  LiveshiftError,
  applyPlan,
  engineInfo,
  introspectPostgres,
  markStepRunning,
  ensureStateTable,
  planId,
  readStepStates,
  rollbackPlanStep,
  waitingForReleaseError,
} from '@liveshift/runtime';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { appStep, collectLog, ddlStep, planOf } from '../support/step-fixtures.js';

const USERS = { schema: 'public', name: 'users' };

function addColumnStep(n: number, column: string): Step {
  return ddlStep(n, 'public.users', [`ALTER TABLE "public"."users" ADD COLUMN "${column}" text`], {
    title: `Add ${column}`,
    checkpoint: {
      description: `${column} exists`,
      sql: `SELECT count(*) FROM pg_attribute WHERE attrelid = '"public"."users"'::regclass AND attname = '${column}' AND NOT attisdropped`,
      expected: 1,
    },
    rollback: { kind: 'sql', sql: [`ALTER TABLE "public"."users" DROP COLUMN "${column}"`], transactional: true },
    changes: [{ op: 'add_column', table: USERS, column: { name: column, type: 'text', nullable: true, default: null } }],
  });
}

function createIndexStep(n: number, name: string, column: string): Step {
  return ddlStep(n, 'public.users', [`CREATE INDEX CONCURRENTLY "${name}" ON "public"."users" ("${column}")`], {
    title: `Index ${column}`,
    transactional: false,
    lock: { mode: 'SHARE UPDATE EXCLUSIVE', tables: ['public.users'], blocksReads: false, blocksWrites: false, duration: 'scan' },
    checkpoint: { description: 'index valid', sql: `SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('"public"."${name}"')`, expected: 't' },
    rollback: { kind: 'sql', sql: [`DROP INDEX CONCURRENTLY IF EXISTS "public"."${name}"`], transactional: false },
    changes: [
      {
        op: 'add_index',
        table: USERS,
        index: { name, columns: [column], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: '' },
      },
    ],
  });
}

/** The schema a user compares after a rollback; sizes and estimates move with any write. */
function shape(snapshot: SchemaSnapshot) {
  return snapshot.tables.map(({ sizeBytes, rowEstimate, ...rest }) => rest);
}

async function rejection(promise: Promise<unknown>): Promise<LiveshiftError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LiveshiftError)) throw new Error(`expected a LiveshiftError, got ${String(error)}`);
  return error;
}

// ordering and state rules do not depend on the server version: two majors are plenty
for (const major of pgMajorsAmong([12, 18])) {
  describe(`applyPlan and rollbackPlanStep on PostgreSQL ${major}`, () => {
    const postgres = withPostgres(major);

    async function usersDatabase(): Promise<pg.Client> {
      const db = await postgres.database();
      const client = await db.client();
      await client.query(`CREATE TABLE users (id int PRIMARY KEY, full_name text); INSERT INTO users VALUES (1, 'Ada'), (2, NULL), (3, NULL), (4, NULL)`);
      return client;
    }

    async function threeStepPlan(client: pg.Client): Promise<Plan> {
      return planOf(await engineInfo(client), [
        addColumnStep(1, 'display_name'),
        appStep(2, 'A+1', 'write both full_name and display_name on every insert and update'),
        createIndexStep(3, 'users_display_name_idx', 'display_name'),
      ]);
    }

    it('fails with exit code 1 when a checkpoint is not met, naming it, its query, expected and actual values', async () => {
      const client = await usersDatabase();
      const plan = planOf(await engineInfo(client), [
        ddlStep(1, 'public.users', [], {
          kind: 'validate',
          title: 'Every user has a name',
          checkpoint: { description: 'no user without a full_name', sql: 'SELECT count(*) FROM users WHERE full_name IS NULL', expected: 0 },
        }),
      ]);
      const error = await rejection(applyPlan(client, plan, { log: () => {}, onProgress: false }));
      expect(error.exitCode).toBe(1);
      expect(error.step).toBe(1);
      expect(error.message).toBe(
        'step 1 (Every user has a name): checkpoint not met: no user without a full_name\n' +
          '  query: SELECT count(*) FROM users WHERE full_name IS NULL\n' +
          '  expected: 0\n' +
          '  actual: 3',
      );
      expect((await readStepStates(client, planId(plan))).get(1)?.status).toBe('running');
    });

    it('stops at an application step until its release is confirmed (exit 3 outcome), by --deployed or LIVESHIFT_DEPLOYED', async () => {
      const client = await usersDatabase();
      const plan = await threeStepPlan(client);
      const { log, text } = collectLog();

      const first = await applyPlan(client, plan, { log, onProgress: false, env: {} });
      expect(first.ran).toEqual([1]);
      expect(first.waitingFor).toEqual({ step: 2, release: 'A+1', instruction: 'write both full_name and display_name on every insert and update' });
      expect(text()).toContain('step 2 waits for release A+1 to be live: write both full_name and display_name on every insert and update');
      expect(waitingForReleaseError(first.waitingFor!).exitCode).toBe(3);

      // release A confirmed is not enough for a step of A+1
      const second = await applyPlan(client, plan, { log, onProgress: false, deployed: 'A', env: {} });
      expect(second).toMatchObject({ ran: [], skipped: [1], waitingFor: { step: 2 } });

      const third = await applyPlan(client, plan, { log, onProgress: false, env: { LIVESHIFT_DEPLOYED: 'A+1' } });
      expect(third.ran).toEqual([2, 3]);
      expect(third.waitingFor).toBeUndefined();
    });

    it('holds a database step of a later release until that release is confirmed; steps of release A need no confirmation', async () => {
      const client = await usersDatabase();
      const plan = planOf(await engineInfo(client), [
        addColumnStep(1, 'display_name'),
        appStep(2, 'A+1', 'read display_name'),
        ddlStep(3, 'public.users', ['ALTER TABLE "public"."users" DROP COLUMN "full_name"'], { title: 'Drop full_name', deploy: 'A+2' }),
      ]);
      const quiet = { log: () => {}, onProgress: false as const, env: {} };
      const atA1 = await applyPlan(client, plan, { ...quiet, deployed: 'A+1' });
      expect(atA1.ran).toEqual([1, 2]);
      expect(atA1.waitingFor).toEqual({
        step: 3,
        release: 'A+2',
        instruction: 'nothing to deploy for it; confirm it once every application instance runs A+1 or later',
      });
      const atA2 = await applyPlan(client, plan, { ...quiet, deployed: 'A+2' });
      expect(atA2).toMatchObject({ ran: [3], skipped: [1, 2] });
    });

    it('--through N stops after step N', async () => {
      const client = await usersDatabase();
      const plan = await threeStepPlan(client);
      const result = await applyPlan(client, plan, { log: () => {}, onProgress: false, through: 2, deployed: 'A+1' });
      expect(result.ran).toEqual([1, 2]);
      const states = await readStepStates(client, planId(plan));
      expect([...states.values()].map((s) => [s.step, s.status])).toEqual([
        [1, 'done'],
        [2, 'done'],
      ]);
    });

    it('--step N refuses to skip ahead of a step that is not done (exit 2), and a rerun of a done step is a no-op that says so', async () => {
      const client = await usersDatabase();
      const plan = await threeStepPlan(client);

      const skipAhead = await rejection(applyPlan(client, plan, { step: 3, deployed: 'A+1', log: () => {}, onProgress: false }));
      expect(skipAhead.exitCode).toBe(2);
      expect(skipAhead.message).toBe('step 3 cannot run yet: steps 1, 2 are not done; steps run in order (use --through 3 to run them all)');

      expect((await applyPlan(client, plan, { step: 1, log: () => {}, onProgress: false })).ran).toEqual([1]);
      const { log, text } = collectLog();
      // running the ALTER again would fail: the no-op must not touch the database
      const rerun = await applyPlan(client, plan, { step: 1, log, onProgress: false });
      expect(rerun).toMatchObject({ ran: [], skipped: [1] });
      expect(text()).toBe('step 1 already done');
    });

    it('rejects bad input with exit code 2: unknown step, both --step and --through, a malformed release, a plan for a newer server', async () => {
      const client = await usersDatabase();
      const plan = await threeStepPlan(client);
      const quiet = { log: () => {}, onProgress: false as const };
      expect((await rejection(applyPlan(client, plan, { ...quiet, step: 9 }))).message).toBe('--step 9: the plan has steps 1 to 3');
      expect((await rejection(applyPlan(client, plan, { ...quiet, step: 1, through: 2 }))).exitCode).toBe(2);
      const badRelease = await rejection(applyPlan(client, plan, { ...quiet, deployed: 'B' }));
      expect(badRelease.exitCode).toBe(2);
      expect(badRelease.message).toMatch(/^--deployed: "B" is not a release name/);
      const newer = { ...plan, engine: { name: 'postgres' as const, version: '99.0', versionNum: 990000 } };
      const tooOld = await rejection(applyPlan(client, newer, quiet));
      expect(tooOld.exitCode).toBe(2);
      expect(tooOld.message).toMatch(/made for PostgreSQL 99\.0 but the server runs \d+\.\d+/);
    });

    it('marks an interrupted step done without running it again when its checkpoint already holds', async () => {
      const client = await usersDatabase();
      const plan = await threeStepPlan(client);
      // the runner died after the ALTER committed but before it recorded the step as done
      await ensureStateTable(client);
      await markStepRunning(client, planId(plan), 1, true);
      await client.query('ALTER TABLE users ADD COLUMN display_name text');
      const { log, text } = collectLog();
      const result = await applyPlan(client, plan, { step: 1, log, onProgress: false });
      expect(result.ran).toEqual([1]);
      expect(text()).toContain('an earlier run was interrupted after the change took effect (checkpoint holds); marking it done');
    });

    it('refuses to run while another runner applies the same plan', async () => {
      const db = await postgres.database();
      const client = await db.client();
      await client.query('CREATE TABLE users (id int PRIMARY KEY)');
      const plan = planOf(await engineInfo(client), [addColumnStep(1, 'display_name')]);
      const other = await db.client('other-runner');
      await other.query('SELECT pg_advisory_lock($1::int8)', [BigInt(`0x${planId(plan).slice(0, 15)}`).toString()]);
      const error = await rejection(applyPlan(client, plan, { log: () => {}, onProgress: false }));
      expect(error.exitCode).toBe(1);
      expect(error.message).toContain(`another liveshift run is applying plan ${planId(plan)}`);
    });

    it('rolls back in reverse order only, waits for the older release before undoing a deploy, and restores the original schema', async () => {
      const client = await usersDatabase();
      const before = await introspectPostgres(client);
      const plan = await threeStepPlan(client);
      await applyPlan(client, plan, { log: () => {}, onProgress: false, deployed: 'A+1' });
      const quiet = { log: () => {}, env: {} };

      const outOfOrder = await rejection(rollbackPlanStep(client, plan, 1, quiet));
      expect(outOfOrder.exitCode).toBe(2);
      expect(outOfOrder.message).toBe('step 1 cannot be rolled back yet: roll back steps 3, 2 first (rollbacks go in reverse order)');

      expect(await rollbackPlanStep(client, plan, 3, quiet)).toMatchObject({ rolledBack: true });
      const waiting = await rollbackPlanStep(client, plan, 2, { ...quiet, deployed: 'A+1' });
      expect(waiting).toMatchObject({ rolledBack: false, waitingFor: { step: 2, release: 'A', instruction: 'deploy the previous release back' } });
      expect(await rollbackPlanStep(client, plan, 2, { ...quiet, deployed: 'A' })).toMatchObject({ rolledBack: true });
      expect(await rollbackPlanStep(client, plan, 1, quiet)).toMatchObject({ rolledBack: true });
      expect(shape(await introspectPostgres(client))).toEqual(shape(before));

      const again = await rollbackPlanStep(client, plan, 1, quiet);
      expect(again).toMatchObject({ rolledBack: false, message: 'step 1 is not applied (already rolled back); nothing to roll back' });

      // rolled back steps run again from scratch
      const reapplied = await applyPlan(client, plan, { log: () => {}, onProgress: false, deployed: 'A+1' });
      expect(reapplied.ran).toEqual([1, 2, 3]);
    });

    it('refuses to roll back an irreversible step, saying why and what data would be lost; a step with nothing to undo says so', async () => {
      const client = await usersDatabase();
      const plan = planOf(await engineInfo(client), [
        ddlStep(1, 'public.users', ['ALTER TABLE "public"."users" ADD COLUMN "tmp" int'], {
          rollback: { kind: 'none', reason: 'a later step drops the column' },
        }),
        ddlStep(2, 'public.users', ['ALTER TABLE "public"."users" DROP COLUMN "full_name"'], {
          rollback: { kind: 'irreversible', reason: 'the column and its values are gone', dataLost: 'every value of users.full_name' },
        }),
      ]);
      await applyPlan(client, plan, { log: () => {}, onProgress: false });
      const error = await rejection(rollbackPlanStep(client, plan, 2, { log: () => {} }));
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain('step 2 (ddl 2) cannot be rolled back: the column and its values are gone');
      expect(error.message).toContain('data that would be lost: every value of users.full_name');

      const later = await rejection(rollbackPlanStep(client, plan, 1, { log: () => {} }));
      expect(later.message).toBe('step 1 cannot be rolled back yet: roll back step 2 first (rollbacks go in reverse order)');

      const onlyFirst = planOf(plan.engine, [{ ...plan.steps[0]!, sql: ['ALTER TABLE "public"."users" ADD COLUMN "tmp2" int'] }]);
      await applyPlan(client, onlyFirst, { log: () => {}, onProgress: false });
      const { log, text } = collectLog();
      expect(await rollbackPlanStep(client, onlyFirst, 1, { log })).toMatchObject({
        rolledBack: true,
        message: 'nothing to undo: a later step drops the column',
      });
      expect(text()).toBe('rollback of step 1 (ddl 1): nothing to undo: a later step drops the column');
    });
  });
}
