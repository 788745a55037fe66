import { describe, expect, it } from 'vitest';
import { introspectPostgres } from '@liveshift/runtime';
import type pg from 'pg';
import { pgMajorsAmong, withPostgres } from '../support/postgres.js';
import { planAndRunUnderTraffic } from '../support/plan-under-traffic.js';
import type { WorkloadQuery } from '../support/workload.js';

/**
 * Names that break naive SQL building: a schema with a space, a table with a dot and a double
 * quote, mixed case, a reserved word, a single quote. Each intent is planned from the naive SQL
 * a user would write where SQL can say it (so the parser's unquoting is exercised too), else from
 * an intent object, and executed step by step on a real server under traffic; a wrongly quoted
 * statement would fail or touch the wrong object.
 */

const SCHEMA = 'Sales Data';
const TABLE = 'Order.Items "v2"';
const QUALIFIED = `"Sales Data"."Order.Items ""v2"""`;
const ROWS = 20_000;
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function seed(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE SCHEMA "Sales Data"`);
  await client.query(`CREATE TABLE ${QUALIFIED} (
    "Id" bigserial PRIMARY KEY,
    "Full Name" text,
    "select" text,
    "it's" int NOT NULL DEFAULT 0
  )`);
  await client.query(
    `INSERT INTO ${QUALIFIED} ("Full Name", "select", "it's")
     SELECT 'name ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE 's' || g END, g FROM generate_series(1, $1) AS g`,
    [ROWS],
  );
  await client.query(`ANALYZE ${QUALIFIED}`);
}

/** Reads and updates that never name the changed column, inserts that name only what the release knows. */
function application(insertColumns: (release: number) => string[]): (release: number) => WorkloadQuery[] {
  return (release) => [
    { kind: 'read', build: (id) => ({ text: `SELECT * FROM ${QUALIFIED} WHERE "Id" = $1`, values: [id()] }) },
    { kind: 'update', build: (id) => ({ text: `UPDATE ${QUALIFIED} SET "it's" = "it's" WHERE "Id" = $1`, values: [id()] }) },
    {
      kind: 'insert',
      build: () => {
        const cols = insertColumns(release);
        return { text: `INSERT INTO ${QUALIFIED} (${cols.map(quoteIdent).join(', ')}) VALUES (${cols.map(() => `'new'`).join(', ')})`, values: [] };
      },
    },
  ];
}

const BLOCKER = `UPDATE ${QUALIFIED} SET "it's" = "it's" WHERE "Id" = 1`;
/** Row 7 is one whose "select" is NULL, so a backfill of NULLs must wait for it. */
const BLOCK_A_NULL_ROW = `UPDATE ${QUALIFIED} SET "it's" = "it's" WHERE "Id" = 7`;

async function table(client: pg.ClientBase) {
  const found = (await introspectPostgres(client)).tables.find((t) => t.schema === SCHEMA && t.name === TABLE);
  expect(found, `${SCHEMA}.${TABLE} after the plan`).toBeDefined();
  return found!;
}

for (const major of pgMajorsAmong([18])) {
  describe(`identifiers that need quoting, on PostgreSQL ${major}`, () => {
    const pg = withPostgres(major);

    it('rename column (trigger sync) to a reserved word', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seed(client);
      const { plan } = await planAndRunUnderTraffic(
        db,
        { sql: `ALTER TABLE ${QUALIFIED} RENAME COLUMN "Full Name" TO "user"` },
        { plan: { sync: 'trigger' }, blockingSql: BLOCKER, application: application((r) => (r === 0 ? ['Full Name', 'select'] : ['user', 'select'])) },
      );
      expect(plan.steps.some((s) => s.sql.some((q) => /CREATE (OR REPLACE )?TRIGGER/i.test(q)))).toBe(true);
      const t = await table(client);
      expect(t.columns.map((c) => c.name)).toEqual(['Id', 'select', "it's", 'user']);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${QUALIFIED} WHERE "Id" <= $1 AND "user" = 'name ' || "Id"`, [ROWS]);
      expect(rows[0].n).toBe(ROWS);
    });

    it('add a NOT NULL column with a quoted name, backfilled from another quoted column', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seed(client);
      await planAndRunUnderTraffic(
        db,
        { intents: [{ kind: 'add_column', table: { schema: SCHEMA, name: TABLE }, column: { name: 'Weird "Col"', type: 'text', nullable: false, backfill: `coalesce("select", 'none') || '''s'` } }] },
        {
          blockingSql: BLOCKER,
          application: application((r) => (r === 0 ? ['Full Name', 'select'] : ['Full Name', 'select', 'Weird "Col"'])),
        },
      );
      const t = await table(client);
      expect(t.columns.find((c) => c.name === 'Weird "Col"')).toMatchObject({ nullable: false });
      const { rows } = await client.query(
        `SELECT count(*) FILTER (WHERE "Weird ""Col""" = coalesce("select", 'none') || '''s')::int AS ok FROM ${QUALIFIED} WHERE "Id" <= $1`,
        [ROWS],
      );
      expect(rows[0].ok).toBe(ROWS);
    });

    it('a unique partial index with a quoted name over a reserved-word column', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seed(client);
      await planAndRunUnderTraffic(
        db,
        { sql: `CREATE UNIQUE INDEX "Idx ""odd"" one" ON ${QUALIFIED} ("select", "it's") WHERE "select" IS NOT NULL` },
        { blockingSql: BLOCKER, application: application(() => ['Full Name']) },
      );
      const t = await table(client);
      expect(t.indexes.find((i) => i.name === 'Idx "odd" one')).toMatchObject({ unique: true, valid: true });
    });

    it('set NOT NULL on a reserved-word column, NULLs backfilled first', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seed(client);
      await planAndRunUnderTraffic(
        db,
        { intents: [{ kind: 'set_not_null', table: { schema: SCHEMA, name: TABLE }, column: 'select', backfill: `'none'` }] },
        { blockingSql: BLOCK_A_NULL_ROW, application: application(() => ['Full Name', 'select']) },
      );
      const t = await table(client);
      expect(t.columns.find((c) => c.name === 'select')).toMatchObject({ nullable: false });
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${QUALIFIED} WHERE "select" = 'none'`);
      expect(rows[0].n).toBe(Math.floor(ROWS / 7));
    });

    it('a foreign key with a quoted name, from a quoted child table onto the awkward table', async () => {
      const db = await pg.database();
      const client = await db.client();
      await seed(client);
      const child = `"Sales Data"."Line's ""Item"""`;
      await client.query(`CREATE TABLE ${child} ("Id" bigserial PRIMARY KEY, "Order Id" bigint)`);
      await client.query(`INSERT INTO ${child} ("Order Id") SELECT 1 + g % $1::int FROM generate_series(1, $1::int) AS g`, [ROWS]);
      await client.query(`CREATE INDEX ON ${child} ("Order Id")`);
      await client.query(`ANALYZE ${child}`);
      const { plan } = await planAndRunUnderTraffic(
        db,
        { sql: `ALTER TABLE ${child} ADD CONSTRAINT "fk ""order"" it's" FOREIGN KEY ("Order Id") REFERENCES ${QUALIFIED} ON DELETE CASCADE` },
        {
          blockingSql: BLOCKER,
          application: application(() => ['Full Name']),
          locksBeyondClaim: (s) => (s.kind === 'validate' ? { [`${SCHEMA}.${TABLE}`]: 'ROW SHARE' } : {}),
        },
      );
      expect(plan.steps[0]!.lock.tables).toEqual([`${SCHEMA}.Line's "Item"`, `${SCHEMA}.${TABLE}`]);
      const lines = (await introspectPostgres(client)).tables.find((t) => t.name === `Line's "Item"`)!;
      expect(lines.constraints.find((k) => k.name === `fk "order" it's`)).toMatchObject({ validated: true, references: { table: `${SCHEMA}.${TABLE}`, columns: ['Id'] } });
    });
  });
}
