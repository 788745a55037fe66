import type { IndexSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { CreateIndexIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability, PG_CAPABILITIES } from '../../engines/postgres/capabilities.js';
import { formatBytes, scanSeconds } from '../../engines/postgres/size.js';
import { readOnlyCheckStep } from '../read-only-check/postgres.js';
import { indexValid } from '../../engines/postgres/catalog-checks.js';
import { deparseNode, parseExpression, referencedColumns } from '../../input/pg-parser.js';
import { requireColumn, requireFreeRelationName, type RecipeContext } from '../context.js';

export interface IndexKey {
  /** The key as written in SQL: a quoted column or a parenthesised expression. */
  sql: string;
  /** The key as the snapshot lists it: the column name or the expression text. */
  label: string;
}

/** Validates keys against the table: plain names must be columns; expressions must parse. */
export function indexKeys(ctx: RecipeContext, columns: string[]): IndexKey[] {
  return columns.map((key) => {
    const trimmed = key.trim();
    if (trimmed.startsWith('(') && trimmed.endsWith(')')) {
      const expr = parseExpression(trimmed, `index key ${trimmed}`);
      for (const col of referencedColumns(expr)) requireColumn(ctx, col);
      const text = deparseNode(expr);
      return { sql: `(${text})`, label: text };
    }
    requireColumn(ctx, key);
    return { sql: quoteIdent(key), label: key };
  });
}

export function createIndexRecipe(ctx: RecipeContext, intent: CreateIndexIntent): RecipeResult {
  const keys = indexKeys(ctx, intent.columns);
  const where = intent.where !== undefined ? predicate(ctx, intent.where) : undefined;
  const name = intent.name ?? derivedName([ctx.ref.name, ...keys.map((k) => k.label.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, ''))], intent.unique ? 'key' : 'idx');
  requireFreeRelationName(ctx, name);
  return concurrentIndexSteps(ctx, { name, keys, unique: intent.unique, where, method: intent.method, release: 0 });
}

function predicate(ctx: RecipeContext, where: string): string {
  const expr = parseExpression(where, `index predicate ${where}`);
  for (const col of referencedColumns(expr)) requireColumn(ctx, col);
  return deparseNode(expr);
}

/**
 * recipes.md I-08/I-11: CREATE INDEX CONCURRENTLY alone in a non-transactional step (SHARE UPDATE
 * EXCLUSIVE: reads and writes continue), a VALID checkpoint, cleanup of an INVALID leftover.
 * A unique index gets a duplicate check first so the build does not fail half-way.
 */
export function concurrentIndexSteps(
  ctx: RecipeContext,
  spec: { name: string; keys: IndexKey[]; unique: boolean; where: string | undefined; method: string; release: number; title?: string },
): RecipeResult {
  const t = qualify(ctx.ref);
  const qi = `${quoteIdent(ctx.ref.schema)}.${quoteIdent(spec.name)}`;
  const using = spec.method === 'btree' ? '' : ` USING ${spec.method}`;
  const keySql = spec.keys.map((k) => k.sql).join(', ');
  const whereSql = spec.where ? ` WHERE ${spec.where}` : '';
  const unique = spec.unique ? 'UNIQUE ' : '';
  const index: IndexSchema = {
    name: spec.name,
    columns: spec.keys.map((k) => k.label),
    unique: spec.unique,
    primary: false,
    valid: true,
    predicate: spec.where ?? null,
    method: spec.method,
    definition: `CREATE ${unique}INDEX ${quoteIdent(spec.name)} ON ${t}${using} (${keySql})${whereSql}`,
  };
  const title = spec.title ?? `Create ${spec.unique ? 'unique ' : ''}index ${spec.name} on ${ctx.tableName} (${index.columns.join(', ')})`;
  const buildSeconds = scanSeconds(ctx.table.sizeBytes, 2);
  const steps: StepDraft[] = [];

  if (ctx.small) {
    steps.push({
      release: spec.release,
      title: `${title} (small table: plain CREATE INDEX)`,
      kind: 'ddl',
      instruction: '',
      sql: [`CREATE ${unique}INDEX ${quoteIdent(spec.name)} ON ${t}${using} (${keySql})${whereSql}`],
      transactional: true,
      lock: lockClaim('SHARE', [ctx.tableName], 'scan'),
      timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
      checkpoint: indexValid(ctx.ref, spec.name),
      rollback: { kind: 'sql', sql: [`DROP INDEX ${qi}`], transactional: true },
      caveats: [
        `${ctx.tableName} is ${formatBytes(ctx.table.sizeBytes)}, under the small-table threshold (${formatBytes(ctx.options.smallTableBytes)}): a plain build blocks writes (SHARE) for milliseconds and runs in a transaction, so it cannot leave an INVALID index behind.`,
      ],
      changes: [{ op: 'add_index', table: ctx.ref, index }],
    });
    return { steps, warnings: [] };
  }

  if (hasCapability(ctx.engine, 'concurrentIndexCorruptionBug')) {
    throw new PlanningError(
      `PostgreSQL ${ctx.engine.version} has the ${PG_CAPABILITIES.concurrentIndexCorruptionBug.why}; a plain CREATE INDEX would block writes to ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)}) for the whole build. Upgrade to 14.4 or later first (a minor upgrade), then plan again`,
      ctx.statement,
    );
  }

  if (spec.unique) {
    const keyList = spec.keys.map((k) => k.sql).join(', ');
    // a unique index lets NULL keys repeat (NULLs are distinct), so rows with a NULL key cannot clash
    const nonNullKeys = spec.keys.map((k) => `(${k.sql}) IS NOT NULL`);
    const duplicateScope = ` WHERE ${[...(spec.where ? [`(${spec.where})`] : []), ...nonNullKeys].join(' AND ')}`;
    steps.push(
      readOnlyCheckStep(ctx, {
        release: spec.release,
        title: `Check that no duplicates of (${index.columns.join(', ')}) exist`,
        checkpoint: {
          description: 'no duplicate keys (the unique build would fail on the first one and leave an INVALID index)',
          sql: `SELECT count(*) FROM (SELECT 1 FROM ${t}${duplicateScope} GROUP BY ${keyList} HAVING count(*) > 1 LIMIT 1) AS duplicates`,
          expected: 0,
        },
        caveats: ['The application must stop producing duplicates before this step, or the build in the next step can still fail on a new one.'],
        scanBasis: 'one scan and sort',
      }),
    );
  }

  steps.push({
    release: spec.release,
    title,
    kind: 'ddl',
    instruction: '',
    sql: [`CREATE ${unique}INDEX CONCURRENTLY ${quoteIdent(spec.name)} ON ${t}${using} (${keySql})${whereSql}`],
    transactional: false,
    lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'scan'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: indexValid(ctx.ref, spec.name),
    rollback: { kind: 'sql', sql: [`DROP INDEX CONCURRENTLY IF EXISTS ${qi}`], transactional: false },
    caveats: [
      'CONCURRENTLY cannot run inside a transaction block: this step runs on its own.',
      'Two table scans under SHARE UPDATE EXCLUSIVE: reads and writes continue; it waits for transactions older than itself, so a long-running transaction anywhere in the database delays it.',
      `If it is interrupted or fails it leaves an INVALID index ${spec.name} that is still maintained on writes: the runner drops it with DROP INDEX CONCURRENTLY and retries.`,
    ],
    estimate: { rows: ctx.rows, seconds: buildSeconds, basis: `two scans of ${formatBytes(ctx.table.sizeBytes)} plus sort; machine-dependent` },
    changes: [{ op: 'add_index', table: ctx.ref, index }],
  });
  return { steps, warnings: [] };
}
