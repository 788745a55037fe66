import type { AttachPartitionIntent, DetachPartitionIntent } from '../types.js';
import { PlanningError } from '../../errors.js';

/**
 * attach_partition and detach_partition name PostgreSQL declarative partitioning. SQLite has no
 * partitioned tables: every table is one b-tree in the database file. Refused, saying so.
 */
export function partitionRefusalSqlite(intent: AttachPartitionIntent | DetachPartitionIntent, statement: string): PlanningError {
  const name = (t: AttachPartitionIntent['table']) => (typeof t === 'string' ? t : `${t.schema}.${t.name}`);
  return new PlanningError(
    `${intent.kind} is not planned on SQLite: SQLite has no partitions (no PARTITION BY, no ATTACH/DETACH PARTITION; every table is one b-tree), so ${name(intent.partition)} cannot be ${intent.kind === 'attach_partition' ? 'attached to' : 'detached from'} ${name(intent.table)}. ` +
      `What applications do instead is keep separate tables (or separate database files, joined with ATTACH DATABASE) and choose one in the application, or read them together through a UNION ALL view; those are changes of their own (create_table, drop_table), not a partition operation.`,
    statement,
  );
}
