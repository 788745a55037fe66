import { ONLINE, ordersSetup, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

/** A row lock on one order: the concurrent index build waits for it. */
const blockOrdersRow = 'UPDATE orders SET amount = amount WHERE id = 1';

export const addReferenceColumnCatalog: IntentCatalogEntry = {
  kind: 'add_reference_column',
  title: 'Add a column that references another table',
  summary:
    'ADD COLUMN … REFERENCES p takes ACCESS EXCLUSIVE on the table and SHARE ROW EXCLUSIVE on p in one transaction. The plan adds the column as add_column does ' +
    '(nullable, or backfilled and made NOT NULL), indexes it CONCURRENTLY, then adds the foreign key NOT VALID (brief) and validates it without blocking writes.',
  versions: [
    'PostgreSQL 12+: a NOT NULL column gets NOT NULL through a validated CHECK; on 11 the validated CHECK stays instead, with a warning.',
    'PostgreSQL 14.0–14.3: concurrent builds could corrupt indexes; liveshift refuses them there and asks for 14.4 or later.',
  ],
  examples: [
    {
      title: 'a nullable buyer_id → users',
      setup: [...usersSetup(), ...ordersSetup()],
      change: { sql: 'ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES users (id)' },
      options: ONLINE,
      blockingSql: blockOrdersRow,
    },
    {
      title: 'a NOT NULL owner_id → users, backfilled from user_id',
      setup: [...usersSetup(), ...ordersSetup()],
      change: { sql: 'ALTER TABLE orders ADD COLUMN owner_id bigint NOT NULL REFERENCES users ON DELETE CASCADE' },
      options: { ...ONLINE, backfill: 'user_id' },
      blockingSql: blockOrdersRow,
    },
  ],
};
