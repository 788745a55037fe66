import path from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { liveshift } from '../cli/run-cli.js';
import { ordersApplication, plainApplication, uniqueEmailApplication } from '../support/plan-under-traffic.js';
import { withPostgres, type TestDatabase } from '../support/postgres.js';
import { renameApplication } from '../support/rename-application.js';
import { namesById, seededOrdersChecksum, seedOrders, seedUsers, SEED_ROWS } from '../support/seed.js';
import { runNode, TEST_DIR } from '../support/scratch-project.js';
import { stopExpectingNoFailures, Workload, type WorkloadQuery } from '../support/workload.js';
import { driveWithKnex, knexProject, migrationFiles, type KnexProjectStyle } from './knex-project.js';

/**
 * `liveshift knex make` output run by the real knex CLI (migrate:up / down / latest / rollback)
 * against PostgreSQL 18 while an application workload runs; see driveWithKnex for what is checked.
 */

const TSC = path.join(TEST_DIR, '..', 'node_modules', 'typescript', 'bin', 'tsc');

// the full online recipe on a test-sized table (not the small-table shortcut), with room for the workload's row locks
const PLANNING = ['--batch-size', '3000', '--lock-timeout', '5000', '--small-table-bytes', '0'];

async function userColumns(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped`);
  return rows.map((r) => r.attname);
}

describe('knex migrations on PostgreSQL 18', () => {
  const pg = withPostgres(18);

  async function setUp(moduleSystem: KnexProjectStyle, change: string[], application: (release: number) => WorkloadQuery[]) {
    const db = await pg.database();
    await seedUsers(await db.client());
    return setUpProject(db, moduleSystem, change, application);
  }

  async function setUpProject(db: TestDatabase, moduleSystem: KnexProjectStyle, change: string[], application: (release: number) => WorkloadQuery[]) {
    const client = await db.client();
    const project = knexProject(db.url, moduleSystem);
    const made = await liveshift(['knex', 'make', ...change, ...PLANNING], { cwd: project.dir, env: project.env });
    expect(made.code, made.stderr).toBe(0);
    const workload = new Workload(db.url, application, () => SEED_ROWS);
    await workload.start();
    return { db, client, project, workload, made };
  }

  it('rename column (CommonJS project): six files, up and down one at a time, latest release by release, nothing past the point of no return', async () => {
    const { client, project, workload, made } = await setUp('cjs', ['ALTER TABLE users RENAME COLUMN full_name TO display_name'], renameApplication('app'));
    const original = await namesById(client);
    expect(made.stderr).toContain('wrote 6 migrations (one per plan step)');
    expect(migrationFiles(project)[0]).toMatch(/^\d{14}_rename_column_users_full_name_display_name_01_add_column_display_name/);
    // at every point: full_name keeps every seeded value while it exists; display_name is empty or equal to it
    const dataHolds = async (after: string) => {
      const columns = await userColumns(client);
      if (columns.includes('full_name')) expect(await namesById(client), `full_name after ${after}`).toEqual(original);
      if (columns.includes('display_name')) {
        for (const [id, name] of await namesById(client, 'display_name')) {
          if (name !== null || !columns.includes('full_name')) expect(name, `display_name of row ${id} after ${after}`).toBe(original.get(id));
        }
      }
    };
    try {
      const { plan } = await driveWithKnex({ project, client, workload, dataHolds });
      expect(plan.pointOfNoReturn?.step).toBe(6);
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
    expect(await namesById(client, 'display_name')).toEqual(original);
  });

  it('add a NOT NULL column with a backfill (ES modules project)', async () => {
    const withLocale = (release: number): WorkloadQuery[] =>
      release === 0
        ? plainApplication
        : [plainApplication[0]!, plainApplication[1]!, { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name, email, locale) VALUES ('newcomer', 'n@example.com', 'fr')`, values: [] }) }];
    const { client, project, workload } = await setUp('esm', ['ALTER TABLE users ADD COLUMN locale text NOT NULL', '--backfill', "'en'"], withLocale);
    const everySeededRowHasTheBackfill = async () => {
      const { rows } = await client.query(
        `SELECT count(*) FILTER (WHERE locale = 'en')::int AS en, count(*) FILTER (WHERE locale IS NULL)::int AS missing FROM users WHERE id <= $1`,
        [SEED_ROWS],
      );
      expect(rows[0]).toEqual({ en: SEED_ROWS, missing: 0 });
    };
    const original = await namesById(client);
    const dataHolds = async (after: string) => {
      expect(await namesById(client), `full_name after ${after}`).toEqual(original);
      if ((await userColumns(client)).includes('locale')) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM users WHERE id <= $1 AND locale IS DISTINCT FROM 'en' AND locale IS NOT NULL`, [SEED_ROWS]);
        expect(rows[0].n, `seeded rows with a locale other than the backfill after ${after}`).toBe(0);
      }
    };
    try {
      await driveWithKnex({ project, client, workload, whenApplied: everySeededRowHasTheBackfill, dataHolds });
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });

  it('add a foreign key: NOT VALID, then VALIDATE in its own migration (CommonJS project)', async () => {
    const db = await pg.database();
    const seed = await db.client();
    await seedUsers(seed);
    await seedOrders(seed);
    const { client, project, workload } = await setUpProject(db, 'cjs', ['ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)'], () => ordersApplication);
    const seededOrders = await seededOrdersChecksum(client);
    const dataHolds = async (after: string) => expect(await seededOrdersChecksum(client), `seeded orders after ${after}`).toEqual(seededOrders);
    try {
      const { plan } = await driveWithKnex({ project, client, workload, dataHolds });
      expect(plan.steps.map((s) => s.sql.join(' '))).toEqual([expect.stringContaining('NOT VALID'), expect.stringContaining('VALIDATE CONSTRAINT')]);
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });

  it('TypeScript migrations (a knexfile.ts, run with tsx): a plain index built concurrently, type-checked files', async () => {
    const { client, project, workload } = await setUp('ts', ['CREATE INDEX users_email_idx ON users (email)'], () => plainApplication);
    expect(migrationFiles(project).every((f) => f.endsWith('.ts'))).toBe(true);
    // the emitted files (migrations and the typed plan module) pass a strict type-check
    project.write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['migrations/**/*.ts'] }));
    const typecheck = await runNode([TSC, '-p', '.'], { cwd: project.dir });
    expect(typecheck.code, typecheck.stdout + typecheck.stderr).toBe(0);
    try {
      await driveWithKnex({ project, client, workload });
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });

  it('create a unique index concurrently (CommonJS project)', async () => {
    const { client, project, workload } = await setUp('cjs', ['CREATE UNIQUE INDEX users_email_key ON users (email)'], () => uniqueEmailApplication);
    const original = await namesById(client);
    const dataHolds = async (after: string) => expect(await namesById(client), `full_name after ${after}`).toEqual(original);
    try {
      const { plan } = await driveWithKnex({ project, client, workload, dataHolds });
      expect(plan.steps.some((s) => !s.transactional && s.sql.some((q) => q.includes('CONCURRENTLY')))).toBe(true);
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });
});
