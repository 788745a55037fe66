import { ONLINE, type IntentCatalogEntry } from '../catalog-entry.js';
import { eventsSetup } from '../attach-partition/catalog.js';

/** Reads only: once 2023 is detached, writes of 2023 rows would have no partition to go to. */
const READS = [`SELECT count(*) FROM events WHERE kind = 'k' || ($1::int % 7) AND day < '2023-02-01'`];

export const detachPartitionCatalog: IntentCatalogEntry = {
  kind: 'detach_partition',
  title: 'Detach a partition',
  summary:
    'From PostgreSQL 14 the plan detaches CONCURRENTLY: SHARE UPDATE EXCLUSIVE on the partitioned table, outside a transaction, leaving a CHECK copy of the bound so the partition can be attached again without a scan. ' +
    'Where that is not available (11–13, or a DEFAULT partition exists) the plain DETACH takes ACCESS EXCLUSIVE on the partitioned table for a catalog change only — brief, bounded by lock_timeout — and says so. A foreign key referencing the partitioned table from a large table is refused (DETACH would check it under SHARE).',
  versions: [
    'PostgreSQL 14+: DETACH PARTITION … CONCURRENTLY, not allowed while a DEFAULT partition exists.',
    'PostgreSQL 11–13: plain DETACH, ACCESS EXCLUSIVE on the partitioned table (SHARE UPDATE EXCLUSIVE on the partition; 14+ takes ACCESS EXCLUSIVE on it).',
  ],
  examples: [
    {
      title: 'a range partition, no DEFAULT partition',
      setup: eventsSetup({ withDefault: false }),
      change: { sql: 'ALTER TABLE events DETACH PARTITION events_2023' },
      options: ONLINE,
      // DETACH … CONCURRENTLY waits for ACCESS EXCLUSIVE on the partition, holding SHARE UPDATE EXCLUSIVE on events
      blockingSql: 'SELECT count(*) FROM events_2023',
      traffic: READS,
    },
    {
      title: 'with a DEFAULT partition: the plain DETACH on every version',
      setup: eventsSetup(),
      change: { sql: 'ALTER TABLE events DETACH PARTITION events_2023' },
      options: ONLINE,
      blockingSql: 'SELECT count(*) FROM events_2023',
      traffic: READS,
    },
  ],
};
