import type { ConstraintSchema, IndexSchema, TableRef, TableSchema } from '../../schema/snapshot.js';
import { findTable } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { Checkpoint, LockClaim, PgLockMode } from '../../plan/types.js';
import type { AttachPartitionIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, displayName, qualify, quoteIdent, quoteLiteral } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability } from '../../engines/postgres/capabilities.js';
import { formatBytes, isSmallTable, scanSeconds } from '../../engines/postgres/size.js';
import { constraintState, indexValid } from '../../engines/postgres/catalog-checks.js';
import { deparseNode, parseStatements } from '../../input/pg-parser.js';
import { resolveTable, type RecipeContext } from '../context.js';
import { partitionKey, readBound, type PartitionBound } from './bound.js';

/**
 * ALTER TABLE … ATTACH PARTITION (locks.md §1.2 [E]; recipes.md: "add CHECK (bound expr) NOT VALID
 * + VALIDATE, attach, drop the CHECK"): the ATTACH itself takes SHARE UPDATE EXCLUSIVE on the
 * partitioned table from 12 (ACCESS EXCLUSIVE on 11) and ACCESS EXCLUSIVE on the partition and on a
 * DEFAULT partition, and scans both unless valid CHECK constraints prove the bound. So the plan
 * proves it first, each scan under SHARE UPDATE EXCLUSIVE, and builds beforehand, CONCURRENTLY, the
 * partition's copies of the partitioned table's indexes, which ATTACH would otherwise build under
 * its ACCESS EXCLUSIVE. The ATTACH is then a catalog change.
 */
export function attachPartitionRecipe(ctx: RecipeContext, intent: AttachPartitionIntent): RecipeResult {
  const parent = ctx.table;
  if (!parent.partitioning) {
    throw new PlanningError(`${ctx.tableName} is not a partitioned table (or the snapshot was written before liveshift read partitioning: take a fresh one)`, ctx.statement);
  }
  const partRef = resolveTable(ctx.snapshot, intent.partition, ctx.statement);
  const part = findTable(ctx.snapshot, partRef)!;
  const partName = displayName(partRef);
  if (partName === ctx.tableName) throw new PlanningError(`a table cannot be a partition of itself`, ctx.statement);
  if (part.partitionOf) throw new PlanningError(`${partName} is already a partition of ${part.partitionOf.table}; detach it first`, ctx.statement);
  refuseMismatch(ctx, part, partName);
  const bound = readBound(ctx.ref, parent, intent.bound, ctx.statement);
  const defaultRef = defaultPartition(ctx);
  const defaultTable = defaultRef && findTable(ctx.snapshot, defaultRef)!;
  if (bound.isDefault && defaultRef) throw new PlanningError(`${ctx.tableName} already has a DEFAULT partition, ${displayName(defaultRef)}`, ctx.statement);

  const steps: StepDraft[] = [...partitionIndexSteps(ctx, partRef, part)];
  const partCheck = derivedName([partRef.name], 'partition_bound');
  const defaultCheck = defaultRef && derivedName([defaultRef.name, partRef.name], 'excluded');
  if (bound.check) {
    requireFreeConstraint(ctx, part, partCheck, partName);
    steps.push(...checkSteps(ctx, partRef, part, partCheck, bound.check, `the bound of ${partName}`));
    if (defaultRef) {
      requireFreeConstraint(ctx, defaultTable!, defaultCheck!, displayName(defaultRef));
      steps.push(...checkSteps(ctx, defaultRef, defaultTable!, defaultCheck!, `NOT (${bound.check})`, `no row of the DEFAULT partition ${displayName(defaultRef)} belongs to ${partName}`));
    }
  } else {
    refuseScanningAttach(ctx, part, partName, defaultTable, bound);
  }

  steps.push(attachStep(ctx, partRef, part, bound, defaultRef));

  if (bound.check) {
    steps.push(dropCheckStep(ctx, partRef, partCheck, bound.check, 'now that it is a partition, PostgreSQL enforces the bound itself'));
    if (defaultRef) steps.push(dropCheckStep(ctx, defaultRef, defaultCheck!, `NOT (${bound.check})`, `it would stop rows of that range from landing in the DEFAULT partition should ${partName} be detached again`));
  }
  return { steps, warnings: [], alsoLocked: [partRef, ...(defaultRef ? [defaultRef] : [])] };
}

/** What PostgreSQL would refuse at ATTACH, found in the snapshot with the way to fix it. */
function refuseMismatch(ctx: RecipeContext, part: TableSchema, partName: string): void {
  const parent = ctx.table;
  const missing = parent.columns.filter((c) => !part.columns.some((p) => p.name === c.name));
  const extra = part.columns.filter((p) => !parent.columns.some((c) => c.name === p.name));
  const differs = parent.columns.filter((c) => part.columns.some((p) => p.name === c.name && p.type !== c.type));
  if (missing.length || extra.length || differs.length) {
    const parts = [
      missing.length ? `missing ${missing.map((c) => `${c.name} ${c.type}`).join(', ')}` : '',
      extra.length ? `extra ${extra.map((c) => c.name).join(', ')}` : '',
      differs.length ? `other types for ${differs.map((c) => `${c.name} (${c.type} in ${ctx.tableName})`).join(', ')}` : '',
    ].filter(Boolean);
    throw new PlanningError(`${partName} must have exactly the columns of ${ctx.tableName}, with the same types: ${parts.join('; ')}`, ctx.statement);
  }
  const nullable = parent.columns.filter((c) => !c.nullable && part.columns.find((p) => p.name === c.name)!.nullable);
  if (nullable.length) {
    throw new PlanningError(
      `${nullable.map((c) => c.name).join(', ')} ${nullable.length > 1 ? 'are' : 'is'} NOT NULL in ${ctx.tableName} but not in ${partName}; plan ALTER TABLE ${qualify(partRefOf(part))} ALTER COLUMN … SET NOT NULL first (liveshift does it without a long lock), then the attach`,
      ctx.statement,
    );
  }
  for (const k of parent.constraints.filter((x) => x.type === 'check')) {
    if (!part.constraints.some((p) => p.type === 'check' && p.name === k.name)) {
      throw new PlanningError(
        `${ctx.tableName} has CHECK constraint ${k.name}, which ${partName} must already have (ATTACH refuses otherwise); add it with ALTER TABLE ${qualify(partRefOf(part))} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.definition} (liveshift plans it NOT VALID, then VALIDATE), then the attach`,
        ctx.statement,
      );
    }
  }
  for (const k of parent.constraints.filter((x) => x.type === 'foreign_key')) {
    const same = part.constraints.some((p) => p.type === 'foreign_key' && p.validated && sameList(p.columns, k.columns) && p.references?.table === k.references?.table && sameList(p.references?.columns ?? [], k.references?.columns ?? []));
    if (!same) {
      throw new PlanningError(
        `${ctx.tableName} has foreign key ${k.name}; ATTACH would add it to ${partName} and check every row while it holds ACCESS EXCLUSIVE on ${partName} and SHARE ROW EXCLUSIVE on ${k.references?.table} (writes there wait). ` +
          `Add it to ${partName} first — ALTER TABLE ${qualify(partRefOf(part))} ADD FOREIGN KEY (${k.columns.map(quoteIdent).join(', ')}) REFERENCES … (liveshift adds it NOT VALID and validates it separately) — then the attach`,
        ctx.statement,
      );
    }
  }
}

function partRefOf(t: TableSchema): TableRef {
  return { schema: t.schema, name: t.name };
}

function defaultPartition(ctx: RecipeContext): TableRef | undefined {
  const t = ctx.snapshot.tables.find((x) => x.partitionOf?.table === ctx.tableName && x.partitionOf.bound === 'DEFAULT');
  return t && partRefOf(t);
}

function requireFreeConstraint(ctx: RecipeContext, table: TableSchema, name: string, tableName: string): void {
  if (table.constraints.some((k) => k.name === name)) throw new PlanningError(`constraint "${name}" already exists on ${tableName}`, ctx.statement);
}

/**
 * Each index of the partitioned table needs its twin on the partition; ATTACH builds missing ones
 * under ACCESS EXCLUSIVE on the partition. Built here CONCURRENTLY instead, and a primary key or
 * unique constraint's twin turned into the same kind of constraint (ATTACH only adopts an index
 * that backs a constraint for a constraint — measured: a plain unique index is ignored and a new
 * one built).
 */
function partitionIndexSteps(ctx: RecipeContext, partRef: TableRef, part: TableSchema): StepDraft[] {
  const steps: StepDraft[] = [];
  const partName = displayName(partRef);
  const t = qualify(partRef);
  for (const ix of ctx.table.indexes) {
    const owner = ctx.table.constraints.find((k) => (k.type === 'primary_key' || k.type === 'unique') && k.name === ix.name);
    const twin = part.indexes.find((p) => sameList(p.columns, ix.columns) && p.unique === ix.unique && p.method === ix.method && p.predicate === ix.predicate && p.valid);
    const twinOwned = twin && part.constraints.some((k) => (k.type === 'primary_key' || k.type === 'unique') && k.name === twin.name);
    if (twin && (!owner || twinOwned)) continue;
    const name = twin?.name ?? (owner?.type === 'primary_key' ? derivedName([partRef.name], 'pkey') : derivedName([partRef.name, ...ix.columns.map((c) => c.replace(/[^A-Za-z0-9_]+/g, '_'))], ix.unique ? 'key' : 'idx'));
    const build = twin ? undefined : buildSql(ctx, ix, partRef, name);
    if (build) {
      if (ctx.snapshot.tables.some((x) => x.schema === partRef.schema && (x.name === name || x.indexes.some((i) => i.name === name)))) {
        throw new PlanningError(`a relation named "${name}" already exists in schema ${partRef.schema}`, ctx.statement);
      }
      const index: IndexSchema = { ...ix, name, primary: false, valid: true, definition: build };
      steps.push({
        release: 0,
        title: `Build ${partName}'s copy of index ${ix.name} as ${name}`,
        kind: 'ddl',
        instruction: '',
        sql: [build],
        transactional: false,
        lock: lockClaim('SHARE UPDATE EXCLUSIVE', [partName], 'scan'),
        timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
        checkpoint: indexValid(partRef, name),
        rollback: { kind: 'sql', sql: [`DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(partRef.schema)}.${quoteIdent(name)}`], transactional: false },
        caveats: [
          `ATTACH would build it under ACCESS EXCLUSIVE on ${partName}; CONCURRENTLY keeps ${partName} readable and writable (SHARE UPDATE EXCLUSIVE), and ATTACH then adopts it.`,
          `If it is interrupted it leaves an INVALID index ${name}: the runner drops it with DROP INDEX CONCURRENTLY and retries.`,
        ],
        estimate: { rows: Math.max(0, Math.round(part.rowEstimate)), seconds: scanSeconds(part.sizeBytes, 2), basis: `two scans of ${formatBytes(part.sizeBytes)} plus sort; machine-dependent` },
        changes: [{ op: 'add_index', table: partRef, index }],
      });
    }
    if (owner) {
      const kind = owner.type === 'primary_key' ? 'PRIMARY KEY' : 'UNIQUE';
      const constraint: ConstraintSchema = { name, type: owner.type, columns: [...owner.columns], definition: owner.definition, validated: true, references: null };
      const rebuild = build ?? buildSql(ctx, ix, partRef, name);
      steps.push({
        release: 0,
        title: `Make ${name} the ${kind === 'PRIMARY KEY' ? 'primary key' : 'unique constraint'} of ${partName}`,
        kind: 'ddl',
        instruction: '',
        sql: [`ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} ${kind} USING INDEX ${quoteIdent(name)}`],
        transactional: true,
        lock: lockClaim('ACCESS EXCLUSIVE', [partName], 'brief'),
        timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
        checkpoint: constraintState(partRef, name, 'validated'),
        // dropping the constraint drops its index: build it again so the rollback leaves what the previous step left
        rollback: { kind: 'sql', sql: [`ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(name)}`, rebuild], transactional: false, note: 'the index goes with the constraint and is built again CONCURRENTLY' },
        caveats: [`Catalog-only: the index exists and the columns are NOT NULL, so nothing is scanned.`],
        changes: [
          { op: 'add_constraint', table: partRef, constraint },
          ...(kind === 'PRIMARY KEY' ? [{ op: 'drop_index' as const, table: partRef, index: name }, { op: 'add_index' as const, table: partRef, index: { ...(twin ?? ix), name, primary: true, valid: true, definition: rebuild } }] : []),
        ],
      });
    }
  }
  return steps;
}

/** The partitioned table's index definition, rebuilt on the partition under another name, CONCURRENTLY. */
function buildSql(ctx: RecipeContext, ix: IndexSchema, partRef: TableRef, name: string): string {
  const parsed = ix.definition.trim() ? parseStatements(ix.definition) : [];
  if (parsed.length !== 1 || parsed[0]!.type !== 'IndexStmt') {
    throw new PlanningError(`the snapshot has no usable definition for index ${ix.name} of ${ctx.tableName}; take a fresh snapshot`, ctx.statement);
  }
  const node = structuredClone(parsed[0]!.node);
  node.concurrent = true;
  node.idxname = name;
  node.relation = { ...node.relation, schemaname: partRef.schema, relname: partRef.name, inh: true };
  return deparseNode({ IndexStmt: node });
}

/** ADD CHECK … NOT VALID (brief ACCESS EXCLUSIVE), then VALIDATE (SHARE UPDATE EXCLUSIVE, one scan). */
function checkSteps(ctx: RecipeContext, ref: TableRef, table: TableSchema, name: string, expr: string, what: string): StepDraft[] {
  const t = qualify(ref);
  const tableName = displayName(ref);
  const add = `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} CHECK (${expr}) NOT VALID`;
  const drop = `ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(name)}`;
  const constraint: ConstraintSchema = { name, type: 'check', columns: [], definition: `CHECK (${expr}) NOT VALID`, validated: false, references: null };
  const timeouts = ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries);
  return [
    {
      release: 0,
      title: `Add CHECK ${name} on ${tableName} NOT VALID (${what})`,
      kind: 'ddl',
      instruction: '',
      sql: [add],
      transactional: true,
      lock: lockClaim('ACCESS EXCLUSIVE', [tableName], 'brief'),
      timeouts,
      checkpoint: constraintState(ref, name, 'not_valid'),
      rollback: { kind: 'sql', sql: [drop], transactional: true },
      caveats: ['NOT VALID: existing rows are not read now; new writes are checked from now on.'],
      changes: [{ op: 'add_constraint', table: ref, constraint: { ...constraint, columns: keyColumns(ctx, table) } }],
    },
    {
      release: 0,
      title: `Validate ${name} on existing rows of ${tableName}`,
      kind: 'validate',
      instruction: '',
      sql: [`ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(name)}`],
      transactional: true,
      lock: lockClaim('SHARE UPDATE EXCLUSIVE', [tableName], 'scan'),
      timeouts,
      checkpoint: constraintState(ref, name, 'validated'),
      rollback: { kind: 'sql', sql: [drop, add], transactional: true, note: 'returns the CHECK to NOT VALID' },
      caveats: [
        `Reads all of ${tableName} under SHARE UPDATE EXCLUSIVE: reads and writes continue. This is the scan ATTACH would otherwise do under ACCESS EXCLUSIVE.`,
        `Fails without changing anything if a row breaks it (${what} is false for that row): move or fix those rows, then run this step again.`,
      ],
      estimate: { rows: Math.max(0, Math.round(table.rowEstimate)), seconds: scanSeconds(table.sizeBytes), basis: `one scan of ${formatBytes(table.sizeBytes)}; machine-dependent` },
      changes: [{ op: 'validate_constraint', table: ref, constraint: name }],
    },
  ];
}

function dropCheckStep(ctx: RecipeContext, ref: TableRef, name: string, expr: string, why: string): StepDraft {
  const t = qualify(ref);
  return {
    release: 0,
    title: `Drop the CHECK ${name} on ${displayName(ref)}`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(name)}`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [displayName(ref)], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: constraintState(ref, name, 'absent'),
    rollback: {
      kind: 'sql',
      sql: [`ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} CHECK (${expr}) NOT VALID`, `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(name)}`],
      transactional: false,
      note: 'each statement in its own transaction, so the scan runs under SHARE UPDATE EXCLUSIVE',
    },
    caveats: [`No longer needed: ${why}. Brief ACCESS EXCLUSIVE on ${displayName(ref)}.`],
    changes: [{ op: 'drop_constraint', table: ref, constraint: name }],
  };
}

/** Without a CHECK the ATTACH scans the partition (and a DEFAULT partition) under its locks: only where that blocks nobody for long. */
function refuseScanningAttach(ctx: RecipeContext, part: TableSchema, partName: string, defaultTable: TableSchema | undefined, bound: PartitionBound): void {
  const small = (t: TableSchema) => isSmallTable(t, ctx.options.smallTableBytes);
  if (defaultTable && !small(defaultTable)) {
    throw new PlanningError(
      `${ctx.tableName} has a DEFAULT partition (${defaultTable.schema}.${defaultTable.name}, ${formatBytes(defaultTable.sizeBytes)}) that ATTACH would scan under ACCESS EXCLUSIVE, blocking its reads and writes, and no CHECK can prove it here (${bound.whyNoCheck}). ` +
        `Attach in a quiet moment, or move the default partition's rows out first`,
      ctx.statement,
    );
  }
  if (!hasCapability(ctx.engine, 'attachPartitionShareUpdateExclusive') && !small(part)) {
    throw new PlanningError(
      `on PostgreSQL ${ctx.engine.version} ATTACH PARTITION holds ACCESS EXCLUSIVE on ${ctx.tableName} — no reads or writes — while it scans ${partName} (${formatBytes(part.sizeBytes)}), and no CHECK can prove the bound here (${bound.whyNoCheck}). Upgrade to 12+ (SHARE UPDATE EXCLUSIVE there), or attach in a maintenance window`,
      ctx.statement,
    );
  }
}

function attachStep(ctx: RecipeContext, partRef: TableRef, part: TableSchema, bound: PartitionBound, defaultRef: TableRef | undefined): StepDraft {
  const partName = displayName(partRef);
  const weak = hasCapability(ctx.engine, 'attachPartitionShareUpdateExclusive');
  const mode: PgLockMode = weak ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  const proven = bound.check !== undefined;
  const also: NonNullable<LockClaim['alsoLocks']> = [{ table: partName, mode: 'ACCESS EXCLUSIVE' }, ...(defaultRef ? [{ table: displayName(defaultRef), mode: 'ACCESS EXCLUSIVE' as const }] : [])];
  const concurrently = hasCapability(ctx.engine, 'detachPartitionConcurrently') && !defaultRef && !bound.isDefault;
  const detach = `ALTER TABLE ${qualify(ctx.ref)} DETACH PARTITION ${qualify(partRef)}${concurrently ? ' CONCURRENTLY' : ''}`;
  const checkpoint: Checkpoint = {
    description: `${partName} is a partition of ${ctx.tableName}`,
    sql: `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits WHERE inhrelid = to_regclass(${quoteLiteral(qualify(partRef))}) AND inhparent = to_regclass(${quoteLiteral(qualify(ctx.ref))}))`,
    expected: true,
  };
  return {
    release: 0,
    title: `Attach ${partName} to ${ctx.tableName} ${bound.sql}`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${qualify(ctx.ref)} ATTACH PARTITION ${qualify(partRef)} ${bound.sql}`],
    transactional: true,
    lock: lockClaim(mode, [ctx.tableName], proven ? 'brief' : 'scan', also),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint,
    rollback: {
      kind: 'sql',
      sql: [detach],
      transactional: !concurrently,
      note: concurrently ? 'DETACH … CONCURRENTLY (14+): SHARE UPDATE EXCLUSIVE on the partitioned table' : `brief ACCESS EXCLUSIVE on ${ctx.tableName}`,
    },
    caveats: [
      weak
        ? `SHARE UPDATE EXCLUSIVE on ${ctx.tableName} (PostgreSQL 12+): its reads and writes continue; ACCESS EXCLUSIVE on ${partName}${defaultRef ? ` and on the DEFAULT partition ${displayName(defaultRef)}` : ''} for the moment it takes.`
        : `PostgreSQL ${ctx.engine.version} takes ACCESS EXCLUSIVE on ${ctx.tableName} itself (12 lowered it to SHARE UPDATE EXCLUSIVE): reads and writes of the whole table wait for the moment it takes, bounded by lock_timeout and retried.`,
      proven
        ? `No scan: the validated CHECK ${defaultRef ? 'constraints prove' : 'constraint proves'} the bound (PostgreSQL reports "partition constraint … is implied by existing constraints").`
        : `Scans ${partName} (${formatBytes(part.sizeBytes)}) under ACCESS EXCLUSIVE on it to check the bound — no CHECK can prove it (${bound.whyNoCheck}); ${partName} is not yet in use through ${ctx.tableName}.`,
      'Fails without changing anything if the bound overlaps another partition\'s.',
    ],
    ...(proven ? {} : { estimate: { rows: Math.max(0, Math.round(part.rowEstimate)), seconds: scanSeconds(part.sizeBytes), basis: `one scan of ${formatBytes(part.sizeBytes)}; machine-dependent` } }),
    changes: [{ op: 'attach_partition', table: ctx.ref, partition: partRef, bound: bound.sql }],
  };
}

function keyColumns(ctx: RecipeContext, table: TableSchema): string[] {
  const key = partitionKey(ctx.table);
  return table.columns.map((c) => c.name).filter((c) => key.includes(c));
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => b[i] === x);
}
