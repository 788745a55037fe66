import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ordersApplication, plainApplication, uniqueEmailApplication } from '../support/plan-under-traffic.js';
import { withPostgres, type TestDatabase } from '../support/postgres.js';
import { renameApplication } from '../support/rename-application.js';
import { namesById, seededOrdersChecksum, seedOrders, seedUsers, SEED_ROWS } from '../support/seed.js';
import { stopExpectingNoFailures, Workload, type WorkloadQuery } from '../support/workload.js';
import { driveWithPrisma } from './drive-prisma.js';
import { baseline, DATASOURCE, liveshiftIn, prismaProject, usersInit } from './prisma-project.js';

/**
 * `liveshift prisma make` output run by Prisma's own CLI (`prisma migrate deploy`, `migrate status`,
 * `migrate resolve`) against PostgreSQL 18 while an application workload runs; see driveWithPrisma.
 */

// the full online recipe on a test-sized table, with room for the workload's row locks
const PLANNING = ['--batch-size', '3000', '--lock-timeout', '5000', '--small-table-bytes', '0'];

async function userColumns(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped`);
  return rows.map((r) => r.attname);
}

describe('Prisma migrations on PostgreSQL 18, run by prisma migrate deploy', () => {
  const pg = withPostgres(18);

  async function setUp(db: TestDatabase, change: string[], application: (release: number) => WorkloadQuery[], init: string) {
    const client = await db.client();
    const project = prismaProject(db.url, { init, schema: DATASOURCE });
    await baseline(project);
    const made = await liveshiftIn(project, ['prisma', 'make', ...change, ...PLANNING]);
    expect(made.code, made.stderr).toBe(0);
    const workload = new Workload(db.url, application, () => SEED_ROWS);
    await workload.start();
    return { client, project, workload, made };
  }

  it('rename column (full_name NOT NULL): folders one by one, back, then all at once through every guard', async () => {
    const db = await pg.database();
    await seedUsers(await db.client(), { fullNameNotNull: true });
    const { client, project, workload, made } = await setUp(db, ['ALTER TABLE users RENAME COLUMN full_name TO display_name'], renameApplication('app'), usersInit(true));
    expect(made.stderr).toContain('wrote 7 migration folders');
    expect(made.stderr).toContain('migration_lock.toml');
    const original = await namesById(client);
    const dataHolds = async (after: string) => {
      const columns = await userColumns(client);
      if (columns.includes('full_name')) expect(await namesById(client), `full_name after ${after}`).toEqual(original);
      if (columns.includes('display_name')) {
        for (const [id, name] of await namesById(client, 'display_name')) {
          if (name !== null || !columns.includes('full_name')) expect(name, `display_name of row ${id} after ${after}`).toBe(original.get(id));
        }
      }
    };
    let result: Awaited<ReturnType<typeof driveWithPrisma>>;
    try {
      result = await driveWithPrisma({ project, client, workload, dataHolds });
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
    expect(result.plan.pointOfNoReturn?.step).toBe(11);
    expect(result.folders).toHaveLength(7);
    // one by one: the stop before step 5; all at once: before step 5 and before the drop
    expect(result.stops).toBe(3);
    expect(await namesById(client, 'display_name')).toEqual(original);
    expect(await userColumns(client)).not.toContain('full_name');
  });

  it('add a NOT NULL column: the backfill runs between two deploys, through liveshift apply', async () => {
    const withLocale = (release: number): WorkloadQuery[] =>
      release === 0
        ? plainApplication
        : [plainApplication[0]!, plainApplication[1]!, { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name, email, locale) VALUES ('newcomer', 'n@example.com', 'fr')`, values: [] }) }];
    const db = await pg.database();
    await seedUsers(await db.client());
    const { client, project, workload } = await setUp(db, ['ALTER TABLE users ADD COLUMN locale text NOT NULL', '--backfill', "'en'"], withLocale, usersInit(false));
    const original = await namesById(client);
    const dataHolds = async (after: string) => {
      expect(await namesById(client), `full_name after ${after}`).toEqual(original);
      if ((await userColumns(client)).includes('locale')) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM users WHERE id <= $1 AND locale IS DISTINCT FROM 'en' AND locale IS NOT NULL`, [SEED_ROWS]);
        expect(rows[0].n, `seeded rows with a locale other than the backfill after ${after}`).toBe(0);
      }
    };
    const whenApplied = async () => {
      const { rows } = await client.query(`SELECT count(*) FILTER (WHERE locale = 'en')::int AS en, count(*) FILTER (WHERE locale IS NULL)::int AS missing FROM users WHERE id <= $1`, [SEED_ROWS]);
      expect(rows[0]).toEqual({ en: SEED_ROWS, missing: 0 });
    };
    try {
      const { stops } = await driveWithPrisma({ project, client, workload, dataHolds, whenApplied });
      expect(stops).toBe(2);
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });

  it('create an index: CREATE INDEX CONCURRENTLY alone in its folder, then a folder that checks it is valid', async () => {
    const db = await pg.database();
    await seedUsers(await db.client());
    const { client, project, workload } = await setUp(db, ['CREATE UNIQUE INDEX users_email_key ON users (email)'], () => uniqueEmailApplication, usersInit(false));
    const original = await namesById(client);
    try {
      const { folders, plan } = await driveWithPrisma({ project, client, workload, dataHolds: async (after) => expect(await namesById(client), after).toEqual(original) });
      // step 1, the check for duplicates, is run by liveshift: a gate, then the statement alone, then its checkpoint
      expect(folders.map((f) => f.replace(/^\d{14}_/, ''))).toEqual([
        'create_unique_index_users_email_key_on_users_02_gate',
        'create_unique_index_users_email_key_on_users_02_create_unique_index_users_email_key',
        'create_unique_index_users_email_key_on_users_02_checkpoint',
      ]);
      expect(plan.steps[1]!.sql[0]).toContain('CONCURRENTLY');
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
    const { rows } = await client.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_key'::regclass`);
    expect(rows[0].indisvalid).toBe(true);
  });

  it('add a foreign key: NOT VALID, then VALIDATE in its own folder', async () => {
    const db = await pg.database();
    const seed = await db.client();
    await seedUsers(seed);
    await seedOrders(seed);
    const init = `${usersInit(false)}
CREATE TABLE "orders" ("id" BIGSERIAL NOT NULL, "user_id" BIGINT NOT NULL, "total" INTEGER NOT NULL, CONSTRAINT "orders_pkey" PRIMARY KEY ("id"));
CREATE INDEX "orders_user_id_idx" ON "orders"("user_id");
`;
    const { client, project, workload } = await setUp(db, ['ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)'], () => ordersApplication, init);
    const checksum = () => seededOrdersChecksum(client);
    const seeded = await checksum();
    try {
      const { plan, folders } = await driveWithPrisma({ project, client, workload, dataHolds: async (after) => expect(await checksum(), `seeded orders after ${after}`).toEqual(seeded) });
      expect(plan.steps.map((s) => s.sql.join(' '))).toEqual([expect.stringContaining('NOT VALID'), expect.stringContaining('VALIDATE CONSTRAINT')]);
      expect(folders).toHaveLength(2);
    } finally {
      await stopExpectingNoFailures(workload, 50);
    }
  });
});

