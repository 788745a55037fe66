import type { ConstraintSchema, TableRef, TableSchema } from '../../schema/snapshot.js';
import { findTable } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddForeignKeyIntent, ReferentialAction } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, displayName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability } from '../../engines/postgres/capabilities.js';
import { keyTypeFamily } from '../../engines/postgres/types.js';
import { formatBytes, isSmallTable, scanSeconds } from '../../engines/postgres/size.js';
import { constraintState } from '../../engines/postgres/catalog-checks.js';
import { requireColumn, requireFreeConstraintName, resolveTable, type RecipeContext } from '../context.js';

/** A foreign key checked against the schema: both ends exist, the referenced end is unique. */
export interface ForeignKey {
  name: string;
  columns: string[];
  ref: TableRef;
  refTable: TableSchema;
  /** schema.table, unquoted, for lock claims and messages. */
  refName: string;
  refColumns: string[];
  onDelete: ReferentialAction | undefined;
  onUpdate: ReferentialAction | undefined;
}

/**
 * recipes.md I-13: ADD … FOREIGN KEY … NOT VALID (SHARE ROW EXCLUSIVE on both tables, brief) →
 * VALIDATE CONSTRAINT in its own transaction (SHARE UPDATE EXCLUSIVE on the table, ROW SHARE on
 * the referenced one: nobody's reads or writes wait during the scan). When both tables are small
 * the plain, validated ADD is one step. A missing index on the referencing columns is reported,
 * never added behind the user's back.
 */
export function addForeignKeyRecipe(ctx: RecipeContext, intent: AddForeignKeyIntent): RecipeResult {
  const fk = resolveForeignKey(ctx, intent);
  const warnings = [...typeWarnings(ctx, fk), ...missingIndexWarning(ctx, fk)];
  const alsoLocked = sameTable(ctx.ref, fk.ref) ? [] : [fk.ref];
  const steps = isSmallTable(fk.refTable, ctx.options.smallTableBytes) && ctx.small ? [smallTableStep(ctx, fk)] : notValidThenValidate(ctx, fk);
  return { steps, warnings, alsoLocked };
}

export function resolveForeignKey(ctx: RecipeContext, intent: AddForeignKeyIntent): ForeignKey {
  const columns = intent.columns.map((c) => requireColumn(ctx, c).name);
  requireDistinct(ctx, columns, ctx.tableName);
  const ref = resolveTable(ctx.snapshot, intent.references.table, ctx.statement);
  const refTable = findTable(ctx.snapshot, ref)!;
  const refName = displayName(ref);
  const refColumns = intent.references.columns ?? primaryKeyOf(ctx, refTable, refName);
  for (const c of refColumns) {
    if (!refTable.columns.some((x) => x.name === c)) {
      throw new PlanningError(`column "${c}" does not exist in ${refName} (columns: ${refTable.columns.map((x) => x.name).join(', ')})`, ctx.statement);
    }
  }
  requireDistinct(ctx, refColumns, refName);
  if (columns.length !== refColumns.length) {
    throw new PlanningError(
      `the foreign key has ${columns.length} referencing column${columns.length > 1 ? 's' : ''} (${columns.join(', ')}) but ${refColumns.length} referenced (${refColumns.join(', ')}); they pair up one to one`,
      ctx.statement,
    );
  }
  if (!isUniqueKey(refTable, refColumns)) {
    throw new PlanningError(
      `${refName} (${refColumns.join(', ')}) is not its primary key, a unique constraint, or a valid unique index without predicate or expressions, and a foreign key can only reference one of those. ` +
        `Make it unique first (plan CREATE UNIQUE INDEX ON ${qualify(ref)} (${refColumns.map(quoteIdent).join(', ')}) on its own, it is built CONCURRENTLY), then plan the foreign key again`,
      ctx.statement,
    );
  }
  columns.forEach((c, i) => {
    const type = ctx.table.columns.find((x) => x.name === c)!.type;
    const refType = refTable.columns.find((x) => x.name === refColumns[i])!.type;
    const [a, b] = [keyTypeFamily(type), keyTypeFamily(refType)];
    if (a && b && a !== b) {
      throw new PlanningError(`${ctx.tableName}.${c} (${type}) cannot reference ${refName}.${refColumns[i]} (${refType}): PostgreSQL has no equality between these types; change one of the column types first`, ctx.statement);
    }
  });
  const existing = ctx.table.constraints.find(
    (k) => k.type === 'foreign_key' && k.references?.table === refName && sameList(k.columns, columns) && sameList(k.references.columns, refColumns),
  );
  if (existing) {
    throw new PlanningError(
      `${ctx.tableName} already has foreign key ${existing.name} on (${columns.join(', ')}) referencing ${refName} (${refColumns.join(', ')})${existing.validated ? '' : ' (NOT VALID: validate it with ALTER TABLE … VALIDATE CONSTRAINT)'}; nothing to add`,
      ctx.statement,
    );
  }
  let name = intent.name;
  if (name !== undefined) requireFreeConstraintName(ctx, name);
  else name = generatedName(ctx, columns);
  return { name, columns, ref, refTable, refName, refColumns, onDelete: intent.onDelete, onUpdate: intent.onUpdate };
}

function requireDistinct(ctx: RecipeContext, columns: string[], table: string): void {
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice !== undefined) throw new PlanningError(`column "${twice}" of ${table} appears twice in the foreign key`, ctx.statement);
}

function primaryKeyOf(ctx: RecipeContext, table: TableSchema, name: string): string[] {
  const pk = table.constraints.find((k) => k.type === 'primary_key');
  if (!pk) {
    throw new PlanningError(`${name} has no primary key, so REFERENCES ${name} needs the referenced columns: REFERENCES ${name} (col, …), which must be unique`, ctx.statement);
  }
  return pk.columns;
}

/** PostgreSQL accepts a primary key, a unique constraint, or a valid, non-partial unique index on exactly these columns, in any order. */
function isUniqueKey(table: TableSchema, columns: string[]): boolean {
  const plain = new Set(table.columns.map((c) => c.name));
  return (
    table.constraints.some((k) => (k.type === 'primary_key' || k.type === 'unique') && sameSet(k.columns, columns)) ||
    table.indexes.some((ix) => ix.unique && ix.valid && ix.predicate === null && ix.columns.every((c) => plain.has(c)) && sameSet(ix.columns, columns))
  );
}

/**
 * PostgreSQL's own choice (ChooseConstraintName): <table>_<col>_<col>_fkey, made unique among the
 * schema's constraints with a number after "fkey".
 */
function generatedName(ctx: RecipeContext, columns: string[]): string {
  const used = new Set(ctx.snapshot.tables.filter((t) => t.schema === ctx.ref.schema).flatMap((t) => t.constraints.map((k) => k.name)));
  for (let n = 0; ; n++) {
    const name = derivedName([ctx.ref.name, ...columns], n === 0 ? 'fkey' : `fkey${n}`);
    if (!used.has(name)) return name;
  }
}

function notValidThenValidate(ctx: RecipeContext, fk: ForeignKey): StepDraft[] {
  const t = qualify(ctx.ref);
  const qn = quoteIdent(fk.name);
  const timeouts = ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries);
  const addNotValid = `${addSql(ctx, fk)} NOT VALID`;
  const drop = `ALTER TABLE ${t} DROP CONSTRAINT ${qn}`;
  const self = sameTable(ctx.ref, fk.ref);
  const both = self ? ctx.tableName : `${ctx.tableName} and on the referenced ${fk.refName}`;
  const partitioned = hasCapability(ctx.engine, 'foreignKeyNotValidOnPartitioned')
    ? []
    : [`If ${ctx.tableName} is a partitioned table, PostgreSQL ${ctx.engine.version} refuses a NOT VALID foreign key on it (allowed from 18): the step then fails and changes nothing.`];

  return [
    {
      release: 0,
      title: `Add foreign key ${fk.name} NOT VALID (${fk.columns.join(', ')}) → ${fk.refName} (${fk.refColumns.join(', ')})`,
      kind: 'ddl',
      instruction: '',
      sql: [addNotValid],
      transactional: true,
      lock: lockClaim('SHARE ROW EXCLUSIVE', lockedTables(ctx, fk), 'brief'),
      timeouts,
      checkpoint: constraintState(ctx.ref, fk.name, 'not_valid'),
      rollback: { kind: 'sql', sql: [drop], transactional: true },
      caveats: [
        `Takes SHARE ROW EXCLUSIVE on ${both}: inserts, updates and deletes on ${self ? 'it' : 'both tables'} wait while it is held; reads continue. It is held for a catalog change only (milliseconds once granted), and the wait for it is bounded by lock_timeout and retried.`,
        `NOT VALID skips checking the existing rows, but from now on every insert into ${ctx.tableName} or change of its ${plural(fk.columns, 'key column')}, and every delete or key update in ${fk.refName}, is checked.`,
        `Rolling back (DROP CONSTRAINT) takes ACCESS EXCLUSIVE on ${self ? ctx.tableName : 'both tables'} for a moment: reads wait too.`,
        ...partitioned,
      ],
      changes: [{ op: 'add_constraint', table: ctx.ref, constraint: foreignKeyConstraint(fk, false) }],
    },
    {
      release: 0,
      title: `Validate foreign key ${fk.name} on existing rows`,
      kind: 'validate',
      instruction: '',
      sql: [`ALTER TABLE ${t} VALIDATE CONSTRAINT ${qn}`],
      transactional: true,
      lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'scan', self ? undefined : [{ table: fk.refName, mode: 'ROW SHARE' }]),
      timeouts,
      checkpoint: constraintState(ctx.ref, fk.name, 'validated'),
      rollback: { kind: 'sql', sql: [drop, addNotValid], transactional: true, note: 'returns the foreign key to NOT VALID' },
      caveats: [
        `Reads all of ${ctx.tableName}, looking each key up in ${fk.refName}, under SHARE UPDATE EXCLUSIVE: reads and writes continue; only other DDL and VACUUM on ${ctx.tableName} wait.`,
        ...(self
          ? []
          : [`Also takes ROW SHARE on ${fk.refName}: reads and writes of ${fk.refName} continue; only EXCLUSIVE and ACCESS EXCLUSIVE (some DDL) wait.`]),
        `Fails without changing anything if a row of ${ctx.tableName} references a missing ${fk.refName} row: the key stays NOT VALID and keeps checking new writes. Find those rows with ${orphanQuery(ctx, fk)}, fix or delete them, then run this step again.`,
      ],
      estimate: {
        rows: ctx.rows,
        seconds: scanSeconds(ctx.table.sizeBytes + fk.refTable.sizeBytes),
        basis: `one scan of ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)}) joined with ${fk.refName} (${formatBytes(fk.refTable.sizeBytes)}); machine-dependent`,
      },
      changes: [{ op: 'validate_constraint', table: ctx.ref, constraint: fk.name }],
    },
  ];
}

function smallTableStep(ctx: RecipeContext, fk: ForeignKey): StepDraft {
  const self = sameTable(ctx.ref, fk.ref);
  const sizes = self
    ? `${ctx.tableName} is ${formatBytes(ctx.table.sizeBytes)}, under`
    : `${ctx.tableName} is ${formatBytes(ctx.table.sizeBytes)} and ${fk.refName} is ${formatBytes(fk.refTable.sizeBytes)}, both under`;
  return {
    release: 0,
    title: `Add foreign key ${fk.name} (${fk.columns.join(', ')}) → ${fk.refName} (${fk.refColumns.join(', ')}) (small tables: one statement)`,
    kind: 'ddl',
    instruction: '',
    sql: [addSql(ctx, fk)],
    transactional: true,
    lock: lockClaim('SHARE ROW EXCLUSIVE', lockedTables(ctx, fk), 'scan'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: constraintState(ctx.ref, fk.name, 'validated'),
    rollback: { kind: 'sql', sql: [`ALTER TABLE ${qualify(ctx.ref)} DROP CONSTRAINT ${quoteIdent(fk.name)}`], transactional: true },
    caveats: [
      `${sizes} the small-table threshold (${formatBytes(ctx.options.smallTableBytes)}): checking the existing rows under SHARE ROW EXCLUSIVE, which blocks writes to ${self ? 'it' : 'both tables'}, lasts milliseconds, so the NOT VALID + VALIDATE detour is not needed.`,
      `Fails (and changes nothing) if a row of ${ctx.tableName} references a missing ${fk.refName} row; find them with ${orphanQuery(ctx, fk)}.`,
    ],
    changes: [{ op: 'add_constraint', table: ctx.ref, constraint: foreignKeyConstraint(fk, true) }],
  };
}

function addSql(ctx: RecipeContext, fk: ForeignKey): string {
  return `ALTER TABLE ${qualify(ctx.ref)} ADD CONSTRAINT ${quoteIdent(fk.name)} ${foreignKeyClause(fk)}`;
}

export function foreignKeyClause(fk: ForeignKey): string {
  const actions = [fk.onDelete && ` ON DELETE ${fk.onDelete.toUpperCase()}`, fk.onUpdate && ` ON UPDATE ${fk.onUpdate.toUpperCase()}`].filter(Boolean).join('');
  return `FOREIGN KEY (${fk.columns.map(quoteIdent).join(', ')}) REFERENCES ${qualify(fk.ref)} (${fk.refColumns.map(quoteIdent).join(', ')})${actions}`;
}

export function foreignKeyConstraint(fk: ForeignKey, validated: boolean): ConstraintSchema {
  return {
    name: fk.name,
    type: 'foreign_key',
    columns: fk.columns,
    definition: `${foreignKeyClause(fk)}${validated ? '' : ' NOT VALID'}`,
    validated,
    references: { table: fk.refName, columns: fk.refColumns },
  };
}

/** Rows VALIDATE would reject: every referencing column set (MATCH SIMPLE skips rows with a NULL) and no referenced row. */
function orphanQuery(ctx: RecipeContext, fk: ForeignKey): string {
  const cols = fk.columns.map((c) => `f.${quoteIdent(c)}`);
  const notNull = cols.map((c) => `${c} IS NOT NULL`).join(' AND ');
  const match = fk.refColumns.map((c, i) => `r.${quoteIdent(c)} = ${cols[i]}`).join(' AND ');
  return `SELECT ${cols.join(', ')} FROM ${qualify(ctx.ref)} AS f WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${qualify(fk.ref)} AS r WHERE ${match}) LIMIT 100`;
}

function lockedTables(ctx: RecipeContext, fk: ForeignKey): string[] {
  return sameTable(ctx.ref, fk.ref) ? [ctx.tableName] : [ctx.tableName, fk.refName];
}

/**
 * Without an index whose leading columns are the key, every delete (or key update) in the
 * referenced table scans the referencing table (eugene E15). Adding one is the user's call.
 */
export function missingIndexWarning(ctx: RecipeContext, fk: ForeignKey): string[] {
  const n = fk.columns.length;
  const indexed = ctx.table.indexes.some(
    (ix) => ix.valid && ix.predicate === null && (ix.method === 'btree' || (ix.method === 'hash' && n === 1)) && ix.columns.length >= n && sameSet(ix.columns.slice(0, n), fk.columns),
  );
  if (indexed) return [];
  return [
    `No index on ${ctx.tableName} starts with (${fk.columns.join(', ')}): every delete in ${fk.refName}, or update of its key, will scan ${ctx.tableName} for referencing rows${fk.onDelete === 'cascade' ? ' (and ON DELETE CASCADE deletes find them the same way)' : ''}. ` +
      `liveshift does not add one on its own; to have it, put CREATE INDEX ON ${qualify(ctx.ref)} (${fk.columns.map(quoteIdent).join(', ')}) before this statement and the plan builds it CONCURRENTLY first.`,
  ];
}

export function typeWarnings(ctx: RecipeContext, fk: ForeignKey): string[] {
  return fk.columns.flatMap((c, i) => {
    const type = ctx.table.columns.find((x) => x.name === c)!.type;
    const refColumn = fk.refColumns[i]!;
    const refType = fk.refTable.columns.find((x) => x.name === refColumn)!.type;
    if (type === refType) return [];
    const same = keyTypeFamily(type) !== undefined && keyTypeFamily(type) === keyTypeFamily(refType);
    return [
      `${ctx.tableName}.${c} is ${type} but references ${fk.refName}.${refColumn}, which is ${refType}: ` +
        (same
          ? `values that fit one type and not the other cannot be referenced, and cross-type comparisons can be slower; consider making the types match.`
          : `PostgreSQL checks that the types are comparable when the constraint is added (the step fails and changes nothing if they are not).`),
    ];
  });
}

function sameTable(a: TableRef, b: TableRef): boolean {
  return a.schema === b.schema && a.name === b.name;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => b[i] === x);
}

function plural(items: string[], word: string): string {
  return items.length > 1 ? `${word}s` : word;
}
