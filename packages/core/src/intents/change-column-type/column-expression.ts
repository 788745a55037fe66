import type { TableSchema } from '../../schema/snapshot.js';
import { PlanningError } from '../../errors.js';
import { KNOWN_VOLATILE_FUNCTIONS } from '../../engines/postgres/volatility.js';
import { collectNodes, deparseNode, funcName, parseExpression, referencedColumns, type Node } from '../../input/pg-parser.js';
import { quoteIdent } from '../../engines/postgres/quote.js';
import { formatTypeName } from '../../engines/postgres/types.js';

/**
 * A USING (or down) expression over the row, checked with the real parser and printable three
 * ways: as written (for UPDATE … SET and checks), over `new.` (inside the sync trigger), and with
 * one column renamed.
 */
export interface RowExpression {
  /** SQL over the table's columns, e.g. `CAST("c" AS bigint)` or `"c"`. */
  sql: string;
  /** The same over the trigger's row: `new."c"`. */
  overNew: string;
  /** True when the expression is just the column itself (possibly cast to the new type). */
  plainColumn: boolean;
}

export function rowExpression(table: TableSchema, text: string | undefined, column: string, newType: string | undefined, what: string, statement: string): RowExpression {
  if (text === undefined) {
    return { sql: quoteIdent(column), overNew: `new.${quoteIdent(column)}`, plainColumn: true };
  }
  const tree = parseExpression(text, what);
  for (const name of referencedColumns(tree)) {
    if (!table.columns.some((c) => c.name === name)) {
      throw new PlanningError(`${what} uses column "${name}", which ${table.schema}.${table.name} does not have`, statement);
    }
  }
  for (const ref of collectNodes(tree, 'ColumnRef')) {
    if ((ref.fields as Node[]).length !== 1 || !(ref.fields as Node[])[0]!.String) {
      throw new PlanningError(`${what} may name columns of the table only, without a table prefix or *`, statement);
    }
  }
  if (collectNodes(tree, 'SubLink').length) throw new PlanningError(`${what} may not contain a subquery: the trigger, the backfill and the checks must compute the same value`, statement);
  const volatile = collectNodes(tree, 'FuncCall').map(funcName).find((f) => KNOWN_VOLATILE_FUNCTIONS.has(f));
  if (volatile) throw new PlanningError(`${what} calls ${volatile}(), which is volatile: the trigger, the backfill and the parity check would each compute another value`, statement);
  return {
    sql: deparseNode(requoted(tree, undefined)),
    overNew: deparseNode(requoted(tree, 'new')),
    plainColumn: isPlainColumn(tree, column, newType),
  };
}

/** Every column reference quoted the same way as the rest of the plan, optionally prefixed. */
function requoted(tree: Node, prefix: string | undefined): Node {
  const copy = structuredClone(tree);
  for (const ref of collectNodes(copy, 'ColumnRef')) {
    const fields = ref.fields as Node[];
    ref.fields = prefix === undefined ? fields : [{ String: { sval: prefix } }, ...fields];
  }
  return copy;
}

function isPlainColumn(tree: Node, column: string, newType: string | undefined): boolean {
  const bare = (n: Node) => n.ColumnRef && (n.ColumnRef.fields as Node[]).length === 1 && n.ColumnRef.fields[0].String?.sval === column;
  if (bare(tree)) return true;
  // c::newtype is the same as no USING
  return Boolean(tree.TypeCast && bare(tree.TypeCast.arg) && newType !== undefined && formatTypeName(tree.TypeCast.typeName) === newType);
}

/**
 * `c AT TIME ZONE 'UTC'` over exactly `column`: the one USING that gives a timestamp ↔ timestamptz
 * change a meaning independent of the session's TimeZone, and that the in-place change reproduces
 * with TimeZone set to UTC.
 */
export function isUtcConversion(text: string | undefined, column: string): boolean {
  if (text === undefined) return false;
  const tree = parseExpression(text, 'USING expression');
  const call = tree.FuncCall;
  if (!call || funcName(call) !== 'timezone') return false;
  const [zone, arg] = (call.args as Node[] | undefined) ?? [];
  const zoneName = zone?.A_Const?.sval?.sval as string | undefined;
  const onColumn = arg?.ColumnRef && (arg.ColumnRef.fields as Node[]).length === 1 && arg.ColumnRef.fields[0].String?.sval === column;
  return Boolean(onColumn && zoneName && ['utc', 'etc/utc', 'zulu', 'etc/zulu'].includes(zoneName.toLowerCase()));
}

/** Whether an expression (a default, a predicate) reads `column`. */
export function readsColumn(text: string | null, column: string): boolean {
  return text !== null && referencedColumns(parseExpression(text, 'expression')).includes(column);
}
