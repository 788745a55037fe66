import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const renameTableCatalog: IntentCatalogEntry = {
  kind: 'rename_table',
  title: 'Rename a table',
  summary:
    'RENAME TO is instant, but every running instance that names the old table fails from then on. By default the plan renames the table and creates a view with the old name ' +
    'in one transaction (a simple view is auto-updatable: old code keeps reading and writing), the application moves to the new name, then the view is dropped. ' +
    'With via: "app" there is no view, and the application copes with both names for one release.',
  versions: [],
  examples: [
    // the application names users in release A and accounts from A+1, which traffic fixed for every step cannot follow:
    // test/intents/rename-table.test.ts runs both under traffic that switches names with the release
    { title: 'users → accounts, through a view', setup: usersSetup(), change: { sql: 'ALTER TABLE users RENAME TO accounts' }, options: ONLINE, blockingSql: blockUsersRow(), traffic: [] },
    {
      title: 'users → accounts, the application handles both names',
      setup: usersSetup(),
      change: { intents: [{ kind: 'rename_table', table: 'users', to: 'accounts', via: 'app' }] },
      options: ONLINE,
      blockingSql: blockUsersRow(),
      traffic: [],
    },
  ],
};
