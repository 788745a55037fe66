import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const addColumnCatalog: IntentCatalogEntry = {
  kind: 'add_column',
  title: 'Add a column',
  summary:
    'A nullable column, or one with a constant default, is a catalog-only change under a brief ACCESS EXCLUSIVE lock. ' +
    'A volatile default is split (add, set the default, backfill in keyset batches) so the table is never rewritten under the lock; ' +
    'a NOT NULL column without a default goes nullable → the application writes it → backfill → NOT NULL through a validated CHECK.',
  versions: [
    'PostgreSQL 11+: a constant default is stored in the catalog, with no rewrite (all supported versions).',
    'PostgreSQL 12+: SET NOT NULL skips its scan when a validated CHECK (col IS NOT NULL) exists; on 11 the validated CHECK stays instead.',
  ],
  examples: [
    { title: 'a nullable column', setup: usersSetup(), change: { sql: 'ALTER TABLE users ADD COLUMN nickname text' }, options: ONLINE, blockingSql: blockUsersRow() },
    { title: 'a column with a constant default, NOT NULL', setup: usersSetup(), change: { sql: "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active'" }, options: ONLINE, blockingSql: blockUsersRow() },
    { title: 'a column with a volatile default', setup: usersSetup(), change: { sql: 'ALTER TABLE users ADD COLUMN token text DEFAULT md5(random()::text)' }, options: ONLINE, blockingSql: blockUsersRow() },
    {
      title: 'a NOT NULL column filled by a backfill',
      setup: usersSetup(),
      change: { sql: 'ALTER TABLE users ADD COLUMN locale text NOT NULL' },
      options: { ...ONLINE, backfill: "'en'" },
      blockingSql: blockUsersRow(),
    },
  ],
};
