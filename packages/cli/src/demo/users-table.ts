import type pg from 'pg';

/** The table the demo and the committed rename example (examples/postgres-rename) plan against. */
export const USERS_TABLE = 'users';

const CREATE_USERS = `
  CREATE TABLE ${USERS_TABLE} (
    id bigserial PRIMARY KEY,
    full_name text NOT NULL,
    email text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
  )`;

// One INSERT ... SELECT generate_series: a million rows in seconds, plausible names, unique emails.
const SEED_USERS = `
  INSERT INTO ${USERS_TABLE} (full_name, email, created_at)
  SELECT (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Margaret','Linus'])[1 + g % 10]
           || ' ' || (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson','Hamilton','Torvalds'])[1 + (g / 10) % 10],
         'user' || g || '@example.com',
         now() - make_interval(secs => g::double precision)
  FROM generate_series(1, $1::bigint) AS g`;

/** Creates `users` with `rows` rows and analyzes it, so row estimates and sizes are real. */
export async function createUsersTable(client: pg.Client, rows: number): Promise<void> {
  await client.query(CREATE_USERS);
  await client.query(SEED_USERS, [rows]);
  await client.query(`ANALYZE ${USERS_TABLE}`);
}
