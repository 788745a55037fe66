import type { EngineInfo } from '../../schema/snapshot.js';

/**
 * Version-dependent facts as data. Each names the server_version_num range it holds for and the
 * source it was checked against (../shared/reference/locks.md, measured on 11.22 … 18.4).
 */
export interface Capability {
  /** First server_version_num with the behaviour (inclusive). */
  since: number;
  /** First server_version_num without it (exclusive); absent = still true. */
  until?: number;
  why: string;
  source: string;
}

export const PG_CAPABILITIES = {
  /** ADD COLUMN … DEFAULT <non-volatile> stores the default in the catalog: no rewrite. */
  fastConstantDefault: {
    since: 110000,
    why: 'ADD COLUMN with a non-volatile default is catalog-only (no table rewrite)',
    source: 'PostgreSQL 11 release notes; locks.md §1.2 [E]',
  },
  /** SET NOT NULL skips its full scan when a validated CHECK (col IS NOT NULL) exists. */
  setNotNullUsesCheck: {
    since: 120000,
    why: 'SET NOT NULL skips the table scan when a validated CHECK (c IS NOT NULL) proves it',
    source: 'PostgreSQL 12 release notes; locks.md §1.2 [E] (11.22 still scans)',
  },
  /** CREATE TRIGGER … EXECUTE FUNCTION (EXECUTE PROCEDURE before 11). */
  executeFunctionSyntax: {
    since: 110000,
    why: 'CREATE TRIGGER … EXECUTE FUNCTION syntax',
    source: 'PostgreSQL 11 release notes',
  },
  /** CREATE/REINDEX … CONCURRENTLY could corrupt indexes on 14.0–14.3. */
  concurrentIndexCorruptionBug: {
    since: 140000,
    until: 140004,
    why: 'CREATE INDEX CONCURRENTLY / REINDEX CONCURRENTLY could build corrupt indexes (fixed in 14.4)',
    source: 'PostgreSQL 14.4 release notes; strong_migrations add_index_corruption',
  },
  reindexConcurrently: {
    since: 120000,
    why: 'REINDEX … CONCURRENTLY',
    source: 'PostgreSQL 12 release notes',
  },
  detachPartitionConcurrently: {
    since: 140000,
    why: 'ALTER TABLE … DETACH PARTITION … CONCURRENTLY',
    source: 'PostgreSQL 14 release notes',
  },
  notNullNotValid: {
    since: 180000,
    why: 'ADD CONSTRAINT … NOT NULL col NOT VALID',
    source: 'PostgreSQL 18 docs; locks.md §1.2 [E]',
  },
  /** ADD FOREIGN KEY … NOT VALID on a partitioned table (11–17 refuse it). */
  foreignKeyNotValidOnPartitioned: {
    since: 180000,
    why: 'ADD CONSTRAINT … FOREIGN KEY … NOT VALID on a partitioned table',
    source: 'PostgreSQL 17 docs ("foreign key constraints on partitioned tables may not be declared NOT VALID"); locks.md §1.2 [E]',
  },
  /** ALTER COLUMN … TYPE between timestamp and timestamptz keeps the table when the session TimeZone is UTC. */
  timestampToTimestamptzInUtcWithoutRewrite: {
    since: 120000,
    why: 'ALTER COLUMN … TYPE timestamptz (or back to timestamp) without a table rewrite when the session TimeZone is UTC (indexes on the column are still rebuilt)',
    source: 'PostgreSQL 12 release notes; locks.md §1.3 [E] (11.22 rewrites)',
  },
  /** ALTER TYPE … ADD VALUE inside a transaction block (the new value is usable only after commit). */
  enumAddValueInTransaction: {
    since: 120000,
    why: 'ALTER TYPE … ADD VALUE inside a transaction block (the value cannot be used before the transaction commits)',
    source: 'PostgreSQL 12 release notes; locks.md §1.2 [E] (11 refuses it in a transaction block)',
  },
  /** ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on the partitioned table instead of ACCESS EXCLUSIVE. */
  attachPartitionShareUpdateExclusive: {
    since: 120000,
    why: 'ALTER TABLE … ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on the partitioned table (ACCESS EXCLUSIVE on 11)',
    source: 'PostgreSQL 12 release notes; locks.md §1.2 [E]',
  },
} as const satisfies Record<string, Capability>;

export type CapabilityName = keyof typeof PG_CAPABILITIES;

export function hasCapability(engine: EngineInfo, name: CapabilityName): boolean {
  const c: Capability = PG_CAPABILITIES[name];
  return engine.versionNum >= c.since && (c.until === undefined || engine.versionNum < c.until);
}

/** The oldest server liveshift plans for; older ones get a clear refusal. */
export const PG_MIN_SUPPORTED = 110000;
export const PG_MAX_KNOWN = 189999;
