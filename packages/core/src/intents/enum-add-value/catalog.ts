import { EXAMPLE_ROWS, ONLINE, type IntentCatalogEntry } from '../catalog-entry.js';

export const enumAddValueCatalog: IntentCatalogEntry = {
  kind: 'add_enum_value',
  title: 'Add a value to an enum type',
  summary:
    'ALTER TYPE … ADD VALUE locks the type, not a table: reads and writes of the columns that use it continue. It runs as a step of its own, committed before anything writes the value. ' +
    'It cannot be undone — PostgreSQL has no DROP VALUE — so it is the point of no return; removing a value (intent remove_enum_value) has no online path, and liveshift refuses it with the manual steps (a new type, every column converted, the old type dropped).',
  versions: [
    'PostgreSQL 12+: runs inside a transaction, but the value cannot be used before that transaction commits ("unsafe use of new value").',
    'PostgreSQL 11: cannot run inside a transaction block at all, so the step runs outside one (migration frameworks must not wrap it).',
  ],
  examples: [
    {
      title: "a value between two others (AFTER 'sad')",
      setup: [
        `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
        `CREATE TABLE users (id bigserial PRIMARY KEY, email text, mood mood NOT NULL DEFAULT 'ok')`,
        `INSERT INTO users (email, mood) SELECT 'u' || g, (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood FROM generate_series(1, ${EXAMPLE_ROWS}) AS g`,
        'ANALYZE users',
      ],
      change: { sql: `ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad'` },
      options: ONLINE,
      // ADD VALUE waits for the type's lock (on 11, where it runs outside a transaction): COMMENT ON TYPE holds a conflicting one
      blockingSql: `COMMENT ON TYPE mood IS 'held'`,
      traffic: ['SELECT * FROM users WHERE id = $1', `UPDATE users SET mood = 'happy' WHERE id = $1`, `SELECT mood, count(*) FROM users WHERE id < 100 GROUP BY mood ORDER BY mood`],
    },
  ],
};
