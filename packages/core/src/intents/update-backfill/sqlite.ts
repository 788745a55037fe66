import type { RecipeResult } from '../../plan/draft.js';
import type { Rollback } from '../../plan/types.js';
import type { BackfillIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { quoteIdent } from '../../engines/sqlite/quote.js';
import { tokenize } from '../../engines/sqlite/tokens.js';
import { backfillKey, backfillStep } from '../../engines/sqlite/steps.js';
import { collectNodes, parseExpression, parseStatements, type Node } from '../../input/pg-parser.js';
import { requireColumn, type RecipeContext } from '../context.js';
import { checkColumns, nonIdempotentReason, nullGuards, type DeterminismRules } from './postgres.js';

/**
 * recipes.md I-28 on SQLite: UPDATE t SET … [WHERE …] as one statement holds the database write
 * lock — every writer of every table waits — until the last row is changed. Instead: batches by
 * primary key (or rowid), each its own short write transaction, resumable. A batch may run twice (a
 * retry after SQLITE_BUSY, a resumed run), so rows already done must drop out of the batch
 * predicate: `col IS NOT (expr)` (SQLite's null-safe "distinct") when the new value is a pure
 * function of other columns, or the user's own `col IS NULL` guard. A change that cannot tell done
 * rows from pending ones (x = x + 1, random(), datetime('now') without a guard) is refused.
 *
 * Expressions are read with the PostgreSQL parser (the one SQL input goes through) only to find the
 * columns and functions they use; the statements run with the text as given, in SQLite's dialect.
 */
export function updateBackfillRecipeSqlite(ctx: RecipeContext, intent: BackfillIntent): RecipeResult {
  const keys = backfillKey(ctx);
  const assignments = intent.set.map((a) => {
    const column = requireColumn(ctx, a.column);
    if (keys.includes(column.name)) {
      throw new PlanningError(`the backfill sets "${column.name}", a column of the key it walks the table by (${keys.join(', ')}); change a key in one planned migration of its own, not as a backfill`, ctx.statement);
    }
    const text = a.expr.trim();
    return { column, expr: readExpression(text, `the value for ${a.column}`), text };
  });
  const twice = assignments.find((a, i) => assignments.findIndex((b) => b.column.name === a.column.name) !== i);
  if (twice) throw new PlanningError(`column "${twice.column.name}" is set twice`, ctx.statement);
  for (const a of assignments) checkColumns(ctx, a.expr, ['rowid']);
  const whereText = intent.where?.trim();
  const where = whereText !== undefined ? readExpression(whereText, `the WHERE clause ${whereText}`) : undefined;
  if (where) checkColumns(ctx, where, ['rowid']);

  const targets = assignments.map((a) => a.column.name);
  const unsafe = assignments.flatMap((a) => nonIdempotentReason(a.expr, a.column.name, targets, SQLITE_DETERMINISM));
  const guarded = where ? nullGuards(where).filter((c) => targets.includes(c)) : [];
  const caveats: string[] = [];
  let predicate: string;
  if (unsafe.length === 0) {
    // only rows whose value differs: a re-run batch changes nothing, and the checkpoint can count what is left
    const differs = assignments.map((a) => `${quoteIdent(a.column.name)} IS NOT (${a.text})`).join(' OR ');
    predicate = whereText ? `(${whereText}) AND (${differs})` : differs;
    caveats.push(
      "A value the column stores differently from how it compares (a text '5' stored as 5 by INTEGER affinity compares equal, but a REAL rounded or a value of another type under a STRICT column may not) keeps its row matching: the checkpoint then reports rows left, which the step does not change again.",
    );
  } else if (guarded.length) {
    predicate = whereText!;
    caveats.push(
      `${unsafe.join('; ')}: the batches stay idempotent only through the WHERE clause's ${guarded.map((c) => `${c} IS NULL`).join(' / ')}, which a row leaves once it is set. A row whose new value is NULL keeps matching, and the checkpoint reports it.`,
    );
  } else {
    throw new PlanningError(
      `this UPDATE cannot be split into safe batches: ${unsafe.join('; ')}. A batched backfill may run a batch twice (a retry after SQLITE_BUSY, a run resumed after a crash), and nothing tells a row already changed from one still to change, ` +
        'so rows could be changed twice and the end could not be checked. Make done rows drop out of the WHERE clause — e.g. set a column that is NULL until then and add "WHERE that_column IS NULL" — or compute the value from other columns only; ' +
        'or run the UPDATE as one statement, accepting that every writer of the database waits for it',
      ctx.statement,
    );
  }

  const rollback: Rollback = intent.undo
    ? { kind: 'sql', sql: intent.undo.map((s) => undoStatement(s)), transactional: true, note: 'the way back you gave; it runs as written, in one write transaction (the database write lock held until it commits)' }
    : {
        kind: 'irreversible',
        reason: `the UPDATE overwrites ${targets.join(', ')} and the previous values are not recorded (give intent.undo if you have a way back)`,
        dataLost: `the previous values of ${targets.join(', ')} in the rows of ${ctx.tableName} it changes${whereText ? ` (WHERE ${whereText})` : ''}`,
      };
  const step = backfillStep(ctx, {
    title: `Backfill ${ctx.tableName}: SET ${assignments.map((a) => `${a.column.name} = ${a.text}`).join(', ')}${whereText ? ` WHERE ${whereText}` : ''}`,
    set: assignments.map((a) => `${quoteIdent(a.column.name)} = ${a.text}`).join(', '),
    predicate,
    release: 0,
    rollback,
    caveats: [
      ...caveats,
      'Rows the application inserts or changes while it runs are not revisited: deploy the application that writes the new values itself first, or the checkpoint (no row left to change) can fail on them; run the step again to catch up.',
    ],
  });
  return { steps: [step], warnings: [] };
}

function readExpression(text: string, what: string): Node {
  let expr: Node;
  try {
    expr = parseExpression(text, what);
  } catch (error) {
    throw new PlanningError(
      `cannot read ${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (expressions are read with the PostgreSQL parser, which knows the SQL both dialects share; write SQLite-only syntax in its standard form)`,
      text,
    );
  }
  if (collectNodes(expr, 'TypeCast').length && tokenize(text).some((t, i, all) => t.text === ':' && all[i + 1]?.text.startsWith(':'))) {
    throw new PlanningError(`${what} uses a PostgreSQL :: cast, which SQLite does not have: write CAST(value AS type)`, text);
  }
  return expr;
}

/** SQLite's deterministic scalar functions (lang_corefunc.html; SQLITE_DETERMINISTIC): same arguments, same value. */
const DETERMINISTIC = new Set([
  'lower', 'upper', 'length', 'octet_length', 'substr', 'substring', 'replace', 'trim', 'ltrim', 'rtrim', 'abs', 'round', 'coalesce', 'ifnull', 'nullif',
  'iif', 'instr', 'hex', 'unhex', 'quote', 'printf', 'format', 'char', 'unicode', 'typeof', 'min', 'max', 'sign', 'concat', 'concat_ws', 'zeroblob', 'soundex',
  'json', 'json_extract', 'json_object', 'json_array', 'json_set', 'json_insert', 'json_replace', 'json_remove', 'json_type', 'json_quote',
]);

/** SQLite's reading of the engine-neutral idempotence checks. */
const SQLITE_DETERMINISM: DeterminismRules = {
  deterministic: DETERMINISTIC,
  callHint: "(random(), the date and time functions with 'now', changes())",
  currentValue: 'CURRENT_TIME/DATE/TIMESTAMP',
};

/** An undo statement: plain DML the runner executes as the rollback; DDL belongs in its own planned change. */
function undoStatement(sql: string): string {
  const parsed = parseStatements(sql);
  if (parsed.length !== 1) throw new PlanningError(`give each undo statement as its own list entry; got ${parsed.length}`, sql);
  if (!['UpdateStmt', 'InsertStmt', 'DeleteStmt'].includes(parsed[0]!.type)) throw new PlanningError('an undo statement must be an UPDATE, INSERT or DELETE (DDL is planned as its own change)', sql);
  return sql.trim().replace(/;\s*$/, '');
}
