import type { LockDuration, MysqlAlgorithm, MysqlLockMode, Rollback, SchemaChange, Checkpoint } from '../../plan/types.js';
import type { StepDraft } from '../../plan/draft.js';
import type { EngineInfo, TableRef } from '../../schema/snapshot.js';
import type { RecipeContext } from '../../intents/context.js';
import { flavourOf, sourceLabel } from './capabilities.js';
import { ddlClaim, metadataClaim } from './locks.js';
import { qualify } from './quote.js';
import { mysqlDdlTimeouts } from './timeouts.js';

/**
 * `ALTER TABLE t <spec>, ALGORITHM=…, LOCK=…`: the clauses make the server refuse, at once, a change
 * it cannot do that way, instead of silently copying the table. MySQL accepts only LOCK=DEFAULT with
 * ALGORITHM=INSTANT (MySQL manual, "Online DDL": "Only LOCK=DEFAULT is supported for operations that
 * are performed instantly"), so an instant MySQL statement states the algorithm alone; MariaDB accepts
 * INSTANT with LOCK=NONE [E] and gets both.
 */
export function alterTable(engine: EngineInfo, ref: TableRef, spec: string, algorithm: MysqlAlgorithm, lock: MysqlLockMode): string {
  const lockClause = algorithm === 'INSTANT' && flavourOf(engine) === 'mysql' ? '' : `, ${lock}`;
  return `ALTER TABLE ${qualify(ref)} ${spec}, ALGORITHM=${algorithm}${lockClause}`;
}

export interface MysqlDdlSpec {
  release: number;
  title: string;
  /** The ALTER TABLE specification, e.g. "ADD COLUMN `c` int NULL". */
  spec: string;
  algorithm: MysqlAlgorithm;
  lock: MysqlLockMode;
  duration: LockDuration;
  checkpoint: Checkpoint | null;
  /** A SQL rollback gives its ALTER specification (stated with its own clauses), and SET SESSION statements around it (the step's own by default); other kinds as they are. */
  rollback: { spec: string; algorithm: MysqlAlgorithm; lock: MysqlLockMode; note?: string; before?: string[]; after?: string[] } | Exclude<Rollback, { kind: 'sql' }>;
  caveats: string[];
  changes: SchemaChange[];
  /** Other tables whose metadata the statement locks (a foreign key's parent). */
  alsoTables?: string[];
  /** SET SESSION statements before and after the ALTER (foreign_key_checks). */
  before?: string[];
  after?: string[];
}

/** One ALTER TABLE with its clauses, bounded metadata-lock wait and retries, as a plan step. */
export function mysqlDdlStep(ctx: RecipeContext, s: MysqlDdlSpec): StepDraft {
  const rollback: Rollback =
    'spec' in s.rollback
      ? { kind: 'sql', sql: [...(s.rollback.before ?? s.before ?? []), alterTable(ctx.engine, ctx.ref, s.rollback.spec, s.rollback.algorithm, s.rollback.lock), ...(s.rollback.after ?? s.after ?? [])], transactional: false, ...(s.rollback.note ? { note: s.rollback.note } : {}) }
      : s.rollback;
  return {
    release: s.release,
    title: s.title,
    kind: 'ddl',
    instruction: '',
    sql: [...(s.before ?? []), alterTable(ctx.engine, ctx.ref, s.spec, s.algorithm, s.lock), ...(s.after ?? [])],
    // MySQL and MariaDB commit before and after every DDL statement: it cannot be part of a transaction
    transactional: false,
    lock: ddlClaim(s.algorithm, s.lock, [ctx.tableName, ...(s.alsoTables ?? [])], s.duration),
    timeouts: mysqlDdlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: s.checkpoint,
    rollback,
    caveats: [...s.caveats, metadataLockCaveat(ctx.engine)],
    changes: s.changes,
  };
}

/** The lock-queue rule (locks.md §0.2), which holds for every ALTER however online. */
export function metadataLockCaveat(engine: EngineInfo): string {
  return (
    `Takes an exclusive metadata lock briefly at its start and end; while it waits for it (behind any open transaction that touched the table), new queries on the table queue behind it. ` +
    `The wait is bounded by lock_wait_timeout per attempt${flavourOf(engine) === 'mariadb' ? " (what MariaDB's ALTER TABLE … WAIT n sets for one statement)" : ''} and retried with backoff on error 1205.${sourceLabel(engine)}`
  );
}

/** One catalog-only statement (RENAME TABLE, DROP TABLE, CREATE/DROP VIEW) as a plan step, with the same bounded lock wait. */
export function mysqlMetadataStep(
  ctx: RecipeContext,
  s: { release: number; title: string; sql: string; tables: string[]; checkpoint: Checkpoint | null; rollback: Rollback; caveats: string[]; changes: SchemaChange[] },
): StepDraft {
  return {
    release: s.release,
    title: s.title,
    kind: 'ddl',
    instruction: '',
    sql: [s.sql],
    // DDL commits on its own on MySQL/MariaDB
    transactional: false,
    lock: metadataClaim(s.tables),
    timeouts: mysqlDdlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: s.checkpoint,
    rollback: s.rollback,
    caveats: [
      ...s.caveats,
      `Takes the exclusive metadata lock of ${s.tables.join(', ')} for a catalog change of milliseconds; while it waits for it (behind any open transaction that touched the table), new queries on the table queue behind it. ` +
        `The wait is bounded by lock_wait_timeout per attempt and retried with backoff on error 1205.${sourceLabel(ctx.engine)}`,
    ],
    changes: s.changes,
  };
}
