// Creates the example's users table, seeded, in the database DATABASE_URL names (your own
// PostgreSQL 11 or later; use a scratch database).
//   DATABASE_URL=postgres://user@host:5432/db node setup.mjs [rows]
import { connect } from '@liveshift/runtime';
import { createUsersTable, USERS_TABLE } from 'liveshift';

if (!process.env.DATABASE_URL) {
  console.error('set DATABASE_URL to the PostgreSQL database to create the users table in, e.g. postgres://postgres@localhost:5432/scratch');
  process.exit(2);
}
const rows = Number(process.argv[2] ?? 100_000);
const client = await connect(process.env.DATABASE_URL);
try {
  await createUsersTable(client, rows);
  console.log(`created ${USERS_TABLE} with ${rows.toLocaleString('en-US')} rows`);
} finally {
  await client.end();
}
