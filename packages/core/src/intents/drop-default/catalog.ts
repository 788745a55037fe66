import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const dropDefaultCatalog: IntentCatalogEntry = {
  kind: 'drop_default',
  title: 'Drop a column default',
  summary:
    'ALTER COLUMN … DROP DEFAULT is a catalog change under a brief ACCESS EXCLUSIVE; existing rows keep their values. Later INSERTs that leave the column out store NULL, or fail on a NOT NULL column, ' +
    'so it belongs after every writer sets the column itself. The rollback sets the previous default again.',
  versions: ['The same on PostgreSQL 11–18.'],
  examples: [
    {
      title: 'the now() default of a NOT NULL column',
      setup: usersSetup(),
      change: { sql: 'ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
  ],
};
