import { blockUsersRow, ONLINE, ordersSetup, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const addForeignKeyCatalog: IntentCatalogEntry = {
  kind: 'add_foreign_key',
  title: 'Add a foreign key',
  summary:
    'ADD CONSTRAINT … FOREIGN KEY … NOT VALID takes SHARE ROW EXCLUSIVE on both tables, briefly (writes to the referenced table wait too). ' +
    'VALIDATE CONSTRAINT then checks existing rows in its own step under SHARE UPDATE EXCLUSIVE on the table and ROW SHARE on the referenced one.',
  versions: ['PostgreSQL 18: NOT VALID foreign keys on partitioned tables are allowed; 11–17 reject them.'],
  examples: [
    {
      title: 'orders.user_id → users.id',
      setup: [...usersSetup(), ...ordersSetup()],
      change: { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
  ],
};
