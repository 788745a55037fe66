import { describe, expect, it } from 'vitest';
import { planChange } from '../planner.js';
import { ordersTable, snapshotOf, usersTable } from '../intents/fixtures.test-support.js';

const online = { smallTableBytes: 0 };

describe('several statements in one plan', () => {
  it('same_table_in_order: the index on a new NOT NULL column comes after its backfill and NOT NULL steps', async () => {
    const plan = await planChange(
      { sql: 'ALTER TABLE users ADD COLUMN locale text NOT NULL; CREATE INDEX users_locale_idx ON users (locale);' },
      snapshotOf(180004, usersTable()),
      { ...online, backfill: "'en'" },
    );
    const index = plan.steps.findIndex((s) => s.sql.some((q) => q.includes('CREATE INDEX CONCURRENTLY')));
    const lastOfColumn = plan.steps.findLastIndex((s) => s.changes.some((c) => 'column' in c && c.column === 'locale') || s.backfill !== undefined);
    expect(index).toBeGreaterThan(lastOfColumn);
    expect(plan.steps[index]!.deploy).toBe(plan.steps[lastOfColumn]!.deploy);
    expect(plan.steps.map((s) => s.n)).toEqual(plan.steps.map((_, i) => i + 1));
  });

  it('other_tables_merge_deploys: an index on orders ships in release A beside the rename of users, not after its last deploy', async () => {
    const plan = await planChange(
      { sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name; CREATE INDEX orders_user_id_idx ON orders (user_id);' },
      snapshotOf(180004, usersTable(), ordersTable()),
      online,
    );
    const index = plan.steps.find((s) => s.sql.some((q) => q.includes('orders_user_id_idx')))!;
    expect(index.deploy).toBe('A');
    expect(plan.releases.map((r) => r.release)).toEqual(['A', 'A+1', 'A+2', 'A+3']);
    // within release A the rename's step comes first (input order), then the index
    expect(plan.steps.filter((s) => s.deploy === 'A').map((s) => s.title)).toEqual([expect.stringContaining('display_name'), index.title]);
    // the point of no return is still the drop of full_name, the last step
    expect(plan.pointOfNoReturn?.step).toBe(plan.steps.length);
  });

  it('a_foreign_key_joins_both_tables: an intent locking the referenced table queues after an earlier change to it', async () => {
    const plan = await planChange(
      { sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name; ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);' },
      snapshotOf(180004, usersTable(), ordersTable()),
      online,
    );
    const fk = plan.steps.filter((s) => s.title.includes('orders_user_id_fkey'));
    expect(fk.every((s) => s.deploy === 'A+3')).toBe(true);
    expect(fk[0]!.n).toBeGreaterThan(plan.steps.find((s) => s.title.includes('Drop column full_name'))!.n);
  });
});
