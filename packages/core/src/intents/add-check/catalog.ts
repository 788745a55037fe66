import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const addCheckCatalog: IntentCatalogEntry = {
  kind: 'add_check',
  title: 'Add a CHECK constraint',
  summary:
    'ADD CONSTRAINT … CHECK … NOT VALID takes ACCESS EXCLUSIVE briefly, without reading existing rows; new writes are checked from then on. ' +
    'VALIDATE CONSTRAINT then checks the existing rows in its own step under SHARE UPDATE EXCLUSIVE, so reads and writes continue. A small table gets one validated ADD.',
  versions: ['The same on PostgreSQL 11–18.'],
  examples: [
    {
      title: 'a rule on one column',
      setup: usersSetup(),
      change: { sql: 'ALTER TABLE users ADD CONSTRAINT users_full_name_check CHECK (length(full_name) > 0)' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
    {
      title: 'a small table: one validated ADD',
      setup: usersSetup(),
      change: { sql: "ALTER TABLE users ADD CHECK (email LIKE '%@%' AND created_at > '2000-01-01')" },
      blockingSql: blockUsersRow(),
    },
  ],
};
