import type { IndexSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { ReindexIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability, PG_CAPABILITIES } from '../../engines/postgres/capabilities.js';
import { formatBytes, scanSeconds } from '../../engines/postgres/size.js';
import { indexValid } from '../../engines/postgres/catalog-checks.js';
import { indexBuildSql, qualifiedIndex } from '../../engines/postgres/index-definition.js';
import { resolveIndex } from '../index-target.js';
import { requireFreeRelationName, type RecipeContext } from '../context.js';
import { dropIndexStep, refuseIndexForeignKeysRelyOn, refuseIndexOwnedByConstraint } from '../drop-index/postgres.js';

/**
 * recipes.md I-10. A plain REINDEX holds ACCESS EXCLUSIVE on the index for the whole rebuild, and
 * every query that plans against the table needs that index's ACCESS SHARE (locks.md §1.1), so
 * reads stop too. Instead, per index:
 * - PostgreSQL 12+: REINDEX INDEX CONCURRENTLY (SHARE UPDATE EXCLUSIVE: reads and writes continue);
 * - PostgreSQL 11: CREATE INDEX CONCURRENTLY a copy, DROP INDEX CONCURRENTLY the original, then
 *   rename the copy (ACCESS EXCLUSIVE on the index only, brief);
 * - small tables on 11 (or 14.0–14.3, where concurrent builds could corrupt): plain REINDEX INDEX;
 * - an INVALID index (a failed concurrent build): dropped and built again, CONCURRENTLY.
 * REINDEX TABLE becomes one rebuild per index.
 */
export function reindexRecipe(ctx: RecipeContext, intent: ReindexIntent): RecipeResult {
  const indexes = intent.index !== undefined ? [resolveIndex(ctx.snapshot, intent.index, ctx.statement).index] : [...ctx.table.indexes];
  if (!indexes.length) throw new PlanningError(`${ctx.tableName} has no indexes; nothing to rebuild`, ctx.statement);
  const steps = indexes.flatMap((index) => rebuildSteps(ctx, index));
  const warnings =
    intent.index === undefined
      ? [`REINDEX TABLE also rebuilds the index of ${ctx.tableName}'s TOAST table; this plan rebuilds the ${indexes.length} index${indexes.length > 1 ? 'es' : ''} listed in the schema (${indexes.map((i) => i.name).join(', ')}) one by one, and not the TOAST index.`]
      : [];
  return { steps, warnings };
}

function rebuildSteps(ctx: RecipeContext, index: IndexSchema): StepDraft[] {
  if (!index.valid) return invalidIndexSteps(ctx, index);
  const concurrentBuildsSafe = !hasCapability(ctx.engine, 'concurrentIndexCorruptionBug');
  if (hasCapability(ctx.engine, 'reindexConcurrently') && concurrentBuildsSafe) return [reindexConcurrentlyStep(ctx, index)];
  if (ctx.small) return [plainReindexStep(ctx, index)];
  if (!concurrentBuildsSafe) {
    throw new PlanningError(
      `PostgreSQL ${ctx.engine.version} has the ${PG_CAPABILITIES.concurrentIndexCorruptionBug.why}, and a plain REINDEX of ${index.name} would hold ACCESS EXCLUSIVE on it, stopping every query on ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)}), for the whole rebuild. Upgrade to 14.4 or later first (a minor upgrade), then plan again`,
      ctx.statement,
    );
  }
  return copyDropRenameSteps(ctx, index);
}

function reindexConcurrentlyStep(ctx: RecipeContext, index: IndexSchema): StepDraft {
  const qi = qualifiedIndex(ctx.ref.schema, index.name);
  return {
    release: 0,
    title: `Rebuild index ${index.name} (REINDEX CONCURRENTLY)`,
    kind: 'ddl',
    instruction: '',
    sql: [`REINDEX INDEX CONCURRENTLY ${qi}`],
    transactional: false,
    lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'scan'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: indexValid(ctx.ref, index.name),
    rollback: { kind: 'none', reason: 'the index is rebuilt with the same definition and name: there is nothing to undo' },
    caveats: [
      'CONCURRENTLY cannot run inside a transaction block: this step runs on its own.',
      `Builds a new copy of ${index.name} beside the old one under SHARE UPDATE EXCLUSIVE on ${ctx.tableName} (reads and writes continue), then swaps them; it waits for transactions older than itself, so a long-running transaction delays it. Needs disk space for a second copy of the index while it runs.`,
      `If it is interrupted or fails (a unique index with duplicates) it leaves an INVALID index named ${index.name}_ccnew (or ${index.name}_ccold) behind while ${index.name} stays in use: drop the leftover with DROP INDEX CONCURRENTLY before running the step again.`,
    ],
    estimate: buildEstimate(ctx),
    changes: [],
  };
}

/** Small tables only: SHARE on the table (writes wait) and ACCESS EXCLUSIVE on the index (queries wait), for milliseconds. */
function plainReindexStep(ctx: RecipeContext, index: IndexSchema): StepDraft {
  const why = hasCapability(ctx.engine, 'reindexConcurrently')
    ? `PostgreSQL ${ctx.engine.version} could corrupt concurrently built indexes (fixed in 14.4)`
    : `PostgreSQL ${ctx.engine.version} has no REINDEX CONCURRENTLY (it arrived in 12)`;
  return {
    release: 0,
    title: `Rebuild index ${index.name} (small table: plain REINDEX)`,
    kind: 'ddl',
    instruction: '',
    sql: [`REINDEX INDEX ${qualifiedIndex(ctx.ref.schema, index.name)}`],
    transactional: true,
    lock: lockClaim('SHARE', [ctx.tableName], 'scan', [{ table: `${ctx.ref.schema}.${index.name}`, mode: 'ACCESS EXCLUSIVE' }]),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: indexValid(ctx.ref, index.name),
    rollback: { kind: 'none', reason: 'the index is rebuilt with the same definition and name: there is nothing to undo' },
    caveats: [
      `${why}; ${ctx.tableName} is ${formatBytes(ctx.table.sizeBytes)}, under the small-table threshold (${formatBytes(ctx.options.smallTableBytes)}), so the plain rebuild lasts milliseconds.`,
      `Holds SHARE on ${ctx.tableName} (writes wait) and ACCESS EXCLUSIVE on ${index.name}, which every query planning against ${ctx.tableName} needs to read: reads wait too, for the rebuild.`,
    ],
    changes: [],
  };
}

/**
 * PostgreSQL 11, large table: a copy built CONCURRENTLY under a temporary name, the original
 * dropped CONCURRENTLY, the copy renamed. The rename is the only strong lock: ACCESS EXCLUSIVE on
 * the new index alone (measured on 11.22; 12+ would take SHARE UPDATE EXCLUSIVE), for a catalog change.
 */
function copyDropRenameSteps(ctx: RecipeContext, index: IndexSchema): StepDraft[] {
  refuseIndexOwnedByConstraint(ctx, index, `PostgreSQL ${ctx.engine.version}, which has no REINDEX CONCURRENTLY (12+), rebuilding it online by building a copy and dropping the original`);
  refuseIndexForeignKeysRelyOn(ctx, index, `dropping the original after building a copy (PostgreSQL ${ctx.engine.version} has no REINDEX CONCURRENTLY)`);
  const copy = derivedName([index.name], 'ccnew');
  requireFreeRelationName(ctx, copy);
  const qi = qualifiedIndex(ctx.ref.schema, index.name);
  const qc = qualifiedIndex(ctx.ref.schema, copy);
  const copyIndex: IndexSchema = { ...index, name: copy, valid: true, definition: indexBuildSql(ctx.ref, index, { concurrently: false, name: copy }, ctx.statement) };
  const timeouts = ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries);
  const renameBack = `ALTER INDEX ${qi} RENAME TO ${quoteIdent(copy)}`;
  return [
    {
      release: 0,
      title: `Build a copy of index ${index.name} as ${copy} (CONCURRENTLY)`,
      kind: 'ddl',
      instruction: '',
      sql: [indexBuildSql(ctx.ref, index, { concurrently: true, name: copy }, ctx.statement)],
      transactional: false,
      lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'scan'),
      timeouts,
      checkpoint: indexValid(ctx.ref, copy),
      rollback: { kind: 'sql', sql: [`DROP INDEX CONCURRENTLY IF EXISTS ${qc}`], transactional: false },
      caveats: [
        `PostgreSQL ${ctx.engine.version} has no REINDEX CONCURRENTLY (it arrived in 12): the index is rebuilt as a copy with the same definition.`,
        'CONCURRENTLY cannot run inside a transaction block: this step runs on its own.',
        `Two scans of ${ctx.tableName} under SHARE UPDATE EXCLUSIVE: reads and writes continue; it waits for transactions older than itself. Needs disk space for the copy.`,
        `If it is interrupted or fails it leaves an INVALID ${copy} behind: the runner drops it with DROP INDEX CONCURRENTLY and retries.`,
        ...(index.unique ? [`Both ${index.name} and the copy enforce uniqueness until the original is dropped.`] : []),
      ],
      estimate: buildEstimate(ctx),
      changes: [{ op: 'add_index', table: ctx.ref, index: copyIndex }],
    },
    dropIndexStep(ctx, index, 0, {
      title: `Drop the original index ${index.name} (CONCURRENTLY); ${copy} serves its queries`,
      caveats: [`${copy} has the same definition, so queries keep an equivalent index throughout.`],
    }),
    {
      release: 0,
      title: `Rename ${copy} to ${index.name}`,
      kind: 'ddl',
      instruction: '',
      sql: [`ALTER INDEX ${qc} RENAME TO ${quoteIdent(index.name)}`],
      transactional: true,
      // the lock is on the index (named here by its new name); the table itself is not locked
      lock: lockClaim('ACCESS EXCLUSIVE', [`${ctx.ref.schema}.${index.name}`], 'brief'),
      timeouts,
      checkpoint: indexValid(ctx.ref, index.name),
      rollback: { kind: 'sql', sql: [renameBack], transactional: true },
      caveats: [
        `On PostgreSQL 11 renaming an index takes ACCESS EXCLUSIVE on the index (not on ${ctx.tableName}); every query planning against ${ctx.tableName} needs the index's ACCESS SHARE, so reads and writes wait for this catalog change (milliseconds once granted; the wait for it is bounded by lock_timeout and retried).`,
      ],
      changes: [
        { op: 'drop_index', table: ctx.ref, index: copy },
        { op: 'add_index', table: ctx.ref, index: { ...index, valid: true } },
      ],
    },
  ];
}

/** An INVALID index (a failed concurrent build) is dropped and built again, both CONCURRENTLY where the server allows. */
function invalidIndexSteps(ctx: RecipeContext, index: IndexSchema): StepDraft[] {
  refuseIndexOwnedByConstraint(ctx, index, 'rebuilding it by dropping and building it again');
  const concurrently = !hasCapability(ctx.engine, 'concurrentIndexCorruptionBug');
  if (!concurrently && !ctx.small) {
    throw new PlanningError(
      `index ${index.name} is INVALID, and PostgreSQL ${ctx.engine.version} has the ${PG_CAPABILITIES.concurrentIndexCorruptionBug.why}; a plain build would block writes to ${ctx.tableName} for the whole build. Upgrade to 14.4 or later first, then plan again`,
      ctx.statement,
    );
  }
  const rebuilt: IndexSchema = { ...index, valid: true };
  const qi = qualifiedIndex(ctx.ref.schema, index.name);
  return [
    dropIndexStep(ctx, index, 0, {
      title: `Drop the INVALID index ${index.name} (CONCURRENTLY)`,
      rollback: { kind: 'none', reason: `${index.name} was INVALID, so no query used it; the next step builds it again` },
      caveats: [`${index.name} is INVALID (a failed or interrupted CREATE INDEX CONCURRENTLY left it): no query uses it, so nothing reads it while it is gone.`],
    }),
    {
      release: 0,
      title: `Build index ${index.name} again${concurrently ? ' (CONCURRENTLY)' : ' (small table: plain CREATE INDEX)'}`,
      kind: 'ddl',
      instruction: '',
      sql: [indexBuildSql(ctx.ref, index, { concurrently }, ctx.statement)],
      transactional: !concurrently,
      lock: lockClaim(concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', [ctx.tableName], 'scan'),
      timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
      checkpoint: indexValid(ctx.ref, index.name),
      rollback: { kind: 'sql', sql: [`DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF EXISTS ${qi}`], transactional: !concurrently },
      caveats: [
        ...(concurrently
          ? [
              'CONCURRENTLY cannot run inside a transaction block: this step runs on its own.',
              `Two scans of ${ctx.tableName} under SHARE UPDATE EXCLUSIVE: reads and writes continue. If it fails again it leaves an INVALID ${index.name}, which the runner drops before retrying.`,
            ]
          : [`${ctx.tableName} is under the small-table threshold: a plain build blocks writes for milliseconds.`]),
        ...(index.unique ? [`A unique build fails on the first duplicate (${index.columns.join(', ')}), which is the usual reason a build was left INVALID: remove duplicates first.`] : []),
      ],
      estimate: buildEstimate(ctx),
      changes: [{ op: 'add_index', table: ctx.ref, index: rebuilt }],
    },
  ];
}

function buildEstimate(ctx: RecipeContext) {
  return { rows: ctx.rows, seconds: scanSeconds(ctx.table.sizeBytes, 2), basis: `two scans of ${formatBytes(ctx.table.sizeBytes)} plus sort; machine-dependent` };
}

