import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const dropIndexCatalog: IntentCatalogEntry = {
  kind: 'drop_index',
  title: 'Drop an index',
  summary:
    'DROP INDEX CONCURRENTLY, alone in a step outside any transaction: SHARE UPDATE EXCLUSIVE lets reads and writes continue, where a plain DROP INDEX takes ACCESS EXCLUSIVE on the table. ' +
    'An index behind a primary key or unique constraint is refused (drop the constraint). The rollback builds the index again CONCURRENTLY from its definition.',
  versions: ['PostgreSQL 14.0–14.3: the rollback builds the index without CONCURRENTLY (concurrent builds could corrupt indexes there), blocking writes while it runs.'],
  examples: [
    {
      title: 'a plain index',
      setup: [...usersSetup(), 'CREATE INDEX users_email_idx ON users (email)'],
      change: { sql: 'DROP INDEX users_email_idx' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
    {
      title: 'a unique partial index on an expression',
      setup: [...usersSetup(), 'CREATE UNIQUE INDEX users_lower_email_key ON users (lower(email)) WHERE email IS NOT NULL'],
      change: { sql: 'DROP INDEX users_lower_email_key' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
  ],
};
