import type { BenchCase } from './case.js';

const naiveSql = 'ALTER TABLE accounts ADD CONSTRAINT accounts_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES owners (id)';

/** The naive statement blocks writes to both tables while it checks every row; the plan adds it NOT VALID, then validates. */
export const addForeignKey: BenchCase = {
  name: 'add-foreign-key',
  title: 'adding a foreign key',
  naiveSql,
  planInput: { sql: naiveSql },
};
