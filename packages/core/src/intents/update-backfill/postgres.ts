import type { RecipeResult } from '../../plan/draft.js';
import type { Rollback } from '../../plan/types.js';
import type { BackfillIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { quoteIdent } from '../../engines/postgres/quote.js';
import { collectNodes, deparseOneLine, funcName, parseExpression, parseStatements, referencedColumns, type Node } from '../../input/pg-parser.js';
import { backfillStep, primaryKeyColumns } from '../backfill/postgres.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-28: UPDATE t SET … [WHERE …] as one statement locks every row it changes until it
 * commits and produces one huge transaction (replica lag, bloat). Instead: keyset batches by primary
 * key, each its own short transaction, resumable. A batch may run twice (a retry, a resumed run),
 * so the batch predicate must leave out rows already done: `col IS DISTINCT FROM expr` when the new
 * value is a pure function of the row, or the user's own `col IS NULL` guard. A change that cannot
 * tell done rows from pending ones (x = x + 1, a volatile value without a guard) is refused.
 */
export function updateBackfillRecipe(ctx: RecipeContext, intent: BackfillIntent): RecipeResult {
  const keys = primaryKeyColumns(ctx);
  const assignments = intent.set.map((a) => {
    const column = requireColumn(ctx, a.column);
    if (keys.includes(column.name)) {
      throw new PlanningError(`the backfill sets "${column.name}", a column of the primary key it walks the table by; change a key in one planned migration of its own, not as a backfill`, ctx.statement);
    }
    const expr = parseExpression(a.expr, `the value for ${a.column}`);
    return { column, expr, text: deparseOneLine(expr) };
  });
  const twice = assignments.find((a, i) => assignments.findIndex((b) => b.column.name === a.column.name) !== i);
  if (twice) throw new PlanningError(`column "${twice.column.name}" is set twice`, ctx.statement);
  for (const a of assignments) checkColumns(ctx, a.expr);
  const where = intent.where !== undefined ? parseExpression(intent.where, `the WHERE clause ${intent.where}`) : undefined;
  if (where) checkColumns(ctx, where);

  const targets = assignments.map((a) => a.column.name);
  const unsafe = assignments.flatMap((a) => nonIdempotentReason(a.expr, a.column.name, targets));
  const guarded = where ? nullGuards(where).filter((c) => targets.includes(c)) : [];
  const whereText = where ? deparseOneLine(where) : undefined;
  const caveats: string[] = [];
  let predicate: string;
  if (unsafe.length === 0) {
    // only rows whose value differs: a re-run batch changes nothing, and the checkpoint can count what is left
    const differs = assignments.map((a) => `${quoteIdent(a.column.name)} IS DISTINCT FROM CAST((${a.text}) AS ${a.column.type})`).join(' OR ');
    predicate = whereText ? `(${whereText}) AND (${differs})` : differs;
  } else if (guarded.length) {
    predicate = whereText!;
    caveats.push(
      `${unsafe.join('; ')}: the batches stay idempotent only through the WHERE clause's ${guarded.map((c) => `${c} IS NULL`).join(' / ')}, which a row leaves once it is set. A row whose new value is NULL keeps matching, and the checkpoint reports it.`,
    );
  } else {
    throw new PlanningError(
      `this UPDATE cannot be split into safe batches: ${unsafe.join('; ')}. A batched backfill may run a batch twice (a retry after a lock timeout, a run resumed after a crash), and nothing tells a row already changed from one still to change, ` +
        `so rows could be changed twice and the end could not be checked. Make done rows drop out of the WHERE clause — e.g. set a column that is NULL until then and add "WHERE that_column IS NULL" — or compute the value from other columns only; ` +
        `or run the UPDATE as one statement in a maintenance window`,
      ctx.statement,
    );
  }

  const setSql = assignments.map((a) => `${quoteIdent(a.column.name)} = ${a.text}`).join(', ');
  const rollback: Rollback = intent.undo
    ? { kind: 'sql', sql: intent.undo.map((s) => undoStatement(ctx, s)), transactional: true, note: 'the way back you gave; it runs as written, in one transaction' }
    : {
        kind: 'irreversible',
        reason: `the UPDATE overwrites ${targets.join(', ')} and the previous values are not recorded (give intent.undo if you have a way back)`,
        dataLost: `the previous values of ${targets.join(', ')} in the rows of ${ctx.tableName} it changes${whereText ? ` (WHERE ${whereText})` : ''}`,
      };
  const step = backfillStep(ctx, {
    title: `Backfill ${ctx.tableName}: SET ${assignments.map((a) => `${a.column.name} = ${a.text}`).join(', ')}${whereText ? ` WHERE ${whereText}` : ''}`,
    set: setSql,
    predicate,
    release: 0,
    rollback,
    caveats: [
      ...caveats,
      `Rows the application inserts or changes while it runs are not revisited: deploy the application that writes the new values itself first, or the checkpoint (no row left to change) can fail on them; run the step again to catch up.`,
    ],
  });
  return { steps: [step], warnings: [] };
}

/** Functions that return the same value for the same arguments (pg_proc.provolatile = 'i'). */
const IMMUTABLE_FUNCTIONS = new Set([
  'lower', 'upper', 'initcap', 'length', 'char_length', 'character_length', 'octet_length', 'md5', 'abs', 'round', 'trunc',
  'floor', 'ceil', 'ceiling', 'sign', 'mod', 'power', 'sqrt', 'btrim', 'ltrim', 'rtrim', 'substr', 'replace', 'translate',
  'left', 'right', 'split_part', 'strpos', 'reverse', 'repeat', 'lpad', 'rpad', 'regexp_replace', 'sha256', 'sha512', 'textlen',
]);

/** Why setting `column` with `expr` would not be idempotent, if it would not. */
/** What an engine's SQL reads as fixed from one batch to the next, and how its messages name the rest. */
export interface DeterminismRules {
  /** Functions known to return the same value for the same arguments. */
  deterministic: ReadonlySet<string>;
  /** Appended to the "calls f()" reason, e.g. examples of the functions that are not. */
  callHint?: string;
  /** What CURRENT_TIME/… reads, for the message: "the current time or user". */
  currentValue: string;
}

const POSTGRES_DETERMINISM: DeterminismRules = { deterministic: IMMUTABLE_FUNCTIONS, currentValue: 'the current time or user' };

/** Why setting `column` with `expr` would not be idempotent, if it would not (the engine's functions per `rules`). */
export function nonIdempotentReason(expr: Node, column: string, targets: string[], rules: DeterminismRules = POSTGRES_DETERMINISM): string[] {
  const reasons: string[] = [];
  const self = referencedColumns(expr).filter((c) => targets.includes(c));
  if (self.length) reasons.push(`the value for ${column} reads ${[...new Set(self)].join(', ')}, which the backfill itself changes (like x = x + 1), so running a row twice changes it twice`);
  const calls = collectNodes(expr, 'FuncCall').map(funcName).filter((f) => !rules.deterministic.has(f));
  if (calls.length) reasons.push(`the value for ${column} calls ${[...new Set(calls)].map((f) => `${f}()`).join(', ')}, which liveshift does not know to return the same value each time${rules.callHint ? ` ${rules.callHint}` : ''}`);
  if (collectNodes(expr, 'SQLValueFunction').length) reasons.push(`the value for ${column} uses ${rules.currentValue}, which differs between batches`);
  if (collectNodes(expr, 'SubLink').length) reasons.push(`the value for ${column} is a subquery, whose result can change while the backfill runs`);
  return reasons;
}

/** Columns the predicate requires to be NULL at its top level (… AND c IS NULL AND …). */
export function nullGuards(where: Node): string[] {
  const conjuncts = where.BoolExpr?.boolop === 'AND_EXPR' ? (where.BoolExpr.args as Node[]) : [where];
  return conjuncts.flatMap((c) => {
    const test = c.NullTest;
    if (!test || test.nulltesttype !== 'IS_NULL' || !test.arg?.ColumnRef) return [];
    const fields = test.arg.ColumnRef.fields as Node[];
    return fields.length === 1 && fields[0]!.String ? [fields[0]!.String.sval as string] : [];
  });
}

/**
 * Unqualified column references must be columns of the table (a subquery may name other tables'
 * columns); `implicit` names columns every row has without declaring them (SQLite's rowid).
 */
export function checkColumns(ctx: RecipeContext, expr: Node, implicit: readonly string[] = []): void {
  if (collectNodes(expr, 'SubLink').length) return;
  for (const ref of collectNodes(expr, 'ColumnRef')) {
    const fields = ref.fields as Node[];
    if (fields.length === 1 && fields[0]!.String && !implicit.includes(fields[0]!.String.sval as string)) requireColumn(ctx, fields[0]!.String.sval as string);
  }
}

function undoStatement(ctx: RecipeContext, sql: string): string {
  const parsed = parseStatements(sql);
  if (parsed.length !== 1) throw new PlanningError(`each undo entry must be one SQL statement; got ${parsed.length}`, ctx.statement);
  return parsed[0]!.text;
}
