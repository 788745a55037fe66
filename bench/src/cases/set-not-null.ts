import type { BenchCase } from './case.js';

const naiveSql = 'ALTER TABLE accounts ALTER COLUMN full_name SET NOT NULL';

/** The naive statement scans the table under ACCESS EXCLUSIVE; the plan validates a CHECK first, under a lock that lets reads and writes through. */
export const setNotNull: BenchCase = {
  name: 'set-not-null',
  title: 'SET NOT NULL',
  naiveSql,
  planInput: { sql: naiveSql },
};
