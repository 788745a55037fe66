import { defineConfig } from 'prisma/config';

// DATABASE_URL names the database: `pnpm db` prints one for a local throwaway PostgreSQL.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
