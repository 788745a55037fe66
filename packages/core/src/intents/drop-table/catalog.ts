import { blockUsersRow, ONLINE, ordersSetup, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const dropTableCatalog: IntentCatalogEntry = {
  kind: 'drop_table',
  title: 'Drop a table',
  summary:
    'The application stops using the table in one release; DROP TABLE comes in the release after, a brief ACCESS EXCLUSIVE (also on the tables its foreign keys reference) and the point of no return. ' +
    'A table that other tables\' foreign keys reference is refused, naming the keys to drop first.',
  versions: [],
  examples: [{ title: 'orders', setup: [...usersSetup(), ...ordersSetup()], change: { sql: 'DROP TABLE orders' }, options: ONLINE, blockingSql: blockUsersRow() }],
};
