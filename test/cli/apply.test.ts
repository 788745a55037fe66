import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlanJson, type SchemaSnapshot } from '@liveshift/core';
import type { EmbeddedPostgres } from '@liveshift/runtime';
import { RENAME_PLAN, RENAME_SQL, liveshift, scratchDir, startPostgres18, withPassword } from './run-cli.js';

/**
 * snapshot, plan --db and apply against a real PostgreSQL 18. The password in --db must never be
 * printed (the embedded server trusts local connections, so any password connects).
 */

const PASSWORD = 'Sup3rS3cret-pw';
const dir = scratchDir();
let server: EmbeddedPostgres;
let admin: pg.Client;

async function database(name: string, rows = 2000): Promise<string> {
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  await c.query(`CREATE TABLE users (id bigserial PRIMARY KEY, full_name text NOT NULL, email text, created_at timestamptz NOT NULL DEFAULT now())`);
  await c.query(`INSERT INTO users (full_name, email) SELECT 'User ' || g, 'user' || g || '@example.com' FROM generate_series(1, $1::int) g`, [rows]);
  await c.query('ANALYZE users');
  await c.end();
  return withPassword(url.toString(), PASSWORD);
}

async function columns(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ attname: string }>(
      `SELECT attname FROM pg_attribute WHERE attrelid = 'public.users'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    );
    return rows.map((r) => r.attname);
  } finally {
    await c.end();
  }
}

function expectNoPassword(r: { stdout: string; stderr: string }): void {
  expect(`${r.stdout}${r.stderr}`).not.toContain(PASSWORD);
}

beforeAll(async () => {
  server = await startPostgres18();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
});

afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

describe('liveshift snapshot --db', () => {
  it('prints the schema as JSON on stdout, without the password', async () => {
    const url = await database('snap');
    const r = await liveshift(['snapshot', '--db', url]);
    expect(r.code).toBe(0);
    expectNoPassword(r);
    const snapshot = JSON.parse(r.stdout) as SchemaSnapshot;
    expect(snapshot.format).toBe('liveshift.snapshot');
    expect(snapshot.engine.version).toMatch(/^18\./);
    const users = snapshot.tables.find((t) => t.schema === 'public' && t.name === 'users');
    expect(users?.columns.map((c) => c.name)).toEqual(['id', 'full_name', 'email', 'created_at']);
    expect(r.stderr).toContain(`reading the schema from ${url.replace(PASSWORD, '***')}`);

    const out = path.join(dir, 'schema.json');
    const w = await liveshift(['snapshot', '--db', url, '--out', out]);
    expect(w.code).toBe(0);
    expect(w.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).not.toContain(PASSWORD);
    expect(JSON.parse(readFileSync(out, 'utf8')).tables).toHaveLength(1);
  });
});

describe('liveshift plan --db', () => {
  it('plans against the live schema', async () => {
    const url = await database('planning');
    const r = await liveshift(['plan', RENAME_SQL, '--db', url, '--format', 'json']);
    expectNoPassword(r);
    expect(r.code).toBe(0);
    const plan = parsePlanJson(r.stdout);
    expect(plan.engine.version).toMatch(/^18\./);
    expect(plan.pointOfNoReturn).not.toBeNull();
  });
});

describe('liveshift apply (the hand-written 6-step rename plan)', () => {
  let url: string;
  beforeAll(async () => {
    url = await database('applying');
  });

  it('refuses bad requests with exit 2', async () => {
    const none = await liveshift(['apply', RENAME_PLAN, '--db', url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('say which steps to run: --step <n>, --through <n>, --all, or --rollback <n>');
    const two = await liveshift(['apply', RENAME_PLAN, '--db', url, '--step', '1', '--all']);
    expect(two.code).toBe(2);
    const range = await liveshift(['apply', RENAME_PLAN, '--db', url, '--step', '9']);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('--step 9: the plan has steps 1 to 6');
    const release = await liveshift(['apply', RENAME_PLAN, '--db', url, '--step', '1', '--deployed', 'B']);
    expect(release.code).toBe(2);
    expect(release.stderr).toContain('expected a release name: A, A+1, A+2, ...');
    const noDb = await liveshift(['apply', RENAME_PLAN, '--step', '1']);
    expect(noDb.code).toBe(2);
    const outOfOrder = await liveshift(['apply', RENAME_PLAN, '--db', url, '--step', '3', '--deployed', 'A+1']);
    expect(outOfOrder.code).toBe(2);
    expectNoPassword(outOfOrder);
  });

  it('rejects an invalid plan file naming the field', async () => {
    const plan = JSON.parse(readFileSync(RENAME_PLAN, 'utf8'));
    plan.steps[0].lock.mode = 'VERY EXCLUSIVE';
    const bad = path.join(dir, 'bad-plan.json');
    writeFileSync(bad, JSON.stringify(plan));
    const r = await liveshift(['apply', bad, '--db', url, '--step', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`liveshift: ${bad} is not a valid plan`);
    expect(r.stderr).toContain('steps[0].lock.mode:');
  });

  it('refuses a plan that breaks an invariant before touching the database', async () => {
    const plan = JSON.parse(readFileSync(RENAME_PLAN, 'utf8'));
    plan.steps[0].sql = ['CREATE INDEX CONCURRENTLY users_email_idx ON public.users (email)'];
    const bad = path.join(dir, 'non-transactional-plan.json');
    writeFileSync(bad, JSON.stringify(plan));
    const r = await liveshift(['apply', bad, '--db', url, '--step', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`liveshift: ${bad} breaks the plan invariants:`);
    expect(r.stderr).toContain('cannot run in a transaction but the step is transactional');
  });

  it('--step 1 adds the column; running it again is a no-op that says so', async () => {
    const r = await liveshift(['apply', RENAME_PLAN, '--db', url, '--step', '1']);
    expectNoPassword(r);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('ran step 1');
    expect(await columns(url)).toContain('display_name');
    const again = await liveshift(['apply', RENAME_PLAN, '--db', url, '--step', '1']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('step 1 already done');
  });

  it('--through 4 stops with exit 3 at the application step and says how to confirm the release', async () => {
    const r = await liveshift(['apply', RENAME_PLAN, '--db', url, '--through', '4']);
    expectNoPassword(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Write both full_name and display_name on every insert and update');
    expect(r.stderr).toContain(`liveshift apply ${RENAME_PLAN} --db ${url.replace(PASSWORD, '***')} --through 4 --deployed A+1`);
  });

  it('LIVESHIFT_DEPLOYED=A+1 confirms the release: the backfill and the parity check run', async () => {
    const r = await liveshift(['apply', RENAME_PLAN, '--db', url, '--through', '4'], { env: { LIVESHIFT_DEPLOYED: 'A+1' } });
    expectNoPassword(r);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('ran steps 2, 3, 4');
    expect(r.stderr).toContain('step 1 already done');
  });

  it('rollbacks go in reverse order', async () => {
    const r = await liveshift(['apply', RENAME_PLAN, '--db', url, '--rollback', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^liveshift: step 1 cannot be rolled back yet/);
  });

  it('--all with release A+2 confirmed stops before the drop, which belongs to A+3', async () => {
    const r = await liveshift(['apply', RENAME_PLAN, '--db', url, '--all', '--deployed', 'A+2']);
    expectNoPassword(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--all --deployed A+3');
    expect(await columns(url)).toContain('full_name');
  });

  it('--all with A+3 confirmed finishes the plan', async () => {
    const r = await liveshift(['apply', RENAME_PLAN, '--db', url, '--all', '--deployed', 'A+3']);
    expectNoPassword(r);
    expect(r.code).toBe(0);
    expect(await columns(url)).toEqual(['id', 'email', 'created_at', 'display_name']);
  });
});

describe('liveshift apply --rollback', () => {
  it('undoes step 1', async () => {
    const url = await database('rolling');
    expect((await liveshift(['apply', RENAME_PLAN, '--db', url, '--step', '1'])).code).toBe(0);
    expect(await columns(url)).toContain('display_name');
    const r = await liveshift(['apply', RENAME_PLAN, '--db', url, '--rollback', '1']);
    expectNoPassword(r);
    expect(r.code).toBe(0);
    expect(await columns(url)).toEqual(['id', 'full_name', 'email', 'created_at']);
  });
});
