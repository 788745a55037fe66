import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';

describe('add foreign key on SQLite', () => {
  it('an orphan check, then a rebuild with the constraint', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users ON DELETE CASCADE' }, sqliteSnapshot(3045001));
    expect(plan.steps.map((s) => s.kind)).toEqual(['validate', 'ddl']);
    expect(plan.steps[0]!.checkpoint?.sql).toBe('SELECT NOT EXISTS (SELECT 1 FROM "orders" AS c WHERE c."user_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "users" AS p WHERE p."id" = c."user_id"))');
    expect(plan.steps[1]!.sql[2]).toContain('CONSTRAINT "orders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE');
    expect(plan.steps[1]!.caveats.join(' ')).toMatch(/PRAGMA foreign_keys = ON/);
  });

  it('a referenced column that is neither the primary key nor unique is refused', async () => {
    await expect(planChange({ sql: 'ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (email)' }, sqliteSnapshot(3045001))).rejects.toThrow(/main\.users \(email\) is neither its primary key nor unique/);
  });
});
