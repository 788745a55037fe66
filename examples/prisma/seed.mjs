// Seeds the users table the init migration creates: plausible names, unique emails.
export async function seedUsers(client, rows) {
  await client.query(
    `INSERT INTO users (full_name, email, created_at)
     SELECT (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Margaret','Linus'])[1 + g % 10]
              || ' ' || (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson','Hamilton','Torvalds'])[1 + (g / 10) % 10],
            'user' || g || '@example.com',
            now() - make_interval(secs => g::double precision)
     FROM generate_series(1, $1::bigint) AS g`,
    [rows],
  );
  await client.query('ANALYZE users');
}
