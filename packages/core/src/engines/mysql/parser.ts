import NodeSqlParser from 'node-sql-parser';
import { PlanningError } from '../../errors.js';
import type { MysqlFlavour } from './capabilities.js';

/**
 * MySQL/MariaDB SQL read with a real parser (node-sql-parser, pinned), never by pattern. Its MySQL
 * and MariaDB grammars each miss a few forms the other has (the MariaDB one lacks ADD FOREIGN KEY
 * and ADD CHECK in ALTER TABLE), so a statement is read with its flavour's grammar first and the
 * other second. What neither reads is reported as unsupported.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MysqlNode = Record<string, any>;

export interface MysqlStatement {
  /** The statement as the parser prints it back, for messages. */
  text: string;
  ast: MysqlNode;
}

const parser = new NodeSqlParser.Parser();
const DIALECT: Record<MysqlFlavour, string> = { mysql: 'MySQL', mariadb: 'MariaDB' };

/** Every statement of `sql`, in order; a PlanningError naming the statement when neither grammar reads it. */
export function parseMysql(sql: string, flavour: MysqlFlavour = 'mariadb'): MysqlStatement[] {
  const order: MysqlFlavour[] = flavour === 'mariadb' ? ['mariadb', 'mysql'] : ['mysql', 'mariadb'];
  let firstError: unknown;
  for (const f of order) {
    try {
      const ast = parser.astify(sql, { database: DIALECT[f] });
      const list = (Array.isArray(ast) ? ast : [ast]) as MysqlNode[];
      return list.filter((node) => node && typeof node === 'object').map((node) => ({ text: printStatement(node, f), ast: node }));
    } catch (error) {
      firstError ??= error;
    }
  }
  const reason = firstError instanceof Error ? firstError.message.split('\n')[0]! : String(firstError);
  throw new PlanningError(`cannot read this as ${flavour === 'mysql' ? 'MySQL' : 'MariaDB'} SQL: ${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason}`, sql.trim());
}

/**
 * A statement of a plan step. node-sql-parser 5.4.0 cannot read two forms liveshift emits: `ALTER
 * [COLUMN] c SET DEFAULT … | DROP DEFAULT` (both grammars stop at ALTER) and `DROP CONSTRAINT | DROP
 * CHECK` with a backquoted name (only the MySQL grammar reads them, and only with a bare name). Those
 * two — and only in liveshift's own shape: `ALTER TABLE `db`.`t` <that spec>` followed by its
 * `, ALGORITHM=…`/`, LOCK=…` clauses — are read here by that fixed shape, a default expression by the
 * parser (as `SELECT <expr>`). The result is the ALTER node the parser would give, so the step
 * invariants check its clauses like any other. Everything else goes through parseMysql.
 */
export function parseMysqlStep(sql: string, flavour: MysqlFlavour = 'mariadb'): MysqlStatement[] {
  try {
    return parseMysql(sql, flavour);
  } catch (error) {
    const own = ownAlter(sql.trim(), flavour);
    if (own) return [own];
    throw error;
  }
}

const IDENT = '`(?:[^`]|``)+`';
const OWN_ALTER = new RegExp(
  `^ALTER TABLE (${IDENT})\\.(${IDENT}) (?:ALTER COLUMN (${IDENT}) (?:SET DEFAULT (.+?)|DROP DEFAULT)|DROP (CONSTRAINT|CHECK) (${IDENT}))((?:, (?:ALGORITHM|LOCK)=[A-Z]+)*)$`,
  's',
);
const unquote = (q: string) => q.slice(1, -1).replace(/``/g, '`');

function ownAlter(sql: string, flavour: MysqlFlavour): MysqlStatement | undefined {
  const m = OWN_ALTER.exec(sql);
  if (!m) return undefined;
  const [, db, table, column, dflt, dropKeyword, constraint, clauses] = m;
  if (dflt !== undefined) {
    // the default must be one expression the parser reads
    try {
      const select = parseMysql(`SELECT ${dflt}`, flavour);
      if (select.length !== 1 || select[0]!.ast.columns?.length !== 1) return undefined;
    } catch {
      return undefined;
    }
  }
  const expr: MysqlNode[] = [
    column !== undefined
      ? { type: 'alter', action: dflt !== undefined ? 'set_default' : 'drop_default', resource: 'column', column: { type: 'column_ref', column: unquote(column) } }
      : { type: 'alter', action: 'drop', resource: 'constraint', keyword: dropKeyword!.toLowerCase(), constraint: unquote(constraint!) },
  ];
  for (const clause of clauses!.split(', ').filter(Boolean)) {
    const [key, value] = clause.split('=') as [string, string];
    expr.push(key === 'ALGORITHM' ? { type: 'alter', resource: 'algorithm', algorithm: value } : { type: 'alter', resource: 'lock', lock: value });
  }
  return { text: sql, ast: { type: 'alter', table: [{ db: unquote(db!), table: unquote(table!) }], expr } };
}

function printStatement(node: MysqlNode, flavour: MysqlFlavour): string {
  try {
    return parser.sqlify(node as never, { database: DIALECT[flavour] });
  } catch {
    return JSON.stringify(node).slice(0, 200);
  }
}

/** An expression (a default, a CHECK) printed back as SQL. */
export function expressionText(node: MysqlNode, flavour: MysqlFlavour = 'mariadb'): string {
  return parser.exprToSQL(node, { database: DIALECT[flavour] });
}

/** The plain name of a table reference node ({ db, table }). */
export function tableOf(node: MysqlNode): string | { schema: string; name: string } {
  return node.db ? { schema: String(node.db), name: String(node.table) } : String(node.table);
}

/** A column_ref node's column name (the parser wraps some in { expr: { value } }). */
export function columnName(node: MysqlNode): string {
  const c = node?.column;
  if (typeof c === 'string') return c;
  if (c && typeof c === 'object' && 'expr' in c) return String(c.expr.value);
  throw new Error(`internal error: not a column reference: ${JSON.stringify(node)}`);
}

/** Column names referenced anywhere in an expression node. */
export function referencedColumnNames(node: unknown): string[] {
  const out = new Set<string>();
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const rec = n as MysqlNode;
    if (rec.type === 'column_ref') out.add(columnName(rec));
    for (const v of Object.values(rec)) walk(v);
  };
  walk(node);
  return [...out];
}
