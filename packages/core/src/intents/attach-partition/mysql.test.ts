import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlSnapshot } from '../mysql-fixtures.test-support.js';

describe('partition intents on MySQL/MariaDB', () => {
  it('attach_partition is refused (even for tables the snapshot lacks): PostgreSQL declarative partitioning; EXCHANGE PARTITION named, its locking not planned', async () => {
    await expect(planChange({ intents: [{ kind: 'attach_partition', table: 'measurements', partition: 'measurements_2026', bound: "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')" }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(
      /^attach_partition is not planned on MySQL\/MariaDB: it describes PostgreSQL declarative partitioning.*ALTER TABLE measurements EXCHANGE PARTITION <partition> WITH TABLE measurements_2026.*liveshift has not measured, so it does not plan them/s,
    );
  });

  it('detach_partition is refused the same way', async () => {
    await expect(planChange({ intents: [{ kind: 'detach_partition', table: 'users', partition: 'users_old' }] }, mysqlSnapshot(MARIADB_10_11))).rejects.toThrow(
      /^detach_partition is not planned on MySQL\/MariaDB: it describes PostgreSQL declarative partitioning.*EXCHANGE PARTITION <partition> WITH TABLE <empty table>.*DROP PARTITION/s,
    );
  });
});
