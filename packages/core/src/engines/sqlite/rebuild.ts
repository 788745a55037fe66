import type { ColumnSchema, ConstraintSchema, IndexSchema, TableSchema, TriggerSchema } from '../../schema/snapshot.js';
import type { Checkpoint, Rollback, SchemaChange } from '../../plan/types.js';
import type { StepDraft } from '../../plan/draft.js';
import type { RecipeContext } from '../../intents/context.js';
import { PlanningError } from '../../errors.js';
import { formatBytes, scanSeconds } from '../postgres/size.js';
import { parseCreateIndex, parseCreateTable, type ParsedCreateTable } from './create-statement.js';
import { quoteIdent, quoteLiteral, tableSql } from './quote.js';
import { tokenize } from './tokens.js';
import { databaseWriteLock, WRITE_LOCK_CAVEAT } from './locks.js';
import { busyTimeouts } from './timeouts.js';

/**
 * The 12-step table rebuild of lang_altertable.html §7 ("Making Other Kinds Of Table Schema
 * Changes"), the one way SQLite changes what ALTER TABLE cannot: foreign keys off outside the
 * transaction (PRAGMA foreign_keys is a no-op inside one), BEGIN, create the new table, copy,
 * drop the old, rename the new (create-new → copy → drop-old → rename-new, never rename-old-first,
 * which 3.26+ rename semantics would carry into other tables' foreign keys), recreate indexes and
 * triggers, PRAGMA foreign_key_check, COMMIT, foreign keys back on. The runtime recognises the
 * statements below by equality to run the transaction with busy_timeout, retry it whole on
 * SQLITE_BUSY, and fail it (ROLLBACK) when foreign_key_check returns a row.
 */
export const FOREIGN_KEYS_OFF = 'PRAGMA foreign_keys = OFF';
export const FOREIGN_KEYS_ON = 'PRAGMA foreign_keys = ON';
/** IMMEDIATE takes the write lock at BEGIN, so a busy database fails before any work, not at the first write. */
export const BEGIN_WRITE = 'BEGIN IMMEDIATE';
export const COMMIT = 'COMMIT';
export const FOREIGN_KEY_CHECK = 'PRAGMA foreign_key_check';
/**
 * Around the rename only: with the old table dropped, a view that selects from it makes the 3.26+
 * RENAME fail ("error in view v: no such table"), as it re-checks every view; the legacy rename
 * checks nothing and, with foreign keys off, rewrites nothing (no other table names the new one).
 */
export const LEGACY_ALTER_ON = 'PRAGMA legacy_alter_table = ON';
export const LEGACY_ALTER_OFF = 'PRAGMA legacy_alter_table = OFF';

/** The name the new table has until it replaces the old one. */
export function rebuildTableName(table: string): string {
  return `_liveshift_new_${table}`;
}

export interface RebuildTarget {
  /** The columns after the rebuild, in order. */
  columns: ColumnSchema[];
  /** Every constraint after the rebuild (primary key, unique, checks, foreign keys). */
  constraints: ConstraintSchema[];
  /** How each new column is filled from the old row (SQL over the old table's columns); the same-named column by default. */
  fill?: Record<string, string>;
  /** Indexes after the rebuild; the table's own by default. */
  indexes?: IndexSchema[];
}

/** The statements of one rebuild of ctx.table into `target` (indexes and triggers recreated). */
export function rebuildStatements(ctx: RecipeContext, table: TableSchema, target: RebuildTarget): string[] {
  const parsed = tableFeatures(ctx, table);
  const t = tableSql(ctx.ref);
  const temp = quoteIdent(rebuildTableName(table.name));
  const withRowid = !parsed?.options.includes('WITHOUT ROWID');
  const columnList = target.columns.map((c) => quoteIdent(c.name)).join(', ');
  const fills = target.columns.map((c) => target.fill?.[c.name] ?? quoteIdent(c.name)).join(', ');
  const indexes = target.indexes ?? table.indexes;
  const autoincrement = target.constraints.some((k) => k.type === 'primary_key' && tokenize(k.definition).some((t) => t.upper === 'AUTOINCREMENT'));
  return [
    FOREIGN_KEYS_OFF,
    BEGIN_WRITE,
    createTableSql(temp, ctx, target, parsed),
    // rowid too: a table without INTEGER PRIMARY KEY keeps its rowids (applications may hold them)
    `INSERT INTO ${temp} (${withRowid ? 'rowid, ' : ''}${columnList}) SELECT ${withRowid ? 'rowid, ' : ''}${fills} FROM ${t}`,
    // AUTOINCREMENT never reuses an id, even of a deleted last row: the new table takes over the old counter
    ...(autoincrement
      ? [`UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = ${quoteLiteral(table.name)}) WHERE name = ${quoteLiteral(rebuildTableName(table.name))} AND (SELECT seq FROM sqlite_sequence WHERE name = ${quoteLiteral(table.name)}) > seq`]
      : []),
    `DROP TABLE ${t}`,
    LEGACY_ALTER_ON,
    `ALTER TABLE ${temp} RENAME TO ${t}`,
    LEGACY_ALTER_OFF,
    ...indexes.map((ix) => indexSql(ctx, ix)),
    ...table.triggers.map((tr) => triggerSql(ctx, tr)),
    FOREIGN_KEY_CHECK,
    COMMIT,
    FOREIGN_KEYS_ON,
  ];
}

/** A rebuild as a plan step: non-transactional at the runner level (it carries its own BEGIN … COMMIT). */
export function rebuildStep(
  ctx: RecipeContext,
  spec: {
    title: string;
    release: number;
    target: RebuildTarget;
    /** The rebuild back to the table as it is now; omitted when the recipe gives its own rollback. */
    rollback?: Rollback;
    changes: SchemaChange[];
    checkpoint: Checkpoint | null;
    caveats: string[];
    /** Tables (besides this one) whose rows the foreign key check reads. */
    alsoChecks?: string[];
  },
): StepDraft {
  requireSmallEnough(ctx, spec.title);
  const back: RebuildTarget = { columns: ctx.table.columns, constraints: ctx.table.constraints, indexes: ctx.table.indexes };
  return {
    release: spec.release,
    title: spec.title,
    kind: 'ddl',
    instruction: '',
    sql: rebuildStatements(ctx, ctx.table, spec.target),
    transactional: false,
    lock: databaseWriteLock([ctx.tableName], 'rewrite'),
    timeouts: busyTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: spec.checkpoint,
    rollback: spec.rollback ?? {
      kind: 'sql',
      sql: rebuildStatements(ctx, { ...ctx.table, columns: spec.target.columns, constraints: spec.target.constraints, indexes: spec.target.indexes ?? ctx.table.indexes }, back),
      transactional: false,
      note: 'the same rebuild back to the previous table definition',
    },
    caveats: [
      ...spec.caveats,
      `A table rebuild (SQLite's 12-step procedure): a new table is created with the new definition, every row copied, the old table dropped and the new one renamed in its place, with its ${ctx.table.indexes.length} index(es) and ${ctx.table.triggers.length} trigger(s) recreated, in one write transaction. ` +
        `It holds the database write lock for the whole copy of ${formatBytes(ctx.table.sizeBytes)}: every writer of the database waits (within its busy_timeout), so keep application busy_timeouts above the copy time. ` +
        'In rollback-journal mode a copy that outgrows the page cache spills to the file early, under the exclusive lock, and readers wait from then on too.',
      WRITE_LOCK_CAVEAT,
      `PRAGMA foreign_keys is switched off before the transaction (it is a no-op inside one) and back on after it; PRAGMA foreign_key_check runs before COMMIT, and liveshift's runner rolls the rebuild back if it reports any row (run by hand, read its output before COMMIT).`,
      'Views that select from the table are left as they are and see the new table once it commits (the rename runs with legacy_alter_table on, so they do not block it, and SQLite does not check them then): liveshift\'s runner checks that every view still compiles before COMMIT and rolls back if one does not (run by hand, SELECT from each view before COMMIT).',
    ],
    estimate: { rows: ctx.rows, seconds: scanSeconds(ctx.table.sizeBytes, 3), basis: `one copy of ${formatBytes(ctx.table.sizeBytes)} plus index builds; machine-dependent` },
    changes: spec.changes,
  };
}

/**
 * The truth about a rebuild on a big table: SQLite has no online path (every writer waits for the
 * whole copy), so the plan refuses rather than pretend; the threshold is the user's to raise.
 */
export function requireSmallEnough(ctx: RecipeContext, what: string): void {
  if (ctx.small) return;
  throw new PlanningError(
    `SQLite has no online way to do this (${what}): it needs a table rebuild, which copies ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)}) while holding the database-wide write lock, so every writer waits ~${scanSeconds(ctx.table.sizeBytes, 3)} s or more. ` +
      `To accept that pause (a maintenance window, or busy_timeouts long enough), raise the small-table threshold above the table's size (--small-table-bytes ${ctx.table.sizeBytes}, or smallTableBytes in the API).`,
    ctx.statement,
  );
}

/** The CREATE TABLE text read for what the model does not carry; refuses what a rebuild would lose. */
function tableFeatures(ctx: RecipeContext, table: TableSchema): ParsedCreateTable | undefined {
  if (!table.definition) return undefined;
  const parsed = parseCreateTable(table.definition);
  const generated = parsed.columns.filter((c) => c.clauses.some((k) => k.kind === 'generated'));
  if (generated.length || table.columns.some((c) => c.generated)) {
    throw new PlanningError(
      `${ctx.tableName} has generated column(s) (${generated.map((c) => c.name).join(', ')}); liveshift's SQLite table rebuild does not carry generated columns yet, so it refuses rather than turn them into plain ones`,
      ctx.statement,
    );
  }
  return parsed;
}

function createTableSql(temp: string, ctx: RecipeContext, target: RebuildTarget, parsed: ParsedCreateTable | undefined): string {
  const columns = target.columns.map((c) => {
    // COLLATE is part of the column, not of its type: carried over from the original text
    const collate = parsed?.columns.find((p) => p.name === c.name)?.clauses.find((k) => k.kind === 'collate');
    return `${quoteIdent(c.name)}${c.type ? ` ${c.type}` : ''}${collate ? ` ${collate.text}` : ''}${c.nullable ? '' : ' NOT NULL'}${c.default !== null ? ` DEFAULT ${c.default}` : ''}`;
  });
  const constraints = target.constraints.map((k) => `CONSTRAINT ${quoteIdent(k.name)} ${constraintBody(ctx, k)}`);
  const options = parsed?.options.length ? ` ${parsed.options.join(', ')}` : '';
  return `CREATE TABLE ${temp} (${[...columns, ...constraints].join(', ')})${options}`;
}

/** A constraint as a table constraint: its stored definition when it is one, else built from the model. */
export function constraintBody(ctx: RecipeContext, k: ConstraintSchema): string {
  const cols = (names: string[]) => names.map(quoteIdent).join(', ');
  const head = k.definition.trim().split(/\s+/)[0]?.toUpperCase();
  switch (k.type) {
    case 'primary_key':
      return head === 'PRIMARY' ? k.definition : `PRIMARY KEY (${cols(k.columns)})`;
    case 'unique':
      return head === 'UNIQUE' ? k.definition : `UNIQUE (${cols(k.columns)})`;
    case 'check':
      if (head !== 'CHECK') throw new PlanningError(`CHECK constraint ${k.name} of ${ctx.tableName} has no CHECK text in the snapshot to recreate it with`, ctx.statement);
      return k.definition;
    case 'foreign_key': {
      if (head === 'FOREIGN') return k.definition;
      const parent = k.references!.table.replace(/^main\./, '');
      return `FOREIGN KEY (${cols(k.columns)}) REFERENCES ${quoteIdent(parent)} (${cols(k.references!.columns)})`;
    }
  }
}

function indexSql(ctx: RecipeContext, ix: IndexSchema): string {
  try {
    const parsed = parseCreateIndex(ix.definition);
    if (parsed.name === ix.name && parsed.table === ctx.table.name) return ix.definition;
  } catch {
    // not SQLite CREATE INDEX text (a snapshot from elsewhere): built from the model below
  }
  const keys = ix.columns.map((c) => (ctx.table.columns.some((col) => col.name === c) ? quoteIdent(c) : c)).join(', ');
  return `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(ix.name)} ON ${tableSql(ctx.ref)} (${keys})${ix.predicate ? ` WHERE ${ix.predicate}` : ''}`;
}

function triggerSql(ctx: RecipeContext, tr: TriggerSchema): string {
  if (!tr.definition) {
    throw new PlanningError(
      `trigger ${tr.name} on ${ctx.tableName} has no CREATE TRIGGER text in the snapshot, and a table rebuild must recreate it; take the snapshot from the SQLite database with liveshift snapshot --db sqlite:<file>`,
      ctx.statement,
    );
  }
  return tr.definition;
}
