import { EXAMPLE_ROWS, ONLINE, type IntentCatalogEntry } from '../catalog-entry.js';

/**
 * events partitioned by day: 2023 and (unless `withDefault` is false) a DEFAULT partition holding
 * a few late rows; events_2024 is a loaded table that is not a partition yet.
 */
export function eventsSetup(options: { withDefault?: boolean } = {}): string[] {
  const withDefault = options.withDefault !== false;
  return [
    `CREATE TABLE events (id bigint NOT NULL, day date NOT NULL, kind text, PRIMARY KEY (id, day)) PARTITION BY RANGE (day)`,
    'CREATE INDEX events_kind_idx ON events (kind)',
    `CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')`,
    ...(withDefault ? ['CREATE TABLE events_other PARTITION OF events DEFAULT'] : []),
    `INSERT INTO events SELECT g, '2023-01-01'::date + (g % 365), 'k' || (g % 7) FROM generate_series(1, ${EXAMPLE_ROWS}) AS g`,
    ...(withDefault ? [`INSERT INTO events SELECT g, '2030-01-01', 'late' FROM generate_series(${EXAMPLE_ROWS + 1}, ${EXAMPLE_ROWS + 500}) AS g`] : []),
    `CREATE TABLE events_2024 (id bigint NOT NULL, day date NOT NULL, kind text)`,
    `INSERT INTO events_2024 SELECT g, '2024-01-01'::date + (g % 366), 'k' || (g % 7) FROM generate_series(${EXAMPLE_ROWS + 1000}, ${EXAMPLE_ROWS * 2}) AS g`,
    'ANALYZE events_2023',
    'ANALYZE events_2024',
  ];
}

/** Reads and writes through the partitioned table, valid before and after the change. */
export const EVENTS_TRAFFIC = [
  `SELECT count(*) FROM events WHERE day = '2023-01-01'::date + ($1::int % 365)`,
  `UPDATE events SET kind = kind WHERE id = $1 AND day >= '2023-01-01' AND day < '2024-01-01'`,
];

export const attachPartitionCatalog: IntentCatalogEntry = {
  kind: 'attach_partition',
  title: 'Attach a partition',
  summary:
    'ATTACH PARTITION would scan the new partition (and a DEFAULT partition) to check the bound while holding ACCESS EXCLUSIVE on them, and build the partitioned table\'s indexes on it under that lock. ' +
    'The plan builds those indexes CONCURRENTLY, proves the bound with CHECK constraints added NOT VALID and validated under SHARE UPDATE EXCLUSIVE (on the partition, and its negation on the DEFAULT partition), so the ATTACH reads nothing; then it drops the CHECKs.',
  versions: [
    'PostgreSQL 12+: ATTACH takes SHARE UPDATE EXCLUSIVE on the partitioned table (reads and writes continue); 11 takes ACCESS EXCLUSIVE, for a moment only since nothing is scanned.',
    'Bounds the CHECK proves: one-column range and list keys with constant bounds, hash keys; other bounds (a DEFAULT partition, several range columns, expression keys) make the ATTACH scan, refused on 11 unless the partition is small.',
  ],
  examples: [
    {
      title: 'a range partition, with a DEFAULT partition present',
      setup: eventsSetup(),
      change: { sql: `ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')` },
      options: ONLINE,
      blockingSql: `UPDATE events_2024 SET kind = kind WHERE id = ${EXAMPLE_ROWS + 1000}`,
      traffic: EVENTS_TRAFFIC,
    },
  ],
};
