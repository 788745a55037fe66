import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const setDefaultCatalog: IntentCatalogEntry = {
  kind: 'set_default',
  title: 'Set a column default',
  summary:
    'ALTER COLUMN … SET DEFAULT is a catalog change under a brief ACCESS EXCLUSIVE: existing rows keep their values, nothing is scanned or rewritten, even for a volatile default. ' +
    'It belongs after the application expects the new default; the rollback restores the previous default from the snapshot.',
  versions: ['The same on PostgreSQL 11–18.'],
  examples: [
    {
      title: 'a constant default on a column without one',
      setup: usersSetup(),
      change: { sql: "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'unknown@example.com'" },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
    {
      title: 'a volatile default replacing now() (no rewrite)',
      setup: usersSetup(),
      change: { sql: 'ALTER TABLE users ALTER COLUMN created_at SET DEFAULT clock_timestamp()' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
  ],
};
