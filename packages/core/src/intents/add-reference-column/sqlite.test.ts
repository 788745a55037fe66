import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

describe('add reference column on SQLite', () => {
  it('nullable: ADD COLUMN with its own named REFERENCES (catalog only), then the index', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD COLUMN buyer_id integer REFERENCES users ON DELETE SET NULL' }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => s.sql)).toEqual([
      ['ALTER TABLE "orders" ADD COLUMN "buyer_id" INTEGER CONSTRAINT "orders_buyer_id_fkey" REFERENCES "users" ("id") ON DELETE SET NULL'],
      ['CREATE INDEX "orders_buyer_id_idx" ON "orders" ("buyer_id")'],
    ]);
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['ALTER TABLE "orders" DROP COLUMN "buyer_id"'] });
  });

  it('NOT NULL is refused with the way there', async () => {
    await expect(planChange({ sql: 'ALTER TABLE orders ADD COLUMN buyer_id integer NOT NULL DEFAULT 1 REFERENCES users' }, sqliteSnapshot(3045001))).rejects.toThrow(/only nullable without a default.*set_not_null/s);
  });

  it('a big table gets the column but no index, with a warning that says why', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN referrer_id integer REFERENCES users' }, sqliteSnapshot(3045001, sqliteUsers({ sizeBytes: 5e9 })));
    expect(plan.steps).toHaveLength(1);
    expect(plan.warnings.join(' ')).toMatch(/No index on referrer_id.*no concurrent build/);
  });
});
