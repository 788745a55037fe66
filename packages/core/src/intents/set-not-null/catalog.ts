import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const setNotNullCatalog: IntentCatalogEntry = {
  kind: 'set_not_null',
  title: 'Set NOT NULL',
  summary:
    'SET NOT NULL scans the whole table under ACCESS EXCLUSIVE. The plan adds CHECK (col IS NOT NULL) NOT VALID (brief), validates it under ' +
    'SHARE UPDATE EXCLUSIVE (reads and writes continue), then sets NOT NULL without a scan and drops the CHECK. NULLs can be backfilled first.',
  versions: ['PostgreSQL 12+: SET NOT NULL uses the validated CHECK and skips its scan. PostgreSQL 11 cannot: the validated CHECK is kept as the constraint, with a warning.'],
  examples: [
    { title: 'a column without NULLs', setup: [...usersSetup(), 'UPDATE users SET email = coalesce(email, \'none\')'], change: { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' }, options: ONLINE, blockingSql: blockUsersRow() },
    {
      title: 'NULLs backfilled first',
      setup: usersSetup(),
      change: { sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL' },
      options: { ...ONLINE, backfill: "''" },
      // row 10's email is NULL: the backfill must wait for it
      blockingSql: blockUsersRow(10),
    },
  ],
};
