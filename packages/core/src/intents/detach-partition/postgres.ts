import type { ConstraintSchema, TableRef, TableSchema } from '../../schema/snapshot.js';
import { findTable } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { Checkpoint, LockClaim, SchemaChange } from '../../plan/types.js';
import type { DetachPartitionIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, displayName, qualify, quoteIdent, quoteLiteral } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability, PG_CAPABILITIES } from '../../engines/postgres/capabilities.js';
import { formatBytes, isSmallTable } from '../../engines/postgres/size.js';
import { resolveTable, type RecipeContext } from '../context.js';
import { partitionKey, readBound } from '../attach-partition/bound.js';

/**
 * ALTER TABLE … DETACH PARTITION (locks.md §1.2 [E]; recipes.md I-31). From 14, DETACH … CONCURRENTLY
 * takes only SHARE UPDATE EXCLUSIVE on the partitioned table (reads and writes continue); it runs
 * outside a transaction, waits for every transaction that uses the table, and leaves a CHECK copy
 * of the bound on the partition. It is not allowed while a DEFAULT partition exists. Otherwise (11–13,
 * or a DEFAULT partition) the plain DETACH takes ACCESS EXCLUSIVE on the partitioned table for a
 * catalog change — brief, no scan — stated as such. Rolling back re-attaches without a scan.
 */
export function detachPartitionRecipe(ctx: RecipeContext, intent: DetachPartitionIntent): RecipeResult {
  if (!ctx.table.partitioning) {
    throw new PlanningError(`${ctx.tableName} is not a partitioned table (or the snapshot was written before liveshift read partitioning: take a fresh one)`, ctx.statement);
  }
  const partRef = resolveTable(ctx.snapshot, intent.partition, ctx.statement);
  const part = findTable(ctx.snapshot, partRef)!;
  const partName = displayName(partRef);
  if (part.partitionOf?.table !== ctx.tableName) throw new PlanningError(`${partName} is not a partition of ${ctx.tableName}`, ctx.statement);
  refuseReferencedParent(ctx);
  const hasDefault = ctx.snapshot.tables.some((t) => t.partitionOf?.table === ctx.tableName && t.partitionOf.bound === 'DEFAULT');
  const concurrently = hasCapability(ctx.engine, 'detachPartitionConcurrently') && !hasDefault;
  return { steps: [concurrently ? concurrentStep(ctx, partRef, part) : plainStep(ctx, partRef, part, hasDefault)], warnings: [], alsoLocked: [partRef] };
}

/** Foreign keys that reference the partitioned table: DETACH checks that no row references the partition's rows, with a scan of the referencing table under SHARE. */
function refuseReferencedParent(ctx: RecipeContext): void {
  for (const t of ctx.snapshot.tables) {
    const k = t.constraints.find((x) => x.type === 'foreign_key' && x.references?.table === ctx.tableName);
    if (k && !isSmallTable(t, ctx.options.smallTableBytes)) {
      throw new PlanningError(
        `foreign key ${k.name} on ${displayName(t)} references ${ctx.tableName}: DETACH checks that no row of ${displayName(t)} (${formatBytes(t.sizeBytes)}) references the partition's rows, reading it under SHARE — its writes wait for the whole scan. ` +
          `Drop or re-point the foreign key first, or detach in a quiet moment`,
        ctx.statement,
      );
    }
  }
}

function detachedCheckpoint(ctx: RecipeContext, partRef: TableRef): Checkpoint {
  return {
    description: `${displayName(partRef)} is no longer a partition of ${ctx.tableName}`,
    sql: `SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits WHERE inhrelid = to_regclass(${quoteLiteral(qualify(partRef))}))`,
    expected: true,
  };
}

function concurrentStep(ctx: RecipeContext, partRef: TableRef, part: TableSchema): StepDraft {
  const partName = displayName(partRef);
  const bound = part.partitionOf!.bound;
  const check = detachCheck(ctx, partRef, part);
  const attach = `ALTER TABLE ${qualify(ctx.ref)} ATTACH PARTITION ${qualify(partRef)} ${bound}`;
  return {
    release: 0,
    title: `Detach ${partName} from ${ctx.tableName} CONCURRENTLY`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${qualify(ctx.ref)} DETACH PARTITION ${qualify(partRef)} CONCURRENTLY`],
    transactional: false,
    lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: detachedCheckpoint(ctx, partRef),
    rollback: {
      kind: 'sql',
      sql: [attach, `ALTER TABLE ${qualify(partRef)} DROP CONSTRAINT ${quoteIdent(check.name)}`],
      transactional: false,
      note: `re-attaching reads nothing: the CHECK ${check.name} DETACH left proves the bound; it is dropped afterwards`,
    },
    caveats: [
      `${PG_CAPABILITIES.detachPartitionConcurrently.why} (PostgreSQL 14+): SHARE UPDATE EXCLUSIVE on ${ctx.tableName}, so its reads and writes continue; it cannot run inside a transaction block, so this step runs on its own.`,
      `It first waits for every transaction that uses ${ctx.tableName} (a long-running one delays it), then takes ACCESS EXCLUSIVE on ${partName} for a moment — queries reading ${partName} directly wait then.`,
      `If it is interrupted — also by the lock timeout while it waits for older transactions — the partition stays "detach pending" and running the step again fails: finish it with ALTER TABLE ${qualify(ctx.ref)} DETACH PARTITION ${qualify(partRef)} FINALIZE.`,
      `It adds the CHECK ${check.name} (a copy of the bound) to ${partName}, as PostgreSQL does, so attaching it again needs no scan.`,
    ],
    changes: [
      { op: 'detach_partition', table: ctx.ref, partition: partRef },
      { op: 'add_constraint', table: partRef, constraint: check },
    ],
  };
}

function plainStep(ctx: RecipeContext, partRef: TableRef, part: TableSchema, hasDefault: boolean): StepDraft {
  const partName = displayName(partRef);
  const on14 = hasCapability(ctx.engine, 'detachPartitionConcurrently');
  const also: NonNullable<LockClaim['alsoLocks']> = [{ table: partName, mode: on14 ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE' }];
  const t = qualify(partRef);
  const bound = readBound(ctx.ref, ctx.table, part.partitionOf!.bound, ctx.statement);
  const checkName = derivedName([partRef.name], 'partition_bound');
  // re-attach without a scan: prove the bound first, each statement in its own transaction
  const reattach = bound.check
    ? [
        `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(checkName)} CHECK (${bound.check}) NOT VALID`,
        `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(checkName)}`,
        `ALTER TABLE ${qualify(ctx.ref)} ATTACH PARTITION ${t} ${part.partitionOf!.bound}`,
        `ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(checkName)}`,
      ]
    : [`ALTER TABLE ${qualify(ctx.ref)} ATTACH PARTITION ${t} ${part.partitionOf!.bound}`];
  const why = on14
    ? `DETACH … CONCURRENTLY is not allowed while ${ctx.tableName} has a DEFAULT partition`
    : `PostgreSQL ${ctx.engine.version} has no DETACH … CONCURRENTLY (${PG_CAPABILITIES.detachPartitionConcurrently.source})`;
  return {
    release: 0,
    title: `Detach ${partName} from ${ctx.tableName}`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${qualify(ctx.ref)} DETACH PARTITION ${t}`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief', also),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: detachedCheckpoint(ctx, partRef),
    rollback: {
      kind: 'sql',
      sql: reattach,
      transactional: false,
      note: bound.check ? 'each statement in its own transaction: the bound is proven under SHARE UPDATE EXCLUSIVE so the ATTACH does not scan' : `the ATTACH scans ${partName} to check the bound`,
    },
    caveats: [
      `${why}: the plain DETACH takes ACCESS EXCLUSIVE on ${ctx.tableName} — reads and writes of every partition wait — for a catalog change only (no scan), milliseconds once granted; the wait for it is bounded by lock_timeout and retried, and a long-running query on ${ctx.tableName} makes it wait.`,
      `${on14 ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE'} on ${partName} for the same moment.`,
      ...(hasDefault ? [] : on14 ? [] : ['From PostgreSQL 14 the plan would use DETACH … CONCURRENTLY instead.']),
    ],
    changes: [{ op: 'detach_partition', table: ctx.ref, partition: partRef } satisfies SchemaChange],
  };
}

/**
 * The CHECK DETACH … CONCURRENTLY adds (DetachAddConstraintIfNeeded): unnamed, so PostgreSQL names
 * it <partition>_<column>_check for a one-column key and <partition>_check otherwise, numbered on
 * a clash; its columns are the key's.
 */
function detachCheck(ctx: RecipeContext, partRef: TableRef, part: TableSchema): ConstraintSchema {
  const key = partitionKey(ctx.table).filter((k): k is string => k !== undefined);
  const base = key.length === 1 ? [partRef.name, key[0]!] : [partRef.name];
  const used = new Set(ctx.snapshot.tables.filter((t) => t.schema === partRef.schema).flatMap((t) => t.constraints.map((k) => k.name)));
  let name = derivedName(base, 'check');
  for (let n = 1; used.has(name); n++) name = derivedName(base, `check${n}`);
  const expr = readBound(ctx.ref, ctx.table, part.partitionOf!.bound, ctx.statement).check ?? `partition constraint of ${part.partitionOf!.bound}`;
  return { name, type: 'check', columns: part.columns.map((c) => c.name).filter((c) => key.includes(c)), definition: `CHECK (${expr})`, validated: true, references: null };
}
