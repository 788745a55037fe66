import type { ColumnSchema, EngineInfo } from '../../schema/snapshot.js';
import { PlanningError } from '../../errors.js';
import { flavourOf } from './capabilities.js';
import { parseMysql, type MysqlNode } from './parser.js';
import { mysqlType } from './column-type.js';
import { quoteIdent } from './quote.js';

const LITERALS = new Set(['number', 'single_quote_string', 'double_quote_string', 'string', 'bool', 'boolean', 'null', 'hex_string', 'bit_string']);
const CLOCK = new Set(['CURRENT_TIMESTAMP', 'NOW', 'LOCALTIME', 'LOCALTIMESTAMP']);

/**
 * Whether a default is one the server stores as a constant: a literal, or CURRENT_TIMESTAMP. ADD
 * COLUMN with such a default is instant (MariaDB [E]: `NOT NULL DEFAULT k`, `DEFAULT CURRENT_TIMESTAMP`);
 * an expression default `DEFAULT (expr)` or a non-deterministic one forces a table copy (MariaDB [E]:
 * `DEFAULT (UUID())` is COPY, LOCK=SHARED; MySQL refuses it with ALGORITHM=INSTANT).
 */
export function isConstantDefault(expr: string, engine: EngineInfo): boolean {
  let node: MysqlNode;
  try {
    node = parseMysql(`SELECT ${expr}`, flavourOf(engine))[0]!.ast.columns[0].expr;
  } catch {
    return false;
  }
  if (node.type === 'unary_expr' && node.operator === '-' && node.expr?.type === 'number') return true;
  if (LITERALS.has(String(node.type))) return true;
  const fn = node.type === 'function' ? String(node.name?.name?.[0]?.value ?? '').toUpperCase() : '';
  return CLOCK.has(fn) && !(node.args?.value?.length > 0 && !(node.args.value as MysqlNode[]).every((a) => a.type === 'number'));
}

/**
 * The column as MODIFY must restate it: MODIFY replaces the whole definition, so whatever it does
 * not repeat is lost. The snapshot knows type, NULL-ness and default; the step that runs a MODIFY
 * is preceded by a check that the column has nothing else (see definitionGuard).
 */
export function columnDefinitionSql(col: ColumnSchema, engine: EngineInfo, nullable: boolean, statement: string): string {
  const type = mysqlType(col.type, engine, statement).sql;
  return `${quoteIdent(col.name)} ${type} ${nullable ? 'NULL' : 'NOT NULL'}${col.default !== null ? ` DEFAULT ${col.default}` : ''}`;
}

export function refuseGenerated(col: ColumnSchema, statement: string): void {
  if (col.generated) throw new PlanningError(`column "${col.name}" is a generated column; liveshift does not plan changes to generated columns on MySQL/MariaDB`, statement);
}
