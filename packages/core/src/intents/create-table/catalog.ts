import { blockUsersRow, ONLINE, ordersSetup, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

const PAYMENTS = `CREATE TABLE payments (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders (id),
  amount numeric(12,2) NOT NULL CHECK (amount >= 0),
  reference text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
)`;

export const createTableCatalog: IntentCatalogEntry = {
  kind: 'create_table',
  title: 'Create a table',
  summary:
    'A new table is invisible until its transaction commits, so creating it is one brief step, with every constraint named. Its foreign keys take SHARE ROW EXCLUSIVE ' +
    'on each referenced table (writes there wait while it is held): declared inline when that table is small, added afterwards NOT VALID and validated when it is large. ' +
    'Rollback is DROP TABLE, while the table is empty.',
  versions: [],
  examples: [
    { title: 'a table referencing a large table', setup: [...usersSetup(), ...ordersSetup()], change: { sql: PAYMENTS }, options: ONLINE, blockingSql: blockUsersRow() },
    { title: 'a table referencing a small table (key declared inline)', setup: [...usersSetup(), ...ordersSetup()], change: { sql: PAYMENTS }, blockingSql: blockUsersRow() },
  ],
};
