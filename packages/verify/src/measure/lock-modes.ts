import { PG_LOCK_MODES, type PgLockMode } from '@liveshift/core';

/** pg_locks.mode → the documented name: "ShareUpdateExclusiveLock" → "SHARE UPDATE EXCLUSIVE". */
export function documentedMode(pgLocksMode: string): PgLockMode {
  const name = pgLocksMode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
  if (!(PG_LOCK_MODES as readonly string[]).includes(name)) throw new Error(`unknown lock mode ${pgLocksMode}`);
  return name as PgLockMode;
}

export function strongest(modes: readonly PgLockMode[]): PgLockMode | undefined {
  return [...modes].sort((a, b) => PG_LOCK_MODES.indexOf(b) - PG_LOCK_MODES.indexOf(a))[0];
}

export function isStronger(a: PgLockMode, than: PgLockMode): boolean {
  return PG_LOCK_MODES.indexOf(a) > PG_LOCK_MODES.indexOf(than);
}
