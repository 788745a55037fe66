import type { BenchCase } from './case.js';

const naiveSql = 'ALTER TABLE accounts ALTER COLUMN score TYPE bigint';

/** The naive statement rewrites the table under ACCESS EXCLUSIVE; the plan copies into a new column through a trigger and a batched backfill, then swaps. */
export const intToBigint: BenchCase = {
  name: 'int-to-bigint',
  title: 'int → bigint column type change',
  naiveSql,
  planInput: { sql: naiveSql },
};
