import type { LockClaim, LockDuration, MysqlAlgorithm, MysqlLockMode } from '../../plan/types.js';

/**
 * A MySQL/MariaDB DDL step's claim: the ALGORITHM= and LOCK= it states. LOCK=NONE lets reads and
 * writes go on, LOCK=SHARED only reads, LOCK=EXCLUSIVE neither; every ALTER still takes an exclusive
 * metadata lock briefly at its start and end (locks.md §2.1, §3.1), which the step's lock_wait_timeout bounds.
 */
export function ddlClaim(algorithm: MysqlAlgorithm, lock: MysqlLockMode, tables: string[], duration: LockDuration): LockClaim {
  return { mode: lock, algorithm, tables, blocksReads: lock === 'LOCK=EXCLUSIVE', blocksWrites: lock !== 'LOCK=NONE', duration };
}

/** Plain DML and queries (a backfill batch, a check): row locks or none, never a table lock. */
export function dmlClaim(tables: string[], duration: 'rows' | 'scan'): LockClaim {
  return { mode: 'LOCK=NONE', tables, blocksReads: false, blocksWrites: false, duration };
}

/**
 * RENAME TABLE, DROP TABLE, CREATE/DROP VIEW: no ALGORITHM=/LOCK= clause exists; the statement waits
 * for and takes the exclusive metadata lock of what it names, for a catalog change of milliseconds.
 */
export function metadataClaim(tables: string[]): LockClaim {
  return { mode: 'LOCK=EXCLUSIVE', tables, blocksReads: true, blocksWrites: true, duration: 'brief' };
}
