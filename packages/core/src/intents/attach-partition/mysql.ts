import type { AttachPartitionIntent, DetachPartitionIntent } from '../types.js';
import { PlanningError } from '../../errors.js';

/**
 * attach_partition and detach_partition name PostgreSQL declarative partitioning (a partition is a
 * table of its own, attached with a bound). MySQL/MariaDB partitions are parts of one table, changed
 * with ALTER TABLE … PARTITION BY / ADD / DROP / REORGANIZE / EXCHANGE PARTITION, each with locking of
 * its own that liveshift has not measured: refused, saying so.
 */
export function partitionRefusalMysql(intent: AttachPartitionIntent | DetachPartitionIntent, statement: string): PlanningError {
  const name = (t: AttachPartitionIntent['table']) => (typeof t === 'string' ? t : `${t.schema}.${t.name}`);
  const mysqlWay =
    intent.kind === 'attach_partition'
      ? `the nearest MySQL/MariaDB operation is ALTER TABLE ${name(intent.table)} EXCHANGE PARTITION <partition> WITH TABLE ${name(intent.partition)}, which swaps a table's rows into an existing partition (and checks every row against the partition's bound unless WITHOUT VALIDATION)`
      : `the nearest MySQL/MariaDB operations are ALTER TABLE ${name(intent.table)} EXCHANGE PARTITION <partition> WITH TABLE <empty table> (moving a partition's rows out into a table) and DROP PARTITION`;
  return new PlanningError(
    `${intent.kind} is not planned on MySQL/MariaDB: it describes PostgreSQL declarative partitioning, where a partition is a table of its own attached to its parent with a bound. ` +
      `MySQL and MariaDB partitions are parts of one table, made with ALTER TABLE … PARTITION BY and changed with ADD / DROP / REORGANIZE / EXCHANGE PARTITION; ${mysqlWay}. ` +
      `Those statements have their own locking (most take the table's exclusive metadata lock or copy the partitions they change) that liveshift has not measured, so it does not plan them: run them yourself after checking the manual's "Partitioning and Locking" section.`,
    statement,
  );
}
