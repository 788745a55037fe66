import type { BenchCase } from './case.js';
import { fullName } from '../application.js';

const naiveSql = 'ALTER TABLE accounts RENAME COLUMN full_name TO display_name';

/**
 * The rename itself is instant, but the application reading full_name breaks: even with the new
 * code deployed the moment the statement commits, queries already sent fail. The plan expands
 * (new column, dual writes, backfill), switches reads, then contracts.
 */
export const renameColumn: BenchCase = {
  name: 'rename-column',
  title: 'rename with the workload reading the column',
  naiveSql,
  planInput: { sql: naiveSql },
  column: { ...fullName, after: 'display_name' },
};
