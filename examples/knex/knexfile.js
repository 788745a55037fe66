// An ordinary knexfile: `liveshift knex make` reads it exactly as knex does.
module.exports = {
  client: 'pg',
  connection: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:54329/postgres',
  // walkthrough.mjs points this at a scratch folder so its runs never mix with yours
  migrations: { directory: process.env.MIGRATIONS_DIR ?? './migrations' },
};
