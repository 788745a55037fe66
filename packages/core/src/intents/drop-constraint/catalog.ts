import { blockUsersRow, ONLINE, ordersSetup, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const dropConstraintCatalog: IntentCatalogEntry = {
  kind: 'drop_constraint',
  title: 'Drop a constraint',
  summary:
    'DROP CONSTRAINT is a catalog change under a brief ACCESS EXCLUSIVE on the table, and for a foreign key on the referenced table too. The rollback avoids long locks: a CHECK or foreign key comes back ' +
    'NOT VALID and is validated in its own transaction; a primary key or unique constraint gets its index built again CONCURRENTLY and attached with USING INDEX. A key that a foreign key references is refused.',
  versions: ['The same on PostgreSQL 11–18 (PostgreSQL 14.0–14.3: a primary key or unique constraint is re-added with a plain index build in the rollback).'],
  examples: [
    {
      title: 'a CHECK constraint',
      setup: [...usersSetup(), 'ALTER TABLE users ADD CONSTRAINT users_full_name_check CHECK (length(full_name) > 0)'],
      change: { sql: 'ALTER TABLE users DROP CONSTRAINT users_full_name_check' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
    {
      title: 'a foreign key (both tables locked)',
      setup: [...usersSetup(), ...ordersSetup(), 'ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)'],
      change: { sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey' },
      options: ONLINE,
      blockingSql: blockUsersRow(),
    },
    {
      title: 'a primary key (rolled back through a concurrent index build)',
      setup: [...usersSetup(), ...ordersSetup()],
      change: { sql: 'ALTER TABLE orders DROP CONSTRAINT orders_pkey' },
      options: ONLINE,
      blockingSql: 'UPDATE orders SET amount = amount WHERE id = 1',
    },
  ],
};
