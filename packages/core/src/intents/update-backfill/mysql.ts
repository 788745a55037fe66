import type { Rollback } from '../../plan/types.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { BackfillIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { flavourOf } from '../../engines/mysql/capabilities.js';
import { expressionText, parseMysql, referencedColumnNames, type MysqlNode } from '../../engines/mysql/parser.js';
import { isDdl } from '../../engines/mysql/invariants.js';
import { quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlBackfillStep, mysqlDistinct } from '../backfill/mysql.js';
import { primaryKeyColumns } from '../backfill/postgres.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-28 (MySQL/MariaDB): UPDATE t SET … [WHERE …] as one statement locks every row it
 * changes until it commits, and replicas apply it as one long transaction. Instead: primary-key
 * ranges, one short InnoDB transaction per batch, resumable. A batch may run twice (a retry, a
 * resumed run), so rows already done must drop out of the batch predicate: `col` differs from the
 * new value when the value is a pure function of other columns, or the user's own `col IS NULL`
 * guard. A change that cannot tell done rows from pending ones (x = x + 1, RAND(), NOW() without a
 * guard) is refused.
 */
export function updateBackfillRecipeMysql(ctx: RecipeContext, intent: BackfillIntent): RecipeResult {
  const flavour = flavourOf(ctx.engine);
  const keys = primaryKeyColumns(ctx);
  const assignments = intent.set.map((a) => {
    const column = requireColumn(ctx, a.column);
    if (keys.includes(column.name)) {
      throw new PlanningError(`the backfill sets "${column.name}", a column of the primary key it walks the table by; change a key in one planned migration of its own, not as a backfill`, ctx.statement);
    }
    const expr = readExpression(`SELECT ${a.expr}`, (ast) => (ast.columns?.length === 1 ? ast.columns[0].expr : undefined), `the value for ${a.column} (${a.expr})`, ctx);
    return { column, expr, text: expressionText(expr, flavour) };
  });
  const twice = assignments.find((a, i) => assignments.findIndex((b) => b.column.name === a.column.name) !== i);
  if (twice) throw new PlanningError(`column "${twice.column.name}" is set twice`, ctx.statement);
  for (const a of assignments) referencedColumnNames(a.expr).forEach((c) => requireColumn(ctx, c));
  const where = intent.where !== undefined ? readExpression(`SELECT 1 FROM t WHERE ${intent.where}`, (ast) => ast.where ?? undefined, `the WHERE clause ${intent.where}`, ctx) : undefined;
  if (where) referencedColumnNames(where).forEach((c) => requireColumn(ctx, c));

  const targets = assignments.map((a) => a.column.name);
  const unsafe = assignments.flatMap((a) => nonIdempotentReason(a.expr, a.column.name, targets));
  const guarded = where ? nullGuards(where).filter((c) => targets.includes(c)) : [];
  const whereText = where ? expressionText(where, flavour) : undefined;
  const caveats: string[] = [];
  let predicate: string;
  if (unsafe.length === 0) {
    // only rows whose value differs: a re-run batch changes nothing, and the checkpoint can count what is left
    const differs = assignments.map((a) => mysqlDistinct(quoteIdent(a.column.name), `(${a.text})`)).join(' OR ');
    predicate = whereText ? `(${whereText}) AND (${differs})` : differs;
    caveats.push(`A value the column stores differently from how it compares (a number rounded to the column's type, a string truncated or compared under another collation) keeps its row matching: the checkpoint then reports rows left, which the step does not change again.`);
  } else if (guarded.length) {
    predicate = whereText!;
    caveats.push(`${unsafe.join('; ')}: the batches stay idempotent only through the WHERE clause's ${guarded.map((c) => `${c} IS NULL`).join(' / ')}, which a row leaves once it is set. A row whose new value is NULL keeps matching, and the checkpoint reports it.`);
  } else {
    throw new PlanningError(
      `this UPDATE cannot be split into safe batches: ${unsafe.join('; ')}. A batched backfill may run a batch twice (a retry after a lock wait timeout, a run resumed after a crash), and nothing tells a row already changed from one still to change, ` +
        'so rows could be changed twice and the end could not be checked. Make done rows drop out of the WHERE clause — e.g. set a column that is NULL until then and add "WHERE that_column IS NULL" — or compute the value from other columns only; ' +
        'or run the UPDATE as one statement in a maintenance window',
      ctx.statement,
    );
  }
  const rollback: Rollback = intent.undo
    ? { kind: 'sql', sql: intent.undo.map((s) => undoStatement(ctx, s)), transactional: false, note: 'the way back you gave; it runs as written, one statement after the other' }
    : {
        kind: 'irreversible',
        reason: `the UPDATE overwrites ${targets.join(', ')} and the previous values are not recorded (give intent.undo if you have a way back)`,
        dataLost: `the previous values of ${targets.join(', ')} in the rows of ${ctx.tableName} it changes${whereText ? ` (WHERE ${whereText})` : ''}`,
      };
  return {
    warnings: [],
    steps: [
      mysqlBackfillStep(ctx, {
        title: `Backfill ${ctx.tableName}: SET ${assignments.map((a) => `${a.column.name} = ${a.text}`).join(', ')}${whereText ? ` WHERE ${whereText}` : ''}`,
        set: assignments.map((a) => `${quoteIdent(a.column.name)} = ${a.text}`).join(', '),
        predicate,
        release: 0,
        rollback,
        caveats: [
          ...caveats,
          'Rows the application inserts or changes while it runs are not revisited: deploy the application that writes the new values itself first, or the checkpoint (no row left to change) can fail on them; run the step again to catch up.',
        ],
      }),
    ],
  };
}

function readExpression(sql: string, pick: (ast: MysqlNode) => MysqlNode | undefined, what: string, ctx: RecipeContext): MysqlNode {
  try {
    const statements = parseMysql(sql, flavourOf(ctx.engine));
    const node = statements.length === 1 ? pick(statements[0]!.ast) : undefined;
    if (node) return node;
  } catch {
    // reported below, naming the part
  }
  throw new PlanningError(`cannot read ${what} as one MySQL/MariaDB expression`, ctx.statement);
}

/** Functions that return the same value for the same arguments (no clock, randomness, session state or reads). */
const DETERMINISTIC = new Set([
  'LOWER', 'LCASE', 'UPPER', 'UCASE', 'CONCAT', 'CONCAT_WS', 'SUBSTRING', 'SUBSTR', 'LEFT', 'RIGHT', 'TRIM', 'LTRIM', 'RTRIM', 'REPLACE', 'LENGTH',
  'CHAR_LENGTH', 'CHARACTER_LENGTH', 'COALESCE', 'IFNULL', 'IF', 'NULLIF', 'ABS', 'ROUND', 'TRUNCATE', 'FLOOR', 'CEIL', 'CEILING', 'SIGN', 'MOD',
  'POWER', 'POW', 'SQRT', 'MD5', 'SHA1', 'SHA2', 'LPAD', 'RPAD', 'REVERSE', 'REPEAT', 'LOCATE', 'INSTR', 'GREATEST', 'LEAST', 'HEX', 'UNHEX',
  'DATE', 'YEAR', 'MONTH', 'DAY', 'DATE_FORMAT', 'JSON_EXTRACT', 'JSON_UNQUOTE',
]);

/** Why setting `column` with `expr` would not be idempotent, if it would not. */
function nonIdempotentReason(expr: MysqlNode, column: string, targets: string[]): string[] {
  const reasons: string[] = [];
  const self = referencedColumnNames(expr).filter((c) => targets.includes(c));
  if (self.length) reasons.push(`the value for ${column} reads ${[...new Set(self)].join(', ')}, which the backfill itself changes (like x = x + 1), so running a row twice changes it twice`);
  const calls = new Set<string>();
  let subquery = false;
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const rec = n as MysqlNode;
    if (rec.type === 'function') {
      const name = String(rec.name?.name?.[0]?.value ?? rec.name ?? '').toUpperCase();
      if (!DETERMINISTIC.has(name)) calls.add(name);
    }
    if (rec.type === 'aggr_func') calls.add(String(rec.name).toUpperCase());
    if (rec.ast || rec.type === 'select') subquery = true;
    for (const v of Object.values(rec)) walk(v);
  };
  walk(expr);
  if (calls.size) reasons.push(`the value for ${column} calls ${[...calls].map((f) => `${f}()`).join(', ')}, which liveshift does not know to return the same value each time`);
  if (subquery) reasons.push(`the value for ${column} is a subquery, whose result can change while the backfill runs`);
  return reasons;
}

/** Columns the WHERE clause requires to be NULL at its top level (AND-ed `c IS NULL`). */
function nullGuards(where: MysqlNode): string[] {
  if (where.type === 'binary_expr' && String(where.operator).toUpperCase() === 'AND') return [...nullGuards(where.left), ...nullGuards(where.right)];
  if (where.type === 'binary_expr' && String(where.operator).toUpperCase() === 'IS' && where.right?.type === 'null' && where.left?.type === 'column_ref') return referencedColumnNames(where.left);
  return [];
}

/** An undo statement: plain DML the runner can execute as the rollback; DDL belongs in its own planned change. */
function undoStatement(ctx: RecipeContext, sql: string): string {
  let statements;
  try {
    statements = parseMysql(sql, flavourOf(ctx.engine));
  } catch (error) {
    throw new PlanningError(`cannot read the undo statement: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, sql);
  }
  if (statements.length !== 1) throw new PlanningError('give each undo statement as its own list entry', sql);
  if (isDdl(statements[0]!) || !['update', 'insert', 'delete', 'replace'].includes(String(statements[0]!.ast.type))) {
    throw new PlanningError('an undo statement must be an UPDATE, INSERT or DELETE (DDL is planned as its own change)', sql);
  }
  return sql.trim().replace(/;\s*$/, '');
}
