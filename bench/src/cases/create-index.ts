import type { BenchCase } from './case.js';

const naiveSql = 'CREATE INDEX accounts_email_idx ON accounts (email)';

/** The naive build holds SHARE (no writes) for the whole build; the plan builds CONCURRENTLY. */
export const createIndex: BenchCase = {
  name: 'create-index',
  title: 'CREATE INDEX vs the concurrent build',
  naiveSql,
  planInput: { sql: naiveSql },
};
