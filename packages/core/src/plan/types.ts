import type { ColumnSchema, ConstraintSchema, EngineInfo, IndexSchema, TableRef, TriggerSchema } from '../schema/snapshot.js';
import type { Intent } from '../intents/types.js';

export const PLAN_FORMAT = 'liveshift.plan';
export const PLAN_VERSION = 1;

export type StepKind = 'ddl' | 'backfill' | 'validate' | 'app';

/** PostgreSQL table-level lock modes, weakest to strongest, as the docs name them. */
export const PG_LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type PgLockMode = (typeof PG_LOCK_MODES)[number];

/**
 * MySQL/MariaDB: the concurrency an online ALTER allows, as its LOCK= clause names it. Every DDL
 * step states it (with ALGORITHM=) so the server refuses instead of silently copying the table;
 * the metadata lock each ALTER also takes is exclusive only briefly at its start and end.
 */
export const MYSQL_LOCK_MODES = ['LOCK=NONE', 'LOCK=SHARED', 'LOCK=EXCLUSIVE'] as const;
export type MysqlLockMode = (typeof MYSQL_LOCK_MODES)[number];

/** MySQL/MariaDB ALTER TABLE algorithms, cheapest first (NOCOPY is MariaDB's). */
export const MYSQL_ALGORITHMS = ['INSTANT', 'NOCOPY', 'INPLACE', 'COPY'] as const;
export type MysqlAlgorithm = (typeof MYSQL_ALGORITHMS)[number];

/**
 * SQLite locks the whole database, not a table: a writer holds the database write lock until it
 * commits (in WAL mode readers go on; in rollback-journal mode they wait for the commit).
 */
export const SQLITE_LOCK_MODES = ['DATABASE WRITE'] as const;
export type SqliteLockMode = (typeof SQLITE_LOCK_MODES)[number];

/** Every lock mode a claim may name, whatever the engine. */
export const LOCK_MODES = [...PG_LOCK_MODES, ...MYSQL_LOCK_MODES, ...SQLITE_LOCK_MODES] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/**
 * How long the lock is held:
 * - brief: catalog change only, milliseconds once granted;
 * - scan: held while the table is read once (no rewrite);
 * - rewrite: held while the table (and indexes) are rewritten;
 * - rows: only row locks, a batch at a time.
 */
export type LockDuration = 'brief' | 'scan' | 'rewrite' | 'rows';

export interface LockClaim {
  /**
   * Strongest table lock the step takes on `tables` in the engine's own vocabulary (PostgreSQL
   * lock modes, MySQL/MariaDB LOCK= levels, SQLite's database write lock); "none" for application steps.
   */
  mode: LockMode | 'none';
  /** MySQL/MariaDB DDL: the ALGORITHM= the statement states (absent on other engines and for DML). */
  algorithm?: MysqlAlgorithm;
  /** Tables locked with `mode`, schema-qualified. */
  tables: string[];
  blocksReads: boolean;
  blocksWrites: boolean;
  duration: LockDuration;
  /**
   * Other tables the step locks in another mode, observed like `mode` (e.g. the referenced table of
   * a foreign key's VALIDATE: ROW SHARE). Absent when the step locks only `tables`.
   */
  alsoLocks?: { table: string; mode: LockMode }[];
}

export interface Timeouts {
  /** Budget for each attempt to acquire the lock (PostgreSQL lock_timeout; MySQL/MariaDB lock_wait_timeout, whole seconds; SQLite busy_timeout). */
  lockTimeoutMs: number;
  /** How many attempts after the first, on a lock wait timeout (PostgreSQL SQLSTATE 55P03, MySQL error 1205, SQLite SQLITE_BUSY). */
  retries: number;
  /** Backoff before retry k (k from 1): min(maxBackoffMs, initialBackoffMs * 2^(k-1)). */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Statement timeout for the step; 0 = none (index builds and validations need long ones). */
  statementTimeoutMs: number;
}

export interface BackfillSpec {
  /** Schema-qualified table. */
  table: string;
  /** SET clause, e.g. `"display_name" = "full_name"`. */
  set: string;
  /** Rows still needing work, e.g. `"display_name" IS DISTINCT FROM "full_name"`; makes batches idempotent. */
  predicate: string;
  /** Keyset columns (the primary key), in order. */
  keyColumns: string[];
  batchSize: number;
  /** Pause between batches, to leave room for the workload and replicas. */
  pauseMs: number;
}

export interface Checkpoint {
  description: string;
  /** Returns one row with one column. */
  sql: string;
  /** The value the first column must equal (compared as text). */
  expected: string | number | boolean;
}

export type Rollback =
  | { kind: 'sql'; sql: string[]; transactional: boolean; note?: string }
  | { kind: 'deploy'; release: string; instruction: string }
  | { kind: 'none'; reason: string }
  | { kind: 'irreversible'; reason: string; dataLost: string };

export interface Estimate {
  rows: number;
  batches?: number;
  /** Rough wall time, seconds; an order of magnitude, not a promise. */
  seconds: number;
  basis: string;
}

/** A machine-readable account of what a step changes, so `applyToSnapshot` can follow the plan. */
export type SchemaChange =
  | { op: 'add_column'; table: TableRef; column: ColumnSchema }
  | { op: 'drop_column'; table: TableRef; column: string }
  | { op: 'rename_column'; table: TableRef; from: string; to: string }
  | { op: 'set_default'; table: TableRef; column: string; default: string | null }
  | { op: 'set_nullable'; table: TableRef; column: string; nullable: boolean }
  | { op: 'add_index'; table: TableRef; index: IndexSchema }
  | { op: 'drop_index'; table: TableRef; index: string }
  | { op: 'add_constraint'; table: TableRef; constraint: ConstraintSchema }
  | { op: 'validate_constraint'; table: TableRef; constraint: string }
  | { op: 'drop_constraint'; table: TableRef; constraint: string }
  | { op: 'add_trigger'; table: TableRef; trigger: TriggerSchema }
  | { op: 'drop_trigger'; table: TableRef; trigger: string }
  | { op: 'set_index_primary'; table: TableRef; index: string; primary: boolean }
  | { op: 'create_table'; table: TableRef; columns: ColumnSchema[]; indexes: IndexSchema[]; constraints: ConstraintSchema[] }
  | { op: 'drop_table'; table: TableRef }
  | { op: 'rename_table'; table: TableRef; to: string }
  | { op: 'set_column_type'; table: TableRef; column: string; type: string }
  | { op: 'rename_index'; table: TableRef; from: string; to: string }
  | { op: 'add_enum_value'; type: TableRef; value: string; before?: string; after?: string }
  | { op: 'attach_partition'; table: TableRef; partition: TableRef; bound: string }
  | { op: 'detach_partition'; table: TableRef; partition: TableRef };

export interface Step {
  n: number;
  title: string;
  kind: StepKind;
  /** Release this step belongs to: "A", "A+1", ... */
  deploy: string;
  /** For app steps: what the application must do, concretely. Empty for database steps. */
  instruction: string;
  /** Statements, fully quoted; empty for app steps. */
  sql: string[];
  transactional: boolean;
  lock: LockClaim;
  /** Required for every lock-taking DDL; null for app steps. */
  timeouts: Timeouts | null;
  backfill?: BackfillSpec;
  checkpoint: Checkpoint | null;
  rollback: Rollback;
  caveats: string[];
  estimate?: Estimate;
  /** What the step does to the schema. */
  changes: SchemaChange[];
}

export interface TableFacts {
  table: string;
  rowEstimate: number;
  sizeBytes: number;
  indexes: string[];
  foreignKeys: string[];
  triggers: string[];
}

export interface Release {
  release: string;
  steps: number[];
  summary: string;
}

export interface Plan {
  format: typeof PLAN_FORMAT;
  version: typeof PLAN_VERSION;
  intents: Intent[];
  engine: EngineInfo;
  tables: TableFacts[];
  steps: Step[];
  releases: Release[];
  /** The last step that can still be rolled back, or null if none can. */
  lastReversibleStep: number | null;
  /** The first irreversible step, or null when the whole plan can be undone. */
  pointOfNoReturn: { step: number; reason: string } | null;
  warnings: string[];
}

/** The application-facing order of releases: "A" = 0, "A+1" = 1, ... */
export function releaseIndex(release: string): number {
  const m = /^A(?:\+(\d+))?$/.exec(release.trim());
  if (!m) throw new Error(`"${release}" is not a release name; releases are A, A+1, A+2, ...`);
  return m[1] === undefined ? 0 : Number(m[1]);
}

export function releaseName(index: number): string {
  return index === 0 ? 'A' : `A+${index}`;
}
