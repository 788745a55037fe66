import path from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { liveshift } from '../cli/run-cli.js';
import { ordersApplication, plainApplication } from '../support/plan-under-traffic.js';
import { withPostgres, type TestDatabase } from '../support/postgres.js';
import { renameApplication } from '../support/rename-application.js';
import { namesById, seededOrdersChecksum, seedOrders, seedUsers, SEED_ROWS } from '../support/seed.js';
import { runNode, TEST_DIR } from '../support/scratch-project.js';
import { stopExpectingNoFailures, Workload, type WorkloadQuery } from '../support/workload.js';
import { driveWithTypeorm, migrationFiles, output, typeorm, typeormProject, type DataSourceSettings, type TypeormProjectStyle } from './typeorm-project.js';

/**
 * `liveshift typeorm make` / `generate` output run by the real TypeORM CLI (migration:run /
 * revert / show) against PostgreSQL 18 while an application workload runs; see driveWithTypeorm
 * for what is checked after every command.
 */

const TSC = path.join(TEST_DIR, '..', 'node_modules', 'typescript', 'bin', 'tsc');

// the full online recipe on a test-sized table (not the small-table shortcut), with room for the workload's row locks
const PLANNING = ['--batch-size', '3000', '--lock-timeout', '5000', '--small-table-bytes', '0'];

async function userColumns(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped`);
  return rows.map((r) => r.attname);
}

/** The application once it writes users.locale (release A+1 of the locale change). */
const withLocale = (release: number): WorkloadQuery[] =>
  release === 0
    ? plainApplication
    : [plainApplication[0]!, plainApplication[1]!, { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name, email, locale) VALUES ('newcomer', 'n@example.com', 'fr')`, values: [] }) }];

describe('TypeORM migrations on PostgreSQL 18', () => {
  const pg = withPostgres(18);

  async function setUpProject(db: TestDatabase, style: TypeormProjectStyle, command: string[], application: (release: number) => WorkloadQuery[], settings?: DataSourceSettings) {
    const client = await db.client();
    const project = typeormProject(db.url, style, settings);
    const made = await liveshift(['typeorm', ...command, '-d', project.dataSource, ...PLANNING], { cwd: project.dir, env: project.env });
    expect(made.code, made.stderr).toBe(0);
    const workload = new Workload(db.url, application, () => SEED_ROWS);
    await workload.start();
    return { db, client, project, workload, made };
  }

  async function setUp(style: TypeormProjectStyle, change: string[], application: (release: number) => WorkloadQuery[]) {
    const db = await pg.database();
    await seedUsers(await db.client());
    return setUpProject(db, style, ['make', ...change], application);
  }

  it('rename column (CommonJS project): six classes, run and reverted one at a time, run release by release, nothing reverted past the point of no return', async () => {
    const { client, project, workload, made } = await setUp('cjs', ['ALTER TABLE users RENAME COLUMN full_name TO display_name'], renameApplication('app'));
    const original = await namesById(client);
    expect(made.stderr).toContain('wrote 6 migrations (one per plan step)');
    expect(migrationFiles(project)[0]).toMatch(/^\d{13}-RenameColumnUsersFullNameDisplayName01AddColumnDisplayName\w*\.js$/);
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
      const { plan } = await driveWithTypeorm({ project, client, workload, dataHolds });
      expect(plan.pointOfNoReturn?.step).toBe(6);
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
    expect(await namesById(client, 'display_name')).toEqual(original);
  });

  it('add a NOT NULL column with a backfill (ES modules project)', async () => {
    const { client, project, workload } = await setUp('esm', ['ALTER TABLE users ADD COLUMN locale text NOT NULL', '--backfill', "'en'"], withLocale);
    const original = await namesById(client);
    const everySeededRowHasTheBackfill = async () => {
      const { rows } = await client.query(`SELECT count(*) FILTER (WHERE locale = 'en')::int AS en, count(*) FILTER (WHERE locale IS NULL)::int AS missing FROM users WHERE id <= $1`, [SEED_ROWS]);
      expect(rows[0]).toEqual({ en: SEED_ROWS, missing: 0 });
    };
    const dataHolds = async (after: string) => {
      expect(await namesById(client), `full_name after ${after}`).toEqual(original);
      if ((await userColumns(client)).includes('locale')) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM users WHERE id <= $1 AND locale IS DISTINCT FROM 'en' AND locale IS NOT NULL`, [SEED_ROWS]);
        expect(rows[0].n, `seeded rows with a locale other than the backfill after ${after}`).toBe(0);
      }
    };
    try {
      await driveWithTypeorm({ project, client, workload, whenApplied: everySeededRowHasTheBackfill, dataHolds });
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });

  it('create an index concurrently (TypeScript project run with tsx): type-checked classes, CONCURRENTLY outside any transaction both ways', async () => {
    const { client, project, workload } = await setUp('ts', ['CREATE INDEX users_email_idx ON users (email)'], () => plainApplication);
    expect(migrationFiles(project).every((f) => f.endsWith('.ts'))).toBe(true);
    project.write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['migrations/**/*.ts'] }));
    const typecheck = await runNode([TSC, '-p', '.'], { cwd: project.dir });
    expect(typecheck.code, typecheck.stdout + typecheck.stderr).toBe(0);
    const original = await namesById(client);
    try {
      const { plan } = await driveWithTypeorm({ project, client, workload, dataHolds: async (after) => expect(await namesById(client), `full_name after ${after}`).toEqual(original) });
      expect(plan.steps.some((s) => !s.transactional && s.sql.some((q) => q.includes('CONCURRENTLY')))).toBe(true);
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });

  it('add a foreign key: NOT VALID, then VALIDATE in its own class (CommonJS project)', async () => {
    const db = await pg.database();
    const seed = await db.client();
    await seedUsers(seed);
    await seedOrders(seed);
    const { client, project, workload } = await setUpProject(db, 'cjs', ['make', 'ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)'], () => ordersApplication);
    const seededOrders = await seededOrdersChecksum(client);
    try {
      const { plan } = await driveWithTypeorm({ project, client, workload, dataHolds: async (after) => expect(await seededOrdersChecksum(client), `seeded orders after ${after}`).toEqual(seededOrders) });
      expect(plan.steps.map((s) => s.sql.join(' '))).toEqual([expect.stringContaining('NOT VALID'), expect.stringContaining('VALIDATE CONSTRAINT')]);
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });

  it('liveshift typeorm generate: an entity gains a NOT NULL column and an index; the safe classes leave the database equal to the entities', async () => {
    const db = await pg.database();
    await seedUsers(await db.client());
    // the users entity as the seeded table is, plus locale (NOT NULL) and an index on email
    const entities: DataSourceSettings['entities'] = {
      declarations: `const User = new EntitySchema({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    full_name: { type: 'text', nullable: true },
    email: { type: 'text', nullable: true },
    created_at: { type: 'timestamptz', createDate: true },
    locale: { type: 'text', nullable: false },
  },
  indices: [{ name: 'users_email_idx', columns: ['email'] }],
});\n`,
      list: '[User]',
    };
    const { client, project, workload, made } = await setUpProject(db, 'esm', ['generate', 'AddUserLocale', '--backfill', "'en'"], withLocale, { transactionMode: 'each', entities });
    expect(made.stderr).toContain(`ALTER TABLE "users" ADD "locale" text NOT NULL;`);
    expect(made.stderr).toMatch(/CREATE INDEX "users_email_idx" ON "users"\s+\("email"\);/);
    expect(migrationFiles(project)[0]).toMatch(/^\d{13}-AddUserLocale01AddColumnLocale\w*\.js$/);
    // TypeORM's own check: does the database match the entities?
    const entitiesMatch = async () => {
      const check = await typeorm(project, 'migration:generate', ['migrations/Check', '--check']);
      return { code: check.code, text: output(check) };
    };
    expect((await entitiesMatch()).code, 'before the plan the entities differ from the database').toBe(1);
    const original = await namesById(client);
    try {
      const { plan } = await driveWithTypeorm({
        project,
        client,
        workload,
        dataHolds: async (after) => expect(await namesById(client), `full_name after ${after}`).toEqual(original),
        whenApplied: async () => {
          const match = await entitiesMatch();
          expect(match.code, match.text).toBe(0);
          expect(match.text).toContain('No changes in database schema were found');
        },
        // every step reverted: the entity change is pending again
        whenDone: async () => expect((await entitiesMatch()).code).toBe(1),
      });
      expect(plan.intents.map((i) => i.kind)).toEqual(['add_column', 'create_index']);
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });
});
