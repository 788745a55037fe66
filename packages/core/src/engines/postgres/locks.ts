import type { LockClaim, LockDuration, PgLockMode } from '../../plan/types.js';
import { PG_LOCK_MODES } from '../../plan/types.js';

/**
 * What each table lock mode blocks for ordinary traffic (locks.md §1.1, the docs' conflict table):
 * SELECT takes ACCESS SHARE (conflicts only with ACCESS EXCLUSIVE); INSERT/UPDATE/DELETE take
 * ROW EXCLUSIVE (conflicts with SHARE and stronger).
 */
export function blocksReads(mode: PgLockMode): boolean {
  return mode === 'ACCESS EXCLUSIVE';
}

export function blocksWrites(mode: PgLockMode): boolean {
  return PG_LOCK_MODES.indexOf(mode) >= PG_LOCK_MODES.indexOf('SHARE');
}

export function lockClaim(mode: PgLockMode, tables: string[], duration: LockDuration, alsoLocks?: LockClaim['alsoLocks']): LockClaim {
  const claim: LockClaim = { mode, tables, blocksReads: blocksReads(mode), blocksWrites: blocksWrites(mode), duration };
  return alsoLocks?.length ? { ...claim, alsoLocks } : claim;
}

export const NO_LOCK: LockClaim = { mode: 'none', tables: [], blocksReads: false, blocksWrites: false, duration: 'brief' };

/** pg_locks.mode spelling of a documented mode: "SHARE UPDATE EXCLUSIVE" → "ShareUpdateExclusiveLock". */
export function pgLocksModeName(mode: PgLockMode): string {
  return mode
    .toLowerCase()
    .split(' ')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('') + 'Lock';
}

export function strongerOrEqual(a: PgLockMode, b: PgLockMode): boolean {
  return PG_LOCK_MODES.indexOf(a) >= PG_LOCK_MODES.indexOf(b);
}
