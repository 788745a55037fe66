import type pg from 'pg';

/**
 * The table every case changes: `accounts`, read and written by the application, and `owners`,
 * which the foreign-key case makes `accounts.owner_id` reference. Every case starts from a copy of
 * the same seeded database, so the naive statement and the plan meet byte-identical tables.
 */

export const TABLE = 'accounts';
/** The synthetic application writes owner ids from 1 to 32,000 (see @liveshift/verify column values), so every one exists. */
export const OWNERS = 32_000;

/** Creates and fills both tables: one INSERT ... SELECT generate_series each, then VACUUM ANALYZE. */
export async function seedTables(client: pg.ClientBase, rows: number): Promise<void> {
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`rows must be a positive integer, got ${rows}`);
  await client.query(`CREATE TABLE owners (id int PRIMARY KEY, name text NOT NULL)`);
  await client.query(`INSERT INTO owners (id, name) SELECT g, 'owner ' || g FROM generate_series(1, ${OWNERS}) g`);
  await client.query(`
    CREATE TABLE ${TABLE} (
      id bigserial PRIMARY KEY,
      owner_id int,
      email text NOT NULL,
      full_name text,
      score int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await client.query(
    `INSERT INTO ${TABLE} (id, owner_id, email, full_name, score)
     SELECT g, 1 + g % ${OWNERS}, 'user' || g || '@example.com', 'User ' || g, g % 100000
     FROM generate_series(1, ${rows}) g`,
  );
  await client.query(`SELECT setval(pg_get_serial_sequence('${TABLE}', 'id'), ${rows})`);
  // settled like a table in production: visibility map set, hint bits written, statistics current
  await client.query(`VACUUM ANALYZE owners`);
  await client.query(`VACUUM ANALYZE ${TABLE}`);
}
