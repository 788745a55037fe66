import { EXAMPLE_ROWS, ONLINE, type IntentCatalogEntry } from '../catalog-entry.js';

/** accounts(id serial PRIMARY KEY, name varchar(50) NOT NULL with a CHECK and an index, code text, created timestamp) and orders referencing it. */
export function accountsSetup(): string[] {
  return [
    `CREATE TABLE accounts (
      id serial PRIMARY KEY,
      name varchar(50) NOT NULL DEFAULT 'anonymous' CONSTRAINT accounts_name_check CHECK (name <> ''),
      code text,
      created timestamp NOT NULL DEFAULT '2024-01-01 12:00'
    )`,
    `INSERT INTO accounts (name, code) SELECT 'account ' || g, (g % 1000)::text FROM generate_series(1, ${EXAMPLE_ROWS}) AS g`,
    'CREATE INDEX accounts_name_idx ON accounts (name)',
    `CREATE TABLE orders (id bigserial PRIMARY KEY, account_id int REFERENCES accounts ON DELETE CASCADE, amount int NOT NULL DEFAULT 0)`,
    `INSERT INTO orders (account_id, amount) SELECT 1 + g % ${EXAMPLE_ROWS}, g % 100 FROM generate_series(1, ${EXAMPLE_ROWS}) AS g`,
    'CREATE INDEX orders_account_id_idx ON orders (account_id)',
    'ANALYZE accounts',
    'ANALYZE orders',
  ];
}

/** An application that reads and writes the accounts (and their orders) at every step. */
const ACCOUNTS_TRAFFIC = [
  'SELECT * FROM accounts WHERE id = $1',
  `UPDATE accounts SET name = 'account ' || id WHERE id = $1`,
  `INSERT INTO accounts (name) VALUES ('newcomer')`,
  'INSERT INTO orders (account_id, amount) SELECT id, 1 FROM accounts WHERE id = $1',
];

export const changeColumnTypeCatalog: IntentCatalogEntry = {
  kind: 'change_column_type',
  title: 'Change a column type',
  summary:
    'A change PostgreSQL makes without rewriting the table (varchar(n) → varchar(m > n) or text, numeric precision up, …) is one brief ACCESS EXCLUSIVE step; a CHECK on the column is re-added NOT VALID in the same transaction and validated afterwards, so nothing is scanned under the lock. ' +
    'Any other change would rewrite the table under ACCESS EXCLUSIVE, so the column is swapped instead: a new column kept up to date by a trigger, a batched backfill with the USING expression, a parity check, indexes copied CONCURRENTLY, then one short transaction that renames the columns and moves the primary key (USING INDEX), default, sequence and referencing foreign keys (NOT VALID, validated next); the column\'s own CHECK constraints and foreign keys are copied NOT VALID and validated before it. The old column is dropped last, the point of no return.',
  versions: [
    'PostgreSQL 12+: timestamp ↔ timestamptz is made without a rewrite when the values are read as UTC (USING col AT TIME ZONE \'UTC\') and no index is on the column; 11 rewrites, so the column is swapped.',
    'PostgreSQL 11: a NOT NULL column of a type with no placeholder constant keeps a validated CHECK instead of NOT NULL, and a primary key of such a type is refused (ADD PRIMARY KEY USING INDEX would scan).',
  ],
  examples: [
    {
      title: 'int → bigint on a serial primary key that another table references',
      setup: accountsSetup(),
      change: { sql: 'ALTER TABLE accounts ALTER COLUMN id TYPE bigint' },
      options: ONLINE,
      blockingSql: 'UPDATE accounts SET code = code WHERE id = 1',
      traffic: ACCOUNTS_TRAFFIC,
    },
    {
      title: 'int → bigint on the referencing column of a foreign key',
      setup: accountsSetup(),
      change: { sql: 'ALTER TABLE orders ALTER COLUMN account_id TYPE bigint' },
      options: ONLINE,
      blockingSql: 'UPDATE orders SET amount = amount WHERE id = 1',
      traffic: ACCOUNTS_TRAFFIC,
    },
    {
      title: 'varchar(50) → varchar(200), in place, with a CHECK on the column',
      setup: accountsSetup(),
      change: { sql: 'ALTER TABLE accounts ALTER COLUMN name TYPE varchar(200)' },
      options: ONLINE,
      blockingSql: 'UPDATE accounts SET code = code WHERE id = 1',
      traffic: ACCOUNTS_TRAFFIC,
    },
    {
      title: "timestamp → timestamptz, the values read as UTC",
      setup: accountsSetup(),
      change: { sql: `ALTER TABLE accounts ALTER COLUMN created TYPE timestamptz USING created AT TIME ZONE 'UTC'` },
      options: ONLINE,
      blockingSql: 'UPDATE accounts SET code = code WHERE id = 1',
      traffic: ACCOUNTS_TRAFFIC,
    },
  ],
};
