import { blockUsersRow, ONLINE, ordersSetup, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const dropColumnCatalog: IntentCatalogEntry = {
  kind: 'drop_column',
  title: 'Drop a column',
  summary:
    'A catalog check first fails the plan early if a view, trigger, policy or another table\'s foreign key uses the column. The application then stops reading and writing it in a release of its own, ' +
    'and DROP COLUMN (ACCESS EXCLUSIVE, brief, no rewrite) is the point of no return: its values, and the indexes and constraints that include it, are gone. A NOT NULL column without a default is made nullable first.',
  versions: ['The same on PostgreSQL 11–18; only undoing the DROP NOT NULL step differs (12+ restores NOT NULL through a validated CHECK without a scan; 11 scans).'],
  examples: [
    {
      title: 'an indexed, nullable column',
      setup: [...usersSetup(), 'CREATE INDEX users_email_idx ON users (email)'],
      change: { sql: 'ALTER TABLE users DROP COLUMN email' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
    {
      title: 'a NOT NULL column without a default (made nullable first)',
      setup: usersSetup({ fullNameNotNull: true }),
      change: { sql: 'ALTER TABLE users DROP COLUMN full_name' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
    {
      title: 'a column with a foreign key (the referenced table is locked too)',
      setup: [...usersSetup(), ...ordersSetup(), 'ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)'],
      change: { sql: 'ALTER TABLE orders DROP COLUMN user_id' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
  ],
};
