import type { LockClaim, LockDuration } from '../../plan/types.js';

/**
 * SQLite has one lock that matters for schema changes: the database-wide write lock (locks.md
 * §4.3). Every DDL and every write takes it for the length of its transaction, so a claim always
 * blocks writers of every table; readers go on in WAL mode, and in rollback-journal mode they are
 * held back while the commit takes the EXCLUSIVE lock (PENDING stops new readers).
 */
export function databaseWriteLock(tables: string[], duration: LockDuration): LockClaim {
  return { mode: 'DATABASE WRITE', tables, blocksReads: false, blocksWrites: true, duration };
}

/** Said on every SQLite database step: what the write lock means in each journal mode. */
export const WRITE_LOCK_CAVEAT =
  'SQLite locks the whole database, not the table: while this step writes, every other writer (on any table) waits for it, within its own busy_timeout. ' +
  'In WAL mode readers keep reading the last committed state throughout; in rollback-journal mode (the default unless the application sets journal_mode=WAL) readers are also held back while the commit takes the exclusive lock.';

/** A read-only check takes a read transaction: it never blocks writers in WAL mode. */
export const READ_CHECK_CAVEAT =
  'Reads only, in one read transaction: in WAL mode it blocks no one; in rollback-journal mode its SHARED lock makes a writer\'s commit wait until the read ends.';
