import type { BenchCase } from './case.js';

const naiveSql = 'ALTER TABLE accounts ADD COLUMN flagged boolean NOT NULL DEFAULT false';

/**
 * A catalog-only change (a constant default needs no rewrite) meets a long transaction that read
 * the table. The naive ALTER queues for ACCESS EXCLUSIVE behind it and every application query
 * queues behind the ALTER; the plan's ALTER gives up after lock_timeout, lets the queue drain and
 * retries.
 */
export const lockQueue: BenchCase = {
  name: 'lock-queue',
  title: 'a long transaction holds the table when the change arrives',
  naiveSql,
  planInput: { sql: naiveSql },
  longTransaction: true,
};
