import { findTable, type ColumnSchema, type ConstraintSchema, type TableRef } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { SchemaChange } from '../../plan/types.js';
import type { ChangeColumnTypeIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { formatBytes, isSmallTable, scanSeconds } from '../../engines/postgres/size.js';
import { formatTypeName } from '../../engines/postgres/types.js';
import { columnType, constraintState } from '../../engines/postgres/catalog-checks.js';
import { parseTypeName } from '../../input/pg-parser.js';
import { requireColumn, type RecipeContext } from '../context.js';
import { inPlaceVerdict, typeShape, type InPlaceRule } from './binary-coercible.js';
import { isUtcConversion, readsColumn, rowExpression } from './column-expression.js';
import { columnSwapRecipe } from './swap.js';
import { lockOrder, lockUpFront, MULTI_TABLE_CAVEAT, multiTableTimeouts, otherTablesLocked, partitionsOf, foreignKeyNeighbours } from './related-tables.js';

/**
 * recipes.md I-17 / I-18. A change PostgreSQL makes without rewriting (locks.md §1.3, as data in
 * binary-coercible.ts) is one brief ACCESS EXCLUSIVE step; CHECK constraints on the column, which
 * the server would re-check with a scan under that lock, are dropped and re-added NOT VALID in the
 * same transaction and validated afterwards under SHARE UPDATE EXCLUSIVE. Anything else rewrites the
 * table under ACCESS EXCLUSIVE, so a large table gets the column swap of swap.ts instead (new
 * column, trigger, backfill, parity, one short swap transaction, drop of the old column last).
 */
export function changeColumnTypeRecipe(ctx: RecipeContext, intent: ChangeColumnTypeIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  const newType = formatTypeName(parseTypeName(intent.type));
  const using = rowExpression(ctx.table, intent.using, col.name, newType, 'the USING expression', ctx.statement);
  if (newType === col.type && using.plainColumn) {
    throw new PlanningError(`column "${col.name}" of ${ctx.tableName} is already ${newType}; nothing to do`, ctx.statement);
  }
  const utc = isUtcConversion(intent.using, col.name);
  refuseZoneDependentConversion(ctx, col, newType, intent.using);
  refuseGeneratedAndPartitions(ctx, col);

  const verdict = inPlaceVerdict(col.type, newType, ctx.engine, using.plainColumn, utc);
  // foreign keys on the column make the server lock (and may make it re-check) the other table too
  const others = otherTablesLocked(ctx, col.name).refs;
  const small = ctx.small && others.every((r) => isSmallTable(findTable(ctx.snapshot, r)!, ctx.options.smallTableBytes));
  if (verdict.inPlace) {
    const rebuilt = indexesRebuiltInPlace(ctx, col.name, verdict.rule);
    if (!rebuilt.length) return { steps: inPlaceSteps(ctx, col, newType, verdict.rule), warnings: [], alsoLocked: others };
    if (!small) {
      return columnSwapRecipe(ctx, col, newType, intent, [
        `${verdict.rule.label} keeps the table, but PostgreSQL rebuilds ${rebuilt.join(', ')} with a scan under ACCESS EXCLUSIVE (locks.md §1.3); the column swap builds ${rebuilt.length > 1 ? 'them' : 'it'} CONCURRENTLY instead.`,
      ]);
    }
  }
  if (small) return { steps: [smallTableStep(ctx, col, newType, intent.using, verdict.inPlace ? verdict.rule : undefined)], warnings: [], alsoLocked: others };
  return columnSwapRecipe(ctx, col, newType, intent, []);
}

/** timestamp ↔ timestamptz without a stated zone means "whatever TimeZone each session has". */
function refuseZoneDependentConversion(ctx: RecipeContext, col: ColumnSchema, newType: string, using: string | undefined): void {
  const [from, to] = [typeShape(col.type).base, typeShape(newType).base];
  const zoned = (from === 'timestamp' && to === 'timestamptz') || (from === 'timestamptz' && to === 'timestamp');
  if (!zoned || using !== undefined) return;
  const t = qualify(ctx.ref);
  const q = quoteIdent(col.name);
  throw new PlanningError(
    `converting ${col.name} between timestamp and timestamptz reads the stored values in the session's TimeZone, which differs between sessions (the application's, the migration runner's); say which zone they are in, e.g. ` +
      `ALTER TABLE ${t} ALTER COLUMN ${q} TYPE ${newType} USING ${q} AT TIME ZONE 'UTC' (on PostgreSQL 12+, with UTC, the change is made without a rewrite)`,
    ctx.statement,
  );
}

/** Cases PostgreSQL itself refuses or that no recipe here was measured for. */
function refuseGeneratedAndPartitions(ctx: RecipeContext, col: ColumnSchema): void {
  if (col.generated) throw new PlanningError(`${col.name} is a generated column; changing its type is not supported (its expression decides the values)`, ctx.statement);
  const user = ctx.table.columns.find((c) => c.generated && readsColumn(c.default, col.name));
  if (user) {
    throw new PlanningError(`generated column ${user.name} is computed from ${col.name}, and PostgreSQL refuses to change the type of a column a generated column uses; drop ${user.name} first, or change both in a maintenance window`, ctx.statement);
  }
  if (ctx.table.partitionOf) {
    throw new PlanningError(`${ctx.tableName} is a partition of ${ctx.table.partitionOf.table}; a partition's column types follow its partitioned table: change the type on ${ctx.table.partitionOf.table}`, ctx.statement);
  }
}

/** Indexes PostgreSQL rebuilds (one scan each, under ACCESS EXCLUSIVE) during an in-place change. */
function indexesRebuiltInPlace(ctx: RecipeContext, column: string, rule: InPlaceRule): string[] {
  return ctx.table.indexes
    .filter((ix) => {
      const plainKey = ix.columns.includes(column);
      const inExpression = ix.columns.some((k) => !isColumn(ctx, k) && readsColumn(k, column));
      const inPredicate = readsColumn(ix.predicate, column);
      // a partition's index on the column is rebuilt even where a plain table's is kept (measured on 11, 12, 18)
      return inExpression || inPredicate || (plainKey && (rule.rebuildsIndexes || ctx.table.partitioning !== undefined));
    })
    .map((ix) => ix.name);
}

function isColumn(ctx: RecipeContext, key: string): boolean {
  return ctx.table.columns.some((c) => c.name === key);
}

/** Foreign keys on either side of the column: an in-place change locks the other table too (measured: ACCESS EXCLUSIVE). */
function alterTypeSql(ctx: RecipeContext, column: string, type: string, using?: string): string {
  return `ALTER TABLE ${qualify(ctx.ref)} ALTER COLUMN ${quoteIdent(column)} TYPE ${type}${using !== undefined ? ` USING ${using}` : ''}`;
}

const UTC = `SET LOCAL TimeZone = 'UTC'`;

function inPlaceSteps(ctx: RecipeContext, col: ColumnSchema, newType: string, rule: InPlaceRule): StepDraft[] {
  const t = qualify(ctx.ref);
  const checks = ctx.table.constraints.filter((k) => k.type === 'check' && k.columns.includes(col.name));
  const { alsoLocks } = otherTablesLocked(ctx, col.name);
  const zone = rule.utc ? [UTC] : [];
  const neighbours = alsoLocks?.length
    ? [`Foreign keys on ${col.name} make PostgreSQL take ACCESS EXCLUSIVE on ${alsoLocks.map((a) => a.table).join(', ')} too, for the same moment (measured on 11, 12, 18).`]
    : [];
  const common = [
    `${rule.label}: PostgreSQL changes the catalog only — no table rewrite and no scan${rule.rebuildsIndexes ? ' (no index is on the column; one would be rebuilt)' : ', indexes kept (storage reused)'}. Source: ${rule.source}.`,
    'Rollback changes the type back, which rewrites the table under ACCESS EXCLUSIVE and fails if a value written since does not fit the old type: on a large table, plan it as its own change instead.',
    'Fails if a view or rule uses the column (PostgreSQL refuses to change its type); drop and recreate the view around it.',
    ...(rule.utc ? ['The session TimeZone is set to UTC for this transaction only, so the stored values are read as UTC — what USING … AT TIME ZONE \'UTC\' says.'] : []),
    ...neighbours,
    ...(alsoLocks?.length ? [MULTI_TABLE_CAVEAT] : []),
  ];
  const back = [...zone, alterTypeSql(ctx, col.name, col.type)];
  if (!checks.length) {
    return [
      {
        release: 0,
        title: `Change ${col.name} to ${newType} in place (no rewrite)`,
        kind: 'ddl',
        instruction: '',
        sql: [...zone, ...lockUpFront(ctx, col.name), alterTypeSql(ctx, col.name, newType)],
        transactional: true,
        lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief', alsoLocks),
        timeouts: multiTableTimeouts(ctx, 1 + (alsoLocks?.length ?? 0)),
        checkpoint: columnType(ctx.ref, col.name, newType),
        rollback: { kind: 'sql', sql: [...zone, ...lockUpFront(ctx, col.name), back[back.length - 1]!], transactional: true, note: 'rewrites the table under ACCESS EXCLUSIVE' },
        caveats: common,
        changes: onTableAndPartitions(ctx, (ref) => ({ op: 'set_column_type', table: ref, column: col.name, type: newType })),
      },
    ];
  }

  // PostgreSQL re-checks a CHECK on the column with a full scan under ACCESS EXCLUSIVE (measured):
  // take it off and put it back NOT VALID in the same transaction, validate it afterwards.
  const lock = `LOCK TABLE ${lockOrder(ctx, foreignKeyNeighbours(ctx, col.name)).map(qualify).join(', ')} IN ACCESS EXCLUSIVE MODE`;
  const drop = (k: ConstraintSchema) => `ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(k.name)}`;
  const addNotValid = (k: ConstraintSchema) => `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(k.name)} ${withoutNotValid(k.definition)} NOT VALID`;
  const addBack = (k: ConstraintSchema) => `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.definition}`;
  const notValid = (k: ConstraintSchema): ConstraintSchema => ({ ...k, validated: false, definition: `${withoutNotValid(k.definition)} NOT VALID` });
  const changes: SchemaChange[] = [
    ...checks.flatMap((k) => onTableAndPartitions(ctx, (ref) => ({ op: 'drop_constraint', table: ref, constraint: k.name }), k.name)),
    ...onTableAndPartitions(ctx, (ref) => ({ op: 'set_column_type', table: ref, column: col.name, type: newType })),
    ...checks.flatMap((k) => onTableAndPartitions(ctx, (ref) => ({ op: 'add_constraint', table: ref, constraint: notValid(k) }), k.name)),
  ];
  const steps: StepDraft[] = [
    {
      release: 0,
      title: `Change ${col.name} to ${newType} in place, ${checks.length > 1 ? 'its CHECK constraints' : `CHECK ${checks[0]!.name}`} re-added NOT VALID (no rewrite, no scan)`,
      kind: 'ddl',
      instruction: '',
      sql: [...zone, lock, ...checks.map(drop), alterTypeSql(ctx, col.name, newType), ...checks.map(addNotValid)],
      transactional: true,
      lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief', alsoLocks),
      timeouts: multiTableTimeouts(ctx, 1 + (alsoLocks?.length ?? 0)),
      checkpoint: columnType(ctx.ref, col.name, newType),
      rollback: {
        kind: 'sql',
        // the old CHECKs are validated again under the same ACCESS EXCLUSIVE: a rollback on a large table scans
        sql: [...zone, lock, ...checks.map(drop), back[back.length - 1]!, ...checks.map(addBack)],
        transactional: true,
        note: 'rewrites the table and re-checks the constraints under ACCESS EXCLUSIVE',
      },
      caveats: [
        ...common,
        `PostgreSQL would re-check ${checks.map((k) => k.name).join(', ')} with a full scan under ACCESS EXCLUSIVE (measured on 11, 12, 18); instead ${checks.length > 1 ? 'they are' : 'it is'} dropped and added back NOT VALID in the same transaction, so every write is still checked, and validated in the next step.`,
      ],
      changes,
    },
  ];
  for (const k of checks.filter((x) => x.validated)) {
    steps.push({
      release: 0,
      title: `Validate ${k.name} on existing rows`,
      kind: 'validate',
      instruction: '',
      sql: [`ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(k.name)}`],
      transactional: true,
      lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'scan'),
      timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
      checkpoint: constraintState(ctx.ref, k.name, 'validated'),
      rollback: { kind: 'sql', sql: [drop(k), addNotValid(k)], transactional: true, note: 'returns the CHECK to NOT VALID' },
      caveats: [
        'Reads the whole table under SHARE UPDATE EXCLUSIVE: reads and writes continue; only other DDL and VACUUM wait.',
        `Fails without changing anything if a row violates ${k.name} under the new type; the constraint stays NOT VALID and keeps checking new writes.`,
      ],
      estimate: { rows: ctx.rows, seconds: scanSeconds(ctx.table.sizeBytes), basis: `one scan of ${formatBytes(ctx.table.sizeBytes)}; machine-dependent` },
      changes: onTableAndPartitions(ctx, (ref) => ({ op: 'validate_constraint', table: ref, constraint: k.name }), k.name),
    });
  }
  return steps;
}

function smallTableStep(ctx: RecipeContext, col: ColumnSchema, newType: string, using: string | undefined, inPlace: InPlaceRule | undefined): StepDraft {
  const { alsoLocks } = otherTablesLocked(ctx, col.name);
  const zone = inPlace?.utc ? [UTC] : [];
  return {
    release: 0,
    title: `Change ${col.name} to ${newType} (small table: one statement)`,
    kind: 'ddl',
    instruction: '',
    sql: [...zone, ...lockUpFront(ctx, col.name), alterTypeSql(ctx, col.name, newType, inPlace ? undefined : using)],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], inPlace ? 'scan' : 'rewrite', alsoLocks),
    timeouts: multiTableTimeouts(ctx, 1 + (alsoLocks?.length ?? 0)),
    checkpoint: columnType(ctx.ref, col.name, newType),
    rollback: { kind: 'sql', sql: [...zone, ...lockUpFront(ctx, col.name), alterTypeSql(ctx, col.name, col.type)], transactional: true, note: 'rewrites the table under ACCESS EXCLUSIVE again' },
    caveats: [
      `${ctx.tableName} is ${formatBytes(ctx.table.sizeBytes)}, under the small-table threshold (${formatBytes(ctx.options.smallTableBytes)}): ${inPlace ? 'the index rebuild and constraint checks' : 'the rewrite of the table and its indexes'} under ACCESS EXCLUSIVE last${inPlace ? '' : ''} milliseconds, so the column swap is not needed.`,
      'Fails (and changes nothing) if a value cannot be converted, or if a view or rule uses the column.',
      ...(alsoLocks?.length ? [MULTI_TABLE_CAVEAT] : []),
    ],
    changes: onTableAndPartitions(ctx, (ref) => ({ op: 'set_column_type', table: ref, column: col.name, type: newType })),
  };
}

/** A change made on a partitioned table reaches every partition (for a constraint: those that carry it). */
function onTableAndPartitions(ctx: RecipeContext, change: (ref: TableRef) => SchemaChange, constraint?: string): SchemaChange[] {
  const partitions = partitionsOf(ctx, ctx.tableName).filter((r) => constraint === undefined || findTable(ctx.snapshot, r)!.constraints.some((k) => k.name === constraint));
  return [ctx.ref, ...partitions].map(change);
}

function withoutNotValid(definition: string): string {
  return definition.replace(/\s+NOT VALID$/, '');
}
