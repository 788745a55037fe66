import type { EngineInfo } from '../../schema/snapshot.js';
import { PlanningError } from '../../errors.js';
import { flavourOf } from './capabilities.js';
import { expressionText, parseMysql, type MysqlNode } from './parser.js';

/**
 * A column type as written in DDL and as the server prints it back (INFORMATION_SCHEMA.COLUMNS
 * .COLUMN_TYPE), so a plan's predicted schema can be compared with the introspected one. MariaDB (and
 * MySQL before 8.0.19) prints integer display widths: `int` is shown as `int(11)`.
 */
export interface MysqlType {
  /** For DDL: `varchar(40)`, `int unsigned`, `decimal(12,2)`. */
  sql: string;
  /** As COLUMN_TYPE shows it on this server: `int(10) unsigned` on MariaDB. */
  printed: string;
  /** The base type, lower case: `varchar`, `int`. */
  base: string;
  /** The declared length (VARCHAR/CHAR), when there is one. */
  length?: number;
}

const INTEGER_WIDTH: Record<string, [signed: number, unsigned: number]> = {
  tinyint: [4, 3],
  smallint: [6, 5],
  mediumint: [9, 8],
  int: [11, 10],
  bigint: [20, 20],
};
const ALIASES: Record<string, string> = { integer: 'int', numeric: 'decimal', dec: 'decimal', bool: 'tinyint', boolean: 'tinyint', 'double precision': 'double' };
const DISPLAY_WIDTHS_DROPPED = 80019;

/** Reads `type` with the parser (as an ADD COLUMN definition) and formats it for `engine`. */
export function mysqlType(type: string, engine: EngineInfo, statement: string): MysqlType {
  let def: MysqlNode;
  try {
    const [stmt] = parseMysql(`ALTER TABLE t ADD COLUMN c ${type}`, flavourOf(engine));
    def = stmt!.ast.expr[0].definition;
  } catch {
    throw new PlanningError(`cannot read "${type}" as a ${flavourOf(engine) === 'mysql' ? 'MySQL' : 'MariaDB'} column type`, statement);
  }
  const written = String(def.dataType).toLowerCase();
  const base = ALIASES[written] ?? written;
  const suffix = ((def.suffix as string[] | null) ?? []).map((s) => String(s).toLowerCase());
  const unsigned = suffix.includes('unsigned');
  const tail = suffix.length ? ` ${suffix.join(' ')}` : '';
  const args = def.length !== undefined && def.length !== null ? [def.length, ...(def.scale !== undefined && def.scale !== null ? [def.scale] : [])] : [];
  if (written === 'bool' || written === 'boolean') return { sql: 'tinyint(1)', printed: 'tinyint(1)', base };
  if (base in INTEGER_WIDTH) {
    const widths = flavourOf(engine) === 'mariadb' || engine.versionNum < DISPLAY_WIDTHS_DROPPED;
    const width = args[0] ?? INTEGER_WIDTH[base]![unsigned ? 1 : 0];
    const shown = widths || (base === 'tinyint' && width === 1) ? `${base}(${width})${tail}` : `${base}${tail}`;
    return { sql: args.length ? `${base}(${args[0]})${tail}` : `${base}${tail}`, printed: shown, base };
  }
  if (base === 'decimal') {
    const [p, s] = [args[0] ?? 10, args[1] ?? 0];
    return { sql: `decimal(${p},${s})${tail}`, printed: `decimal(${p},${s})${tail}`, base };
  }
  if (base === 'char' || base === 'binary') {
    const n = args[0] ?? 1;
    return { sql: `${base}(${n})`, printed: `${base}(${n})`, base, length: n };
  }
  if (base === 'varchar' || base === 'varbinary') {
    if (args[0] === undefined) throw new PlanningError(`${base} needs a length, e.g. ${base}(255)`, statement);
    return { sql: `${base}(${args[0]})`, printed: `${base}(${args[0]})`, base, length: args[0] };
  }
  if (base === 'enum' || base === 'set') {
    const values = ((def.expr?.value as MysqlNode[]) ?? []).map((v) => expressionText(v, flavourOf(engine)));
    const text = `${base}(${values.join(',')})`;
    return { sql: text, printed: text, base };
  }
  if (base === 'json' && flavourOf(engine) === 'mariadb') {
    throw new PlanningError('a MariaDB JSON column is LONGTEXT with a CHECK (json_valid(…)) constraint, which no online ALTER adds; use longtext (and validate in the application)', statement);
  }
  const text = `${base}${args.length ? `(${args.join(',')})` : ''}${tail}`;
  return { sql: text, printed: text, base };
}

/** The type as introspection shows it, re-read so that `int` and `int(11)` compare equal on MariaDB. */
export function sameMysqlType(a: string, b: string, engine: EngineInfo): boolean {
  return mysqlType(a, engine, a).printed === mysqlType(b, engine, b).printed;
}
