import type pg from 'pg';

export const SEED_ROWS = 20_000;

/**
 * A users table shaped like production's, seeded in one statement. ANALYZE gives the planner a
 * real row estimate. `fullNameNotNull` makes the renamed column NOT NULL.
 */
export async function seedUsers(client: pg.ClientBase, opts: { rows?: number; fullNameNotNull?: boolean } = {}): Promise<void> {
  const rows = opts.rows ?? SEED_ROWS;
  await client.query(`CREATE TABLE users (
    id bigserial PRIMARY KEY,
    full_name text${opts.fullNameNotNull ? ' NOT NULL' : ''},
    email text,
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
  await client.query(
    `INSERT INTO users (full_name, email)
     SELECT 'user ' || g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'u' || g || '@example.com' END FROM generate_series(1, $1) AS g`,
    [rows],
  );
  await client.query('ANALYZE users');
}

/** id → full_name as seeded, to check that a plan changed no data except as intended. */
export async function namesById(client: pg.ClientBase, column = 'full_name'): Promise<Map<string, string | null>> {
  const { rows } = await client.query<{ id: string; v: string | null }>(`SELECT id::text, "${column}" AS v FROM users WHERE id <= $1 ORDER BY id`, [SEED_ROWS]);
  return new Map(rows.map((r) => [r.id, r.v]));
}

export const ORDERS_ROWS = 30_000;

/** orders(id, user_id NOT NULL, total) pointing at seeded users, indexed on user_id, without a foreign key yet. */
export async function seedOrders(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint NOT NULL, total int NOT NULL)`);
  await client.query(`CREATE INDEX orders_user_id_idx ON orders (user_id)`);
  await client.query(`INSERT INTO orders (user_id, total) SELECT 1 + g % $1, g FROM generate_series(1, $2::int) AS g`, [SEED_ROWS, ORDERS_ROWS]);
  await client.query('ANALYZE orders');
}

/** A checksum of the seeded orders, to check a plan left them as they were. */
export async function seededOrdersChecksum(client: pg.ClientBase): Promise<{ n: number; s: string }> {
  const { rows } = await client.query<{ n: number; s: string }>(`SELECT count(*)::int AS n, sum(user_id)::text AS s FROM orders WHERE id <= $1`, [ORDERS_ROWS]);
  return rows[0]!;
}
