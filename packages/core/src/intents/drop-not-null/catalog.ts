import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const dropNotNullCatalog: IntentCatalogEntry = {
  kind: 'drop_not_null',
  title: 'Drop NOT NULL',
  summary:
    'ALTER COLUMN … DROP NOT NULL is a catalog change under a brief ACCESS EXCLUSIVE. Its rollback is the expensive direction: it adds CHECK (col IS NOT NULL) NOT VALID, validates it under ' +
    'SHARE UPDATE EXCLUSIVE, sets NOT NULL without a scan and drops the CHECK, each in its own transaction. Readers must cope with NULL before writers produce one.',
  versions: ['PostgreSQL 12+: the rollback restores NOT NULL without holding ACCESS EXCLUSIVE during a scan. PostgreSQL 11: the rollback SET NOT NULL scans the table under ACCESS EXCLUSIVE, and the plan says so.'],
  examples: [
    {
      title: 'a NOT NULL text column',
      setup: usersSetup({ fullNameNotNull: true }),
      change: { sql: 'ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
  ],
};
