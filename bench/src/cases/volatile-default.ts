import type { BenchCase } from './case.js';

const naiveSql = 'ALTER TABLE accounts ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()';

/** A volatile default makes the naive statement rewrite the table under ACCESS EXCLUSIVE; the plan adds it nullable, backfills in batches, then proves NOT NULL with a CHECK. */
export const volatileDefault: BenchCase = {
  name: 'volatile-default',
  title: 'NOT NULL column with a volatile default',
  naiveSql,
  planInput: { sql: naiveSql },
};
