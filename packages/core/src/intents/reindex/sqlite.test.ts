import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteOrders, sqliteSnapshot, sqliteUsers } from '../../engines/sqlite/fixtures.test-support.js';

const twoIndexes = sqliteOrders({
  indexes: [
    ...sqliteOrders().indexes,
    { name: 'orders_qty_idx', columns: ['qty'], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: 'CREATE INDEX "orders_qty_idx" ON "orders" ("qty")' },
  ],
});

describe('reindex on SQLite', () => {
  it('REINDEX INDEX → one REINDEX step in one write transaction, the write lock held for the build (scan), nothing to roll back', async () => {
    const plan = await planChange({ sql: 'REINDEX INDEX orders_user_idx' }, sqliteSnapshot(3045001));
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0]!;
    expect(step).toMatchObject({ kind: 'ddl', sql: ['REINDEX "orders_user_idx"'], transactional: true, rollback: { kind: 'none' } });
    expect(step.lock).toMatchObject({ mode: 'DATABASE WRITE', blocksWrites: true, blocksReads: false, duration: 'scan' });
    expect(step.caveats.join('\n')).toMatch(/every writer of the database waits for the whole build/);
    expect(plan.pointOfNoReturn).toBeNull();
  });

  it('REINDEX TABLE → one step per named index, with a warning about the constraint indexes it leaves', async () => {
    const plan = await planChange({ sql: 'REINDEX TABLE orders' }, sqliteSnapshot(3045001, sqliteUsers(), twoIndexes));
    expect(plan.steps.map((s) => s.sql)).toEqual([['REINDEX "orders_user_idx"'], ['REINDEX "orders_qty_idx"']]);
    expect(plan.warnings.join('\n')).toMatch(/sqlite_autoindex_/);
    await expect(planChange({ sql: 'REINDEX TABLE users' }, sqliteSnapshot(3045001))).rejects.toThrow(/users has no named indexes to rebuild/);
  });

  it('above the small-table threshold: refused as no online path, naming the flag that accepts the pause', async () => {
    const big = sqliteSnapshot(3045001, sqliteUsers(), sqliteOrders({ sizeBytes: 5e9, rowEstimate: 5e7 }));
    await expect(planChange({ sql: 'REINDEX INDEX orders_user_idx' }, big)).rejects.toThrow(/^SQLite has no online way to do this \(rebuilding index orders_user_idx\).*--small-table-bytes 5000000000/s);
    const accepted = await planChange({ sql: 'REINDEX INDEX orders_user_idx' }, big, { smallTableBytes: 6e9 });
    expect(accepted.steps[0]!.sql).toEqual(['REINDEX "orders_user_idx"']);
  });
});
