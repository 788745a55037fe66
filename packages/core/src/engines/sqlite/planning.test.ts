import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteOrders, sqliteSnapshot, sqliteUsers } from './fixtures.test-support.js';

/** On a table above the small-table threshold every SQLite intent either plans or says plainly that SQLite has no online path. */
const CHANGES = [
  'ALTER TABLE users ADD COLUMN nickname text',
  "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'x'",
  'ALTER TABLE users ADD COLUMN created_at text DEFAULT CURRENT_TIMESTAMP',
  'ALTER TABLE users RENAME COLUMN full_name TO display_name',
  'ALTER TABLE users DROP COLUMN email',
  'CREATE INDEX ON users (email)',
  'DROP INDEX orders_user_idx',
  'ALTER TABLE users ALTER COLUMN email SET NOT NULL',
  'ALTER TABLE orders ALTER COLUMN qty TYPE text',
  'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users',
  'ALTER TABLE orders ADD CHECK (qty > 0)',
  'ALTER TABLE orders RENAME TO purchases',
  'DROP TABLE orders',
  "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'x'",
  'ALTER TABLE users ADD UNIQUE (email)',
  "UPDATE users SET email = lower(full_name) || '@example.com' WHERE email IS NULL",
  'REINDEX INDEX orders_user_idx',
];

describe('SQLite plans on a big table', () => {
  const big = sqliteSnapshot(3045001, sqliteUsers({ sizeBytes: 5e9, rowEstimate: 5e7 }), sqliteOrders({ sizeBytes: 5e9, rowEstimate: 5e7 }));

  it.each(CHANGES)('%s: a plan whose steps hold the write lock only briefly or a batch at a time, or "no online way"', async (sql) => {
    try {
      const plan = await planChange({ sql }, big);
      for (const step of plan.steps) expect(['brief', 'rows', 'scan'].includes(step.lock.duration) && !(step.lock.duration === 'scan' && step.lock.blocksWrites), `${step.title}: ${step.lock.duration}`).toBe(true);
    } catch (error) {
      expect((error as Error).message).toMatch(/^SQLite has no online way to do this/);
    }
  });

  it('what stays online on a big table', async () => {
    const online = [];
    for (const sql of CHANGES) {
      try {
        await planChange({ sql }, big);
        online.push(sql);
      } catch {
        // refused: no online path
      }
    }
    expect(online).toEqual([
      'ALTER TABLE users ADD COLUMN nickname text',
      "ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'x'",
      'DROP INDEX orders_user_idx',
      'ALTER TABLE orders RENAME TO purchases',
      'DROP TABLE orders',
      "UPDATE users SET email = lower(full_name) || '@example.com' WHERE email IS NULL",
    ]);
  });
});
