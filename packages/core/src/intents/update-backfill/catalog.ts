import { blockUsersRow, ONLINE, usersSetup, type IntentCatalogEntry } from '../catalog-entry.js';

export const updateBackfillCatalog: IntentCatalogEntry = {
  kind: 'backfill',
  title: 'Backfill (UPDATE) existing rows',
  summary:
    'UPDATE t SET … as one statement locks every row it changes until it commits. The plan runs it in keyset batches by primary key, each its own short transaction, resumable. ' +
    'Each batch changes only rows whose value still differs (or that the WHERE clause\'s "col IS NULL" still selects), so a batch run twice changes nothing twice; ' +
    'a change like x = x + 1 is refused. Without a way back given, the backfill is the point of no return.',
  versions: [],
  examples: [
    {
      title: 'fill missing emails from full_name',
      setup: usersSetup(),
      change: { sql: "UPDATE users SET email = lower(replace(full_name, ' ', '.')) || '@example.com' WHERE email IS NULL" },
      options: ONLINE,
      // row 10's email is NULL: the backfill must wait for it
      blockingSql: blockUsersRow(10),
    },
    {
      title: 'a random value per row, guarded by IS NULL',
      setup: usersSetup(),
      change: { sql: "UPDATE users SET email = md5(random()::text) || '@example.com' WHERE email IS NULL" },
      options: ONLINE,
      blockingSql: blockUsersRow(10),
    },
  ],
};
