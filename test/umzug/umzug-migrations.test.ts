import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withPassword } from '../cli/run-cli.js';
import { plainApplication, uniqueEmailApplication } from '../support/plan-under-traffic.js';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { renameApplication } from '../support/rename-application.js';
import { namesById, seedUsers, SEED_ROWS } from '../support/seed.js';
import { stopExpectingNoFailures, Workload, type WorkloadQuery } from '../support/workload.js';
import { driveWithUmzug, make, migrate, migrationNames, output, typeCheck, umzugProject } from './umzug-project.js';

/**
 * `liveshift umzug make` output run by Umzug's own CLI (the emitted migrate.js / migrate.ts:
 * up --step 1, down --step 1, up, down --to 0, pending/executed --json) against real PostgreSQL
 * while an application workload runs; see driveWithUmzug for what is checked after each command.
 */

// the full online recipe on a test-sized table (not the small-table shortcut), with room for the workload's row locks
const PLANNING = ['--batch-size', '3000', '--lock-timeout', '5000', '--small-table-bytes', '0'];
const RENAME = 'ALTER TABLE users RENAME COLUMN full_name TO display_name';
const PASSWORD = 'pw-never-printed';

for (const major of pgMajorsAmong([12, 18])) {
  describe(`umzug migrations on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    async function setUp(options: { moduleSystem: 'cjs' | 'esm'; language?: 'js' | 'ts' }, change: string[], application: (release: number) => WorkloadQuery[]) {
      const db = await pg.database();
      const client = await db.client();
      await seedUsers(client);
      // the embedded server trusts local connections: any password works, and none may be printed
      const project = umzugProject(withPassword(db.url, PASSWORD), options);
      const made = await make(project, [...change, ...PLANNING]);
      expect(made.code, made.stderr).toBe(0);
      const workload = new Workload(db.url, application, () => SEED_ROWS);
      await workload.start();
      return { client, project, workload, made };
    }

    it('rename column --sync app (ES modules): six modules and a migrator; up and down one at a time, up release by release, nothing back past the point of no return', async () => {
      const { client, project, workload, made } = await setUp({ moduleSystem: 'esm' }, [RENAME, '--sync', 'app'], renameApplication('app'));
      const original = await namesById(client);
      expect(made.stderr).toContain('wrote 6 migrations (one per plan step)');
      expect(made.stderr).toMatch(/migrator migrate\.js/);
      expect(output(made)).not.toContain(PASSWORD);
      const names = migrationNames(project);
      expect(names[0]).toMatch(/^\d{4}\.\d{2}\.\d{2}T\d{2}\.\d{2}\.\d{2}\.rename_column_users_full_name_display_name_01_add_column_display_name/);
      try {
        const { plan } = await driveWithUmzug({ project, client, workload });
        expect(plan.pointOfNoReturn?.step).toBe(6);
      } finally {
        await stopExpectingNoFailures(workload, 50);
      }
      expect(await namesById(client, 'display_name')).toEqual(original);
      // Umzug's record is the storage table in the same database, names without extensions
      const { rows } = await client.query<{ name: string }>('SELECT name FROM umzug_migrations ORDER BY name');
      expect(rows.map((r) => r.name)).toEqual(names);
    });

    if (major !== 18) return;

    it('add a NOT NULL column with a backfill (CommonJS project): every seeded row backfilled', async () => {
      const withLocale = (release: number): WorkloadQuery[] =>
        release === 0
          ? plainApplication
          : [plainApplication[0]!, plainApplication[1]!, { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name, email, locale) VALUES ('newcomer', 'n@example.com', 'fr')`, values: [] }) }];
      const { client, project, workload } = await setUp({ moduleSystem: 'cjs' }, ['ALTER TABLE users ADD COLUMN locale text NOT NULL', '--backfill', "'en'"], withLocale);
      expect(readFileSync(path.join(project.dir, 'migrate.js'), 'utf8')).toContain("require('umzug')");
      const original = await namesById(client);
      const everySeededRowHasTheBackfill = async () => {
        const { rows } = await client.query(
          `SELECT count(*) FILTER (WHERE locale = 'en')::int AS en, count(*) FILTER (WHERE locale IS NULL)::int AS missing FROM users WHERE id <= $1`,
          [SEED_ROWS],
        );
        expect(rows[0]).toEqual({ en: SEED_ROWS, missing: 0 });
        expect(await namesById(client)).toEqual(original);
      };
      try {
        await driveWithUmzug({ project, client, workload, whenApplied: everySeededRowHasTheBackfill });
      } finally {
        await stopExpectingNoFailures(workload, 50);
      }
    });

    it('create a unique index concurrently (ES modules): built outside any transaction, dropped concurrently by down', async () => {
      const { client, project, workload } = await setUp({ moduleSystem: 'esm' }, ['CREATE UNIQUE INDEX users_email_key ON users (email)'], () => uniqueEmailApplication);
      try {
        const { plan } = await driveWithUmzug({ project, client, workload });
        expect(plan.steps.some((s) => !s.transactional && s.sql.some((q) => q.includes('CONCURRENTLY')))).toBe(true);
      } finally {
        await stopExpectingNoFailures(workload, 50);
      }
    });

    it('TypeScript (-x ts, run with node --import tsx migrate.ts): the rename, step by step', async () => {
      const { client, project, workload, made } = await setUp({ moduleSystem: 'esm', language: 'ts' }, [RENAME, '--sync', 'app'], renameApplication('app'));
      expect(made.stderr).toContain('node --import tsx migrate.ts up --step 1');
      const checked = await typeCheck(project);
      expect(checked.code, output(checked)).toBe(0);
      const original = await namesById(client);
      try {
        await driveWithUmzug({ project, client, workload });
      } finally {
        await stopExpectingNoFailures(workload, 50);
      }
      expect(await namesById(client, 'display_name')).toEqual(original);
    });

    it('an existing migrator is kept as it is; without DATABASE_URL the migrator says what to set', async () => {
      const db = await pg.database();
      await seedUsers(await db.client());
      const own = umzugProject(db.url, { moduleSystem: 'esm' });
      own.write('migrate.js', "// the team's own migrator\n");
      const kept = await make(own, ['CREATE INDEX users_email_idx ON users (email)']);
      expect(kept.code, kept.stderr).toBe(0);
      expect(kept.stderr).toContain('migrator migrate.js kept as it is');
      expect(readFileSync(path.join(own.dir, 'migrate.js'), 'utf8')).toBe("// the team's own migrator\n");

      const fresh = umzugProject(db.url, { moduleSystem: 'esm' });
      expect((await make(fresh, ['CREATE INDEX users_email_idx ON users (email)'])).code).toBe(0);
      const unset = await migrate({ ...fresh, url: '' }, ['pending']);
      expect(unset.code).not.toBe(0);
      expect(unset.stderr).toContain('DATABASE_URL is not set');
      expect(unset.stderr).not.toMatch(/\n\s+at /);
    });
  });
}
