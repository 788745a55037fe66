import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const renameColumnCatalog: IntentCatalogEntry = {
  kind: 'rename_column',
  title: 'Rename a column',
  summary:
    'A rename breaks every running application instance that still uses the old name, so the plan expands and contracts: add the new column, ' +
    'keep both in sync (the application writes both, or a trigger does), backfill, check parity, switch the application, then drop the old column — the point of no return.',
  versions: ['PostgreSQL 12+: a NOT NULL old column moves its constraint to the new column without a scan under ACCESS EXCLUSIVE; on 11 a validated CHECK carries it.'],
  examples: [
    { title: 'the application keeps both columns in sync (--sync app)', setup: usersSetup(), change: { sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, options: ONLINE, blockingSql: blockUsersRow() },
    {
      title: 'a trigger keeps both columns in sync (--sync trigger), NOT NULL column',
      setup: usersSetup({ fullNameNotNull: true }),
      change: { sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' },
      options: { ...ONLINE, sync: 'trigger' },
      blockingSql: blockUsersRow(),
    },
  ],
};
