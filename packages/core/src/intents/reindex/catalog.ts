import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const reindexCatalog: IntentCatalogEntry = {
  kind: 'reindex',
  title: 'Rebuild an index',
  summary:
    'A plain REINDEX holds ACCESS EXCLUSIVE on the index for the whole rebuild, which stops every query planning against the table. The plan uses REINDEX INDEX CONCURRENTLY ' +
    '(SHARE UPDATE EXCLUSIVE: reads and writes continue), one step per index for REINDEX TABLE. Where that is missing, a copy is built CONCURRENTLY, the original dropped CONCURRENTLY and the copy renamed.',
  versions: [
    'PostgreSQL 12+: REINDEX INDEX CONCURRENTLY.',
    'PostgreSQL 11: copy built CONCURRENTLY, original dropped CONCURRENTLY, copy renamed (ACCESS EXCLUSIVE on the index only, brief); indexes behind a primary key or unique constraint are refused (no online way without REINDEX CONCURRENTLY); small tables get a plain REINDEX.',
    'PostgreSQL 14.0–14.3: concurrent rebuilds could corrupt indexes; refused on large tables, plain REINDEX on small ones.',
  ],
  examples: [
    {
      title: 'one index',
      setup: [...usersSetup(), 'CREATE INDEX users_email_idx ON users (email)'],
      change: { sql: 'REINDEX INDEX users_email_idx' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
    {
      title: 'every index of a table, primary key included',
      setup: [...usersSetup(), 'CREATE INDEX users_email_idx ON users (email)'],
      change: { sql: 'REINDEX TABLE users' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
      // PostgreSQL 11 cannot rebuild a primary key's index online
      minVersionNum: 120000,
    },
  ],
};
