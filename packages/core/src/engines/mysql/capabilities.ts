import type { EngineInfo } from '../../schema/snapshot.js';

/**
 * MySQL and MariaDB share a dialect but not a timeline: each fact below names, per flavour, the
 * versions it holds for (major*10000 + minor*100 + patch) and where it comes from. MariaDB facts
 * marked [E] were measured on 10.11.19 (shared/reference/locks.md §3); MySQL facts come from the
 * MySQL 8.0/8.4 Reference Manual and are not run here (no MySQL server is installable on these
 * machines), so plans label them "from the MySQL manual".
 */
export type MysqlFlavour = 'mysql' | 'mariadb';

export interface FlavourRange {
  /** First version with the behaviour (inclusive). */
  since: number;
  /** First version without it (exclusive); absent = still true. */
  until?: number;
}

export interface MysqlCapability {
  mysql?: FlavourRange;
  mariadb?: FlavourRange;
  why: string;
  source: string;
}

export const MYSQL_CAPABILITIES = {
  /** ALGORITHM=INSTANT exists as a clause value. */
  instantAlgorithm: {
    mysql: { since: 80012 },
    mariadb: { since: 100307 },
    why: 'ALTER TABLE … ALGORITHM=INSTANT',
    source: 'MySQL 8.0 manual "Online DDL" (8.0.12); MariaDB ALTER TABLE docs (ALGORITHM=INSTANT, 10.3.7)',
  },
  /** ADD COLUMN as the last column without touching the rows. */
  instantAddColumnLast: {
    mysql: { since: 80012 },
    mariadb: { since: 100302 },
    why: 'instant ADD COLUMN (last position): data dictionary only, no rebuild',
    source: 'MySQL 8.0 manual "Online DDL Operations" (Adding a column); MariaDB instant ALTER docs (10.3.2); [E] on 10.11',
  },
  /** Instant DROP COLUMN. */
  instantDropColumn: {
    mysql: { since: 80029 },
    mariadb: { since: 100400 },
    why: 'instant DROP COLUMN: no rebuild',
    source: 'MySQL 8.0 manual "Online DDL Operations" (Dropping a column, 8.0.29); MariaDB MDEV-15562 (10.4); [E] on 10.11',
  },
  /**
   * MySQL 8.0.29 wrote instantly added or dropped columns in a redo format that could corrupt the
   * table on crash recovery and broke backups; liveshift uses INPLACE there instead.
   */
  instantColumnDefect: {
    mysql: { since: 80029, until: 80030 },
    why: 'MySQL 8.0.29 instant ADD/DROP COLUMN redo-log defect (tables could be corrupted on crash recovery; fixed in 8.0.30)',
    source: 'Percona blog "Percona XtraBackup 8.0.29 and INSTANT ADD/DROP Columns"; MySQL 8.0.30 release notes',
  },
  /** RENAME COLUMN a TO b syntax (CHANGE works everywhere). */
  renameColumnSyntax: {
    mysql: { since: 80003 },
    mariadb: { since: 100502 },
    why: 'ALTER TABLE … RENAME COLUMN a TO b',
    source: 'MySQL 8.0.3 release notes; MariaDB 10.5.2 release notes',
  },
  /** A metadata-only RENAME COLUMN. */
  instantRenameColumn: {
    mysql: { since: 80028 },
    mariadb: { since: 100302 },
    why: 'instant RENAME COLUMN (same type): no rebuild',
    source: 'MySQL 8.0 manual "Online DDL Operations" (Renaming a column, 8.0.28); [E] on MariaDB 10.11',
  },
  /** ALTER TABLE t WAIT n | NOWAIT: a per-statement metadata-lock wait. */
  waitNowait: {
    mariadb: { since: 100300 },
    why: 'ALTER TABLE … WAIT n | NOWAIT (the metadata-lock wait of one statement; same effect as lock_wait_timeout)',
    source: 'MariaDB docs "WAIT and NOWAIT" (10.3.0); [E] error 1205 on 10.11',
  },
  /** ALGORITHM=COPY, LOCK=NONE: a table copy that lets DML go on (online change buffer). */
  onlineCopy: {
    mariadb: { since: 110200 },
    why: 'ALTER TABLE … ALGORITHM=COPY, LOCK=NONE (the copy keeps reads and writes going)',
    source: 'MariaDB docs "Online Schema Change" (11.2); not available on 10.11 (locks.md §3.1)',
  },
  /** performance_schema.metadata_locks lists metadata locks. */
  metadataLocksTable: {
    mysql: { since: 80000 },
    mariadb: { since: 100502 },
    why: 'performance_schema.metadata_locks',
    source: 'MySQL 8.0 manual "The metadata_locks Table"; MariaDB 10.5.2 (instrument off by default) (locks.md §3.1)',
  },
  /** CHECK constraints are enforced (before, they were parsed and ignored). */
  enforcedChecks: {
    mysql: { since: 80016 },
    mariadb: { since: 100201 },
    why: 'CHECK constraints are enforced',
    source: 'MySQL 8.0.16 release notes; MariaDB 10.2.1 release notes',
  },
} as const satisfies Record<string, MysqlCapability>;

export type MysqlCapabilityName = keyof typeof MYSQL_CAPABILITIES;

export function flavourOf(engine: EngineInfo): MysqlFlavour {
  if (engine.name !== 'mysql' && engine.name !== 'mariadb') throw new Error(`internal error: ${engine.name} is not MySQL or MariaDB`);
  return engine.name;
}

export function hasMysqlCapability(engine: EngineInfo, name: MysqlCapabilityName): boolean {
  const range = (MYSQL_CAPABILITIES[name] as MysqlCapability)[flavourOf(engine)];
  return range !== undefined && engine.versionNum >= range.since && (range.until === undefined || engine.versionNum < range.until);
}

/**
 * InnoDB keeps at most 64 row versions from instant ADD/DROP COLUMN (MySQL 8.0.29+); past that the
 * next instant change is refused and the table must be rebuilt. liveshift cannot see the counter in
 * a snapshot (INFORMATION_SCHEMA.INNODB_TABLES.TOTAL_ROW_VERSIONS on the server), so it says so.
 */
export const MYSQL_INSTANT_ROW_VERSION_LIMIT = 64;

/** The oldest servers liveshift plans for; older ones get a clear refusal. */
export const MYSQL_MIN_SUPPORTED = 80000;
export const MARIADB_MIN_SUPPORTED = 100307;
/** Versions whose behaviour the lock claims were checked against: MariaDB measured on 10.11; MySQL from the 8.0/8.4 manual. */
export const MARIADB_VERIFIED = { from: 101100, to: 101199 };
export const MYSQL_MAX_KNOWN = 80499;

/** "10.11.19-MariaDB-0+deb12u1" / "8.0.36" → 101119 / 80036, as EngineInfo.versionNum. */
export function mysqlVersionNum(version: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new Error(`cannot read a MySQL/MariaDB version from "${version}"`);
  return Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
}

/** "from the MySQL manual" for MySQL plans: nothing about MySQL is run on these machines. */
export function sourceLabel(engine: EngineInfo): string {
  return flavourOf(engine) === 'mysql' ? ' (MySQL behaviour taken from the MySQL manual; not run by liveshift\'s tests)' : '';
}
