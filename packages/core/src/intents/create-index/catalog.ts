import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const createIndexCatalog: IntentCatalogEntry = {
  kind: 'create_index',
  title: 'Create an index',
  summary:
    'CREATE INDEX CONCURRENTLY, alone in a step outside any transaction: SHARE UPDATE EXCLUSIVE lets reads and writes continue. ' +
    'A unique index is preceded by a duplicate check; an interrupted build leaves an INVALID index, which the runner detects and drops before retrying.',
  versions: ['PostgreSQL 14.0–14.3: concurrent builds could corrupt indexes; liveshift refuses them there and asks for 14.4 or later.'],
  examples: [
    { title: 'a multi-column index', setup: usersSetup(), change: { sql: 'CREATE INDEX users_email_name_idx ON users (email, full_name)' }, options: ONLINE, blockingSql: blockUsersRow() },
    {
      title: 'a unique partial index on an expression',
      setup: usersSetup(),
      change: { sql: 'CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
  ],
};
