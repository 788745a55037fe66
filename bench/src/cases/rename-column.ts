import type { BenchCase } from './case.js';

const naiveSql = 'ALTER TABLE accounts RENAME COLUMN full_name TO display_name';

/**
 * The rename itself is instant, but the application reading full_name breaks: the new code is
 * deployed as soon as the statement commits, and until it is live (the run's deploy lag) every
 * query of the old code fails. The plan expands (new column, dual writes, backfill), switches
 * reads, then contracts.
 */
export const renameColumn: BenchCase = {
  name: 'rename-column',
  title: 'rename with the workload reading the column',
  naiveSql,
  planInput: { sql: naiveSql },
};
