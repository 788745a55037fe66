import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';
import { SQLITE_INTENTS } from '../../engines/sqlite/planning.js';
import { SUPPORTED_INTENTS } from '../types.js';

describe('partitions on SQLite', () => {
  it('attach_partition (also from ALTER TABLE … ATTACH PARTITION) is refused: SQLite has no partitions', async () => {
    await expect(planChange({ sql: "ALTER TABLE measurements ATTACH PARTITION measurements_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')" }, sqliteSnapshot(3045001))).rejects.toThrow(
      /^attach_partition is not planned on SQLite: SQLite has no partitions .*measurements_2026 cannot be attached to measurements/s,
    );
  });

  it('detach_partition is refused the same way, before any table is looked up', async () => {
    await expect(planChange({ intents: [{ kind: 'detach_partition', table: 'users', partition: 'users_old' }] }, sqliteSnapshot(3045001))).rejects.toThrow(
      /^detach_partition is not planned on SQLite: SQLite has no partitions .*users_old cannot be detached from users/s,
    );
  });

  it('every intent kind either has a SQLite plan (and is in the list the generic refusal names) or is one of the four PostgreSQL-only kinds refused with a SQLite reason', () => {
    const planned: readonly string[] = SQLITE_INTENTS;
    expect(SUPPORTED_INTENTS.map((i) => i.kind).filter((k) => !planned.includes(k)).sort()).toEqual(['add_enum_value', 'attach_partition', 'detach_partition', 'remove_enum_value']);
  });
});
