import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const addUniqueConstraintCatalog: IntentCatalogEntry = {
  kind: 'add_unique_constraint',
  title: 'Add a unique constraint',
  summary:
    'ADD CONSTRAINT … UNIQUE (cols) builds its index under ACCESS EXCLUSIVE, blocking reads and writes for the whole build. The plan checks for duplicates ' +
    '(rows with a NULL key never clash), builds the unique index CONCURRENTLY in its own step, then attaches it with ADD CONSTRAINT … UNIQUE USING INDEX, a brief catalog change.',
  versions: ['PostgreSQL 14.0–14.3: concurrent builds could corrupt indexes; liveshift refuses them there and asks for 14.4 or later.'],
  examples: [
    {
      title: 'email unique, NULLs allowed',
      setup: usersSetup(),
      change: { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
  ],
};
