import { EXAMPLE_ROWS, ONLINE, type IntentCatalogEntry } from '../catalog-entry.js';

/** An events table without a primary key; `nullableId` leaves id nullable, as many such tables have it. */
function eventsSetup(options: { nullableId?: boolean } = {}): string[] {
  return [
    `CREATE TABLE events (id bigint${options.nullableId ? '' : ' NOT NULL'}, name text NOT NULL)`,
    `INSERT INTO events (id, name) SELECT g, 'event ' || g FROM generate_series(1, ${EXAMPLE_ROWS}) AS g`,
    'ANALYZE events',
  ];
}

const EVENTS_TRAFFIC = ['SELECT * FROM events WHERE id = $1', 'UPDATE events SET name = name WHERE id = $1'];

export const addPrimaryKeyCatalog: IntentCatalogEntry = {
  kind: 'add_primary_key',
  title: 'Add a primary key',
  summary:
    'ADD PRIMARY KEY (cols) builds its index under ACCESS EXCLUSIVE and, for a nullable column, first scans the table to set NOT NULL. ' +
    'The plan makes the columns NOT NULL without a scan under that lock (CHECK NOT VALID, VALIDATE, SET NOT NULL), checks for duplicates, ' +
    'builds the unique index CONCURRENTLY, then attaches it with ADD CONSTRAINT … PRIMARY KEY USING INDEX, a brief catalog change.',
  versions: [
    'PostgreSQL 12+: nullable key columns are made NOT NULL first, through a validated CHECK, without a scan under ACCESS EXCLUSIVE.',
    'PostgreSQL 11 cannot set NOT NULL without that scan: a primary key on a nullable column of a large table is refused, with the steps to take instead.',
    'PostgreSQL 14.0–14.3: concurrent builds could corrupt indexes; liveshift refuses them there and asks for 14.4 or later.',
  ],
  examples: [
    {
      title: 'on a NOT NULL column',
      setup: eventsSetup(),
      change: { sql: 'ALTER TABLE events ADD PRIMARY KEY (id)' },
      options: ONLINE,
      blockingSql: 'UPDATE events SET name = name WHERE id = 1',
      traffic: EVENTS_TRAFFIC,
    },
    {
      title: 'on a nullable column (made NOT NULL first)',
      setup: eventsSetup({ nullableId: true }),
      change: { sql: 'ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (id)' },
      options: ONLINE,
      blockingSql: 'UPDATE events SET name = name WHERE id = 1',
      traffic: EVENTS_TRAFFIC,
      minVersionNum: 120000,
    },
  ],
};
