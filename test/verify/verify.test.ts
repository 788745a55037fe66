import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { planChange, type Plan } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { renderVerifyJson, renderVerifyText, verifyOnScratch, type VerifyOnScratchResult } from '@liveshift/verify';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { createUsersSource, scratchDatabasesLeft } from './source-database.js';

const ROWS = 3000;
/** The online recipe on a test-sized table, as for a large production one. */
const ONLINE = { smallTableBytes: 0, batchSize: 1000, pauseMs: 0 };

/** What every successful verification must show, whatever the change. */
function expectVerified(result: VerifyOnScratchResult, plan: Plan): void {
  expect(result.verdict.problems).toEqual([]);
  expect(result.completed).toBe(true);
  expect(result.summary.total.failed).toBe(0);
  expect(result.summary.total.queries).toBeGreaterThan(50);
  expect(result.steps.map((s) => s.n)).toEqual(plan.steps.map((s) => s.n));
  const ponr = plan.pointOfNoReturn?.step ?? Number.POSITIVE_INFINITY;
  for (const step of result.steps) {
    const planned = plan.steps[step.n - 1]!;
    const apply = step.phases.find((p) => p.phase === 'apply')!;
    expect(apply.ok, `step ${step.n} applied`).toBe(true);
    expect(apply.durationMs, `step ${step.n} timed`).toBeGreaterThan(0);
    // every step before the point of no return was rolled back, restored the schema, and re-applied
    if (step.n < ponr && planned.rollback.kind !== 'irreversible') {
      expect(step.rollback.ran, `step ${step.n} rolled back`).toBe(true);
      expect(step.rollback.restoredSchema, `step ${step.n} rollback restored the schema`).toBe(true);
      expect(step.phases.map((p) => [p.phase, p.ok])).toEqual([['apply', true], ['rollback', true], ['reapply', true]]);
    } else {
      expect(step.rollback.ran).toBe(false);
    }
    for (const c of step.checkpoints) expect(c.met, `step ${step.n} checkpoint after ${c.phase}: ${c.description}`).toBe(true);
    if (planned.checkpoint) expect(step.checkpoints.length).toBe(step.rollback.ran ? 2 : 1);
    // a lock claim of a step inside a transaction is read there, so it must be seen and hold
    if (planned.sql.length > 0 && planned.transactional) expect(step.lockClaim.verdict, `step ${step.n}: ${step.lockClaim.reasons.join('; ')}`).toBe('held');
    expect(step.lockClaim.verdict).not.toBe('violated');
  }
  expect(result.scratch.dropped).toBe(true);
}

/** The JSON report says what the terminal summary says. */
function expectJsonMatchesText(result: VerifyOnScratchResult): void {
  const text = renderVerifyText(result);
  const json = JSON.parse(renderVerifyJson(result)) as ReturnType<typeof import('@liveshift/verify').verifyReportData>;
  expect(json.ok).toBe(result.verdict.ok);
  expect(text).toContain(json.headline);
  expect(text).toContain(`${json.queries.total.failed} of ${json.queries.total.queries.toLocaleString('en-US')} application queries failed`);
  expect(json.steps.length).toBe(result.steps.length);
  for (const step of json.steps) {
    expect(text).toContain(`${step.n}. [${step.kind}, ${step.deploy}] ${step.title}`);
    expect(text).toMatch(new RegExp(`lock claim [^\\n]*: . ${step.lockClaim.verdict} `));
  }
  for (const w of json.windows) expect(text).toMatch(new RegExp(`\\n  ${w.label.replace('+', '\\+')} +[^\\n]* ${w.queries.toLocaleString('en-US')} +${w.failed} `));
  if (json.queries.longestStall?.window) expect(text).toContain(`during ${json.queries.longestStall.window}`);
}

// the oldest supported major and the newest
for (const major of pgMajorsAmong([11, 18])) {
  describe(`liveshift verify on PostgreSQL ${major}`, () => {
    const pgServer = withPostgres(major);

    it('rename with --sync app: every release of the application runs through the plan with 0 failed queries', async () => {
      const db = await pgServer.database();
      const source = await createUsersSource(db);
      const plan = await planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, source, { ...ONLINE, sync: 'app' });
      const result = await verifyOnScratch({ serverUrl: db.url, source, plan, rows: ROWS, baselineMs: 500 });

      expectVerified(result, plan);
      expectJsonMatchesText(result);
      // the application follows the plan: today's code, the dual-write release, the read switch
      expect(result.releases.map((r) => r.release)).toEqual(['A', 'A+1', 'A+2']);
      expect(result.releases[0]!.application).not.toContain('display_name');
      expect(result.releases[1]!.application).toMatch(/writes [^|]*full_name[^|]*display_name/);
      expect(result.releases[2]!.application).not.toContain('full_name');
      // the read-switch release kept working after full_name was dropped (the last step)
      const dropStep = plan.steps.find((s) => s.changes.some((c) => c.op === 'drop_column'))!;
      expect(dropStep.n).toBe(plan.steps.length);
      const dropped = result.windows.find((w) => w.label === `step ${dropStep.n}`)!;
      const afterDrop = result.records.filter((r) => r.release === 'A+2' && r.startedAtMs > dropped.endedAtMs);
      expect(afterDrop.length).toBeGreaterThan(10);
      expect(afterDrop.every((r) => r.ok)).toBe(true);
      // the application's own database was never touched
      const columns = await db.query<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
      expect(columns.rows.map((r) => r.attname)).toEqual(['id', 'full_name', 'email', 'created_at']);
      expect(await scratchDatabasesLeft(db)).toEqual([]);
    });

    it('add a NOT NULL column (backfilled) and create an index: 0 failed queries, each CONCURRENTLY lock seen and held', async () => {
      const db = await pgServer.database();
      const source = await createUsersSource(db);
      const plan = await planChange(
        { sql: "ALTER TABLE users ADD COLUMN nickname text NOT NULL; CREATE INDEX users_created_at_idx ON users (created_at)" },
        source,
        { ...ONLINE, backfill: "'anonymous'" },
      );
      const result = await verifyOnScratch({ serverUrl: db.url, source, plan, rows: ROWS, baselineMs: 500 });

      expectVerified(result, plan);
      expectJsonMatchesText(result);
      const indexStep = plan.steps.find((s) => s.changes.some((c) => c.op === 'add_index'))!;
      expect(indexStep.transactional).toBe(false);
      const checked = result.steps.find((s) => s.n === indexStep.n)!.lockClaim;
      expect(checked).toMatchObject({ verdict: 'held', method: 'sampled', observed: { 'public.users': 'SHARE UPDATE EXCLUSIVE' } });
      // once the release that writes nickname is live, the application sets it on every insert
      const writer = result.releases.find((r) => r.application.includes('nickname'));
      expect(writer?.deployedAtStep).not.toBeNull();
      expect(await scratchDatabasesLeft(db)).toEqual([]);
    });

    it('copies a table with the table its foreign key references (identity, uuid, enum, numeric, jsonb, date columns) and runs the application on it (a uuid key the database does not fill)', async () => {
      const db = await pgServer.database();
      const client = await db.client();
      await client.query(`CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped')`);
      await client.query(`CREATE TABLE users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, full_name varchar(100) NOT NULL, email text NOT NULL UNIQUE, meta jsonb)`);
      await client.query(`CREATE TABLE orders (
        id uuid PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id),
        total numeric(10,2) NOT NULL CHECK (total >= 0), status order_status NOT NULL DEFAULT 'new', placed_on date NOT NULL)`);
      const source = await introspectPostgres(client);
      const plan = await planChange({ sql: 'CREATE INDEX orders_user_idx ON orders (user_id)' }, source, ONLINE);
      const result = await verifyOnScratch({ serverUrl: db.url, source, plan, rows: ROWS, baselineMs: 500 });

      expectVerified(result, plan);
      expect(result.scratch.tables).toEqual(['public.users', 'public.orders']);
      // inserts set the NOT NULL foreign key from rows that exist, so the database accepted them
      const inserts = result.records.filter((r) => r.table === 'public.orders' && r.kind === 'insert');
      expect(inserts.length).toBeGreaterThan(10);
      expect(inserts.every((r) => r.ok)).toBe(true);
      expect(await scratchDatabasesLeft(db)).toEqual([]);
    });

    it('a unique index the plan builds accepts the synthesised rows and every value the application writes meanwhile', async () => {
      const db = await pgServer.database();
      const client = await db.client();
      await client.query(`CREATE TABLE users (id bigserial PRIMARY KEY, full_name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), external_id integer)`);
      const source = await introspectPostgres(client);
      const plan = await planChange({ sql: 'CREATE UNIQUE INDEX users_created_at_key ON users (created_at); CREATE UNIQUE INDEX users_external_id_key ON users (external_id)' }, source, ONLINE);
      const result = await verifyOnScratch({ serverUrl: db.url, source, plan, rows: 40_000, baselineMs: 500 });
      expectVerified(result, plan);
      expect(result.records.filter((r) => r.kind !== 'read').length).toBeGreaterThan(50);
    });

    it('--copy-rows: real rows of the source, referencing rows only where the referenced row was copied, then the plan backfills the real NULLs', async () => {
      const db = await pgServer.database();
      const client = await db.client();
      await client.query(`CREATE TABLE users (id bigserial PRIMARY KEY, full_name text NOT NULL)`);
      await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), note text)`);
      // orders spread over all users; every tenth has no note
      await client.query(`INSERT INTO users (full_name) SELECT 'user ' || g FROM generate_series(1, 1000) g`);
      await client.query(`INSERT INTO orders (user_id, note) SELECT 1 + (g * 7) % 1000, CASE WHEN g % 10 = 0 THEN NULL ELSE 'order ' || g END FROM generate_series(1, 2000) g`);
      await client.query('ANALYZE users; ANALYZE orders');
      // what a copy of 500 rows must hold: the first 500 users by key, then the first 500 orders of those users
      const expected = (await client.query<{ id: string; user_id: string; note: string | null }>(`SELECT id::text, user_id::text, note FROM orders WHERE user_id <= 500 ORDER BY orders.id LIMIT 500`)).rows;
      expect(expected.filter((o) => o.note === null).length).toBeGreaterThan(0);
      const source = await introspectPostgres(client);
      const plan = await planChange({ sql: 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL' }, source, { ...ONLINE, backfill: "'none'" });

      let users: string[] = [];
      let orders: { id: string; user_id: string; note: string | null }[] = [];
      const result = await verifyOnScratch({
        serverUrl: db.url,
        source,
        plan,
        rows: 500,
        copyRowsFrom: db.url,
        baselineMs: 300,
        beforePhase: async (step, phase, { url }) => {
          if (step.n !== 1 || phase !== 'apply') return;
          const scratch = new pg.Client({ connectionString: url });
          await scratch.connect();
          try {
            // the sequences were moved past the copied keys, so rows the workload inserted come after them
            users = (await scratch.query<{ id: string }>(`SELECT id::text FROM users ORDER BY users.id`)).rows.map((r) => r.id);
            orders = (await scratch.query(`SELECT id::text, user_id::text, note FROM orders WHERE orders.id <= $1 ORDER BY orders.id`, [expected[expected.length - 1]!.id])).rows;
          } finally {
            await scratch.end();
          }
        },
      });

      expectVerified(result, plan);
      expect(result.scratch).toMatchObject({ rowSource: 'copied', tables: ['public.users', 'public.orders'] });
      expect(users).toEqual(Array.from({ length: 500 }, (_, i) => String(i + 1)));
      // the copied orders, each as in the source unless the workload has updated its note since
      expect(orders.map((o) => [o.id, o.user_id])).toEqual(expected.map((o) => [o.id, o.user_id]));
      orders.forEach((o, i) => expect(o.note === expected[i]!.note || /^v\d+$/.test(o.note ?? '')).toBe(true));
      expect(orders.filter((o) => o.note === null).length).toBeGreaterThan(0);
      expect(await scratchDatabasesLeft(db)).toEqual([]);
    });

    it('a CHECK synthesised values cannot meet: seeding says so and points to --copy-rows; copied, the application writes values that pass it', async () => {
      const db = await pgServer.database();
      const client = await db.client();
      await client.query(`CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE CHECK (email LIKE '%@%'), plan text NOT NULL CHECK (plan IN ('free', 'pro')))`);
      await client.query(`INSERT INTO accounts (email, plan) SELECT 'a' || g || '@example.com', CASE WHEN g % 3 = 0 THEN 'pro' ELSE 'free' END FROM generate_series(1, 2000) g`);
      const source = await introspectPostgres(client);
      const plan = await planChange({ sql: 'CREATE INDEX accounts_plan_idx ON accounts (plan)' }, source, ONLINE);

      await expect(verifyOnScratch({ serverUrl: db.url, source, plan, rows: 500, baselineMs: 200 })).rejects.toThrow(
        /cannot seed 500 synthesised rows into public\.accounts: .*violates check constraint.*copy real rows instead with --copy-rows/,
      );
      expect(await scratchDatabasesLeft(db)).toEqual([]);

      const result = await verifyOnScratch({ serverUrl: db.url, source, plan, rows: 500, copyRowsFrom: db.url, baselineMs: 300 });
      expectVerified(result, plan);
      expect(result.records.filter((r) => r.kind !== 'read' && r.ok).length).toBeGreaterThan(20);
      expect(await scratchDatabasesLeft(db)).toEqual([]);
    });

    it('a long transaction in front of the DDL: the application queues behind it and its queries time out, reported as failed in that step', async () => {
      const db = await pgServer.database();
      const source = await createUsersSource(db);
      const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN score integer' }, source, { ...ONLINE, lockTimeoutMs: 5000 });
      expect(plan.steps[0]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', blocksReads: true });
      let blocker: pg.Client | undefined;
      let released: Promise<void> | undefined;
      const result = await verifyOnScratch({
        serverUrl: db.url,
        source,
        plan,
        rows: ROWS,
        baselineMs: 500,
        queryTimeoutMs: 400,
        // a report someone left running: it holds ACCESS SHARE on users for 1.5 s
        beforePhase: async (step, phase, { url }) => {
          if (step.n !== 1 || phase !== 'apply') return;
          blocker = new pg.Client({ connectionString: url, application_name: 'long-report' });
          await blocker.connect();
          await blocker.query('BEGIN');
          await blocker.query('SELECT count(*) FROM users');
          released = new Promise((resolve) => setTimeout(() => void blocker!.query('ROLLBACK').then(() => blocker!.end()).then(resolve), 1500));
        },
      });
      await released;

      expect(result.verdict.ok).toBe(false);
      expect(result.completed).toBe(true);
      expect(result.summary.total.failed).toBeGreaterThan(0);
      const timeouts = result.summary.failures.find((f) => /statement timeout/.test(f.message));
      expect(timeouts?.windows).toContain('step 1');
      expect(result.summary.longestStall).toMatchObject({ step: 1, window: 'step 1' });
      expect(result.summary.longestStall!.latencyMs).toBeGreaterThanOrEqual(350);
      // the monitor saw the application wait for a table lock behind the plan's session
      expect(result.lockWaits.some((w) => w.role === 'workload' && w.blockedByPlan && w.waitEvent === 'relation')).toBe(true);
      // the step claims to block reads and writes, so its claim held; the failures are what fails the run
      expect(result.steps[0]!.lockClaim.verdict).toBe('held');
      expect(result.verdict.problems.join('\n')).toMatch(/application queries failed/);
      expect(renderVerifyText(result)).toMatch(/^FAILED: \d+ of [\d,]+ application queries failed/m);
      expect(await scratchDatabasesLeft(db)).toEqual([]);
    });

    it('a lock claim weaker than the lock the step takes is reported as not holding', async () => {
      const db = await pgServer.database();
      const source = await createUsersSource(db);
      const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN score integer' }, source, ONLINE);
      // a planner bug: the step says it takes ROW EXCLUSIVE and blocks nobody; ADD COLUMN takes ACCESS EXCLUSIVE
      const wrong: Plan = structuredClone(plan);
      wrong.steps[0]!.lock = { ...wrong.steps[0]!.lock, mode: 'ROW EXCLUSIVE', blocksReads: false, blocksWrites: false };
      // a reader holds the table for 300 ms, so the ALTER queues and the application queues behind it
      let released: Promise<void> | undefined;
      const result = await verifyOnScratch({
        serverUrl: db.url,
        source,
        plan: wrong,
        rows: ROWS,
        baselineMs: 300,
        rollbacks: false,
        beforePhase: async (step, phase, { url }) => {
          if (step.n !== 1 || phase !== 'apply') return;
          const reader = new pg.Client({ connectionString: url, application_name: 'reader' });
          await reader.connect();
          await reader.query('BEGIN');
          await reader.query('SELECT count(*) FROM users');
          released = new Promise((resolve) => setTimeout(() => void reader.query('COMMIT').then(() => reader.end()).then(resolve), 300));
        },
      });
      await released;

      expect(result.summary.total.failed).toBe(0);
      const claim = result.steps[0]!.lockClaim;
      expect(claim).toMatchObject({ verdict: 'violated', method: 'in-transaction', observed: { 'public.users': 'ACCESS EXCLUSIVE' } });
      expect(claim.reasons[0]).toBe('took ACCESS EXCLUSIVE on public.users; the plan claims ROW EXCLUSIVE');
      // and the application felt it: its queries (whichever each session was running) waited for the step's table lock
      const felt = claim.reasons.slice(1);
      expect(felt.length).toBeGreaterThan(0);
      for (const reason of felt) expect(reason).toMatch(/^\d+ application (read|write)\(s\) waited for this step's table lock; the plan claims (reads|writes) are not blocked$/);
      expect(result.verdict.ok).toBe(false);
      expect(result.verdict.problems[0]).toMatch(/^step 1: lock claim did not hold: took ACCESS EXCLUSIVE on public.users; the plan claims ROW EXCLUSIVE; /);
      expect(JSON.parse(renderVerifyJson(result)).ok).toBe(false);
    });

    it('the scratch database is dropped when the run fails half-way', async () => {
      const db = await pgServer.database();
      const source = await createUsersSource(db);
      const plan = await planChange({ sql: 'CREATE UNIQUE INDEX users_created_at_key ON users (created_at)' }, source, ONLINE);
      // every synthesised row has its own created_at, so make two equal before the step: the unique build fails
      const result = await verifyOnScratch({
        serverUrl: db.url,
        source,
        plan,
        rows: ROWS,
        baselineMs: 300,
        beforePhase: async (step, phase, { url }) => {
          if (phase !== 'apply') return;
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          await c.query(`UPDATE users SET created_at = (SELECT created_at FROM users ORDER BY id LIMIT 1) WHERE id = (SELECT max(id) FROM users)`);
          await c.end();
        },
      });
      expect(result.completed).toBe(false);
      expect(result.error).toMatchObject({ step: 1, phase: 'apply' });
      expect(result.verdict.ok).toBe(false);
      expect(result.scratch.dropped).toBe(true);
      expect(await scratchDatabasesLeft(db)).toEqual([]);
      // the source schema was read, not changed
      expect((await introspectPostgres(await db.client())).tables[0]!.indexes.map((i) => i.name).sort()).toEqual(['users_email_key', 'users_pkey']);
    });
  });
}
