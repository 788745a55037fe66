import { loadModule, parseSync } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';
import { PlanningError } from '../errors.js';

/**
 * The real PostgreSQL parser (libpg-query, the server's own grammar compiled to WASM).
 * `loadParser()` must have resolved before the sync helpers are used.
 */
let loaded: Promise<void> | undefined;
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

// The AST is JSON produced by the server's node serializer; we read it structurally.
export type Node = Record<string, any>;

export interface ParsedStatement {
  /** The statement's node type, e.g. "AlterTableStmt". */
  type: string;
  node: Node;
  /** The statement's own text, trimmed, for error messages. */
  text: string;
}

export function parseStatements(sql: string): ParsedStatement[] {
  let result: { stmts?: { stmt: Node; stmt_location?: number; stmt_len?: number }[] };
  try {
    result = parseSync(sql) as typeof result;
  } catch (e) {
    const err = e as Error & { sqlDetails?: { cursorPosition?: number } };
    const pos = err.sqlDetails?.cursorPosition;
    const at = typeof pos === 'number' ? ` at character ${pos + 1}` : '';
    throw new PlanningError(`the SQL does not parse${at}: ${err.message}`, sql.trim());
  }
  return (result.stmts ?? []).map((s) => {
    const type = Object.keys(s.stmt)[0]!;
    const start = s.stmt_location ?? 0;
    const text = (s.stmt_len ? sql.slice(start, start + s.stmt_len) : sql.slice(start)).trim();
    return { type, node: s.stmt[type] as Node, text };
  });
}

/** Parses one SQL expression (a default, a predicate, an index key). */
export function parseExpression(expr: string, what: string): Node {
  const stmts = parseStatements(`SELECT ${expr}`);
  const target = stmts.length === 1 ? stmts[0]!.node.targetList : undefined;
  if (!target || target.length !== 1 || stmts[0]!.node.fromClause) {
    throw new PlanningError(`${what} is not a single SQL expression`, expr);
  }
  return target[0].ResTarget.val as Node;
}

/** Parses a type name such as "varchar(200)" or "timestamptz[]". */
export function parseTypeName(type: string): Node {
  const val = parseExpression(`NULL::${type}`, `type "${type}"`);
  if (!val.TypeCast) throw new PlanningError(`"${type}" is not a type name`, type);
  return val.TypeCast.typeName as Node;
}

export function deparseNode(node: Node): string {
  return deparseSync(node as never).trim();
}

/** Like deparseNode, on one line (no pretty-printing), for expressions shown in titles and predicates. */
export function deparseOneLine(node: Node): string {
  return deparseSync(node as never, { pretty: false }).trim();
}

/** Every node of `kind` under `node`, depth first. */
export function collectNodes(node: unknown, kind: string, out: Node[] = []): Node[] {
  if (Array.isArray(node)) {
    for (const n of node) collectNodes(n, kind, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === kind) out.push(v as Node);
      collectNodes(v, kind, out);
    }
  }
  return out;
}

/** Column names referenced anywhere in an expression (last field of each ColumnRef). */
export function referencedColumns(expr: Node): string[] {
  return collectNodes(expr, 'ColumnRef').flatMap((ref) => {
    const fields = ref.fields as Node[];
    const last = fields[fields.length - 1];
    return last?.String ? [last.String.sval as string] : [];
  });
}

export function funcName(call: Node): string {
  const names = (call.funcname as Node[]).map((n) => n.String?.sval as string);
  return names[names.length - 1]!.toLowerCase();
}
