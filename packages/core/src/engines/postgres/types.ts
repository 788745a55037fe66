import { deparseNode, type Node } from '../../input/pg-parser.js';

/**
 * A parsed type name rendered the way the server's format_type() prints it, so a planned column
 * compares equal to an introspected one ("varchar(20)" → "character varying(20)").
 */
const CANONICAL: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  time: 'time without time zone',
  timetz: 'time with time zone',
  varbit: 'bit varying',
};

export function formatTypeName(typeName: Node): string {
  const names = (typeName.names as Node[]).map((n) => n.String.sval as string);
  const catalog = names.length === 2 && names[0] === 'pg_catalog';
  const base = names[names.length - 1]!;
  const arrayDims = (typeName.arrayBounds as Node[] | undefined)?.length ?? 0;
  if (names.length > 1 && !catalog) return deparseNode({ TypeName: typeName });
  const known = CANONICAL[base] ?? (catalog || isPlainBuiltin(base) ? base : undefined);
  if (known === undefined) return deparseNode({ TypeName: typeName });
  const mods = ((typeName.typmods as Node[] | undefined) ?? []).map((m) => m.A_Const?.ival?.ival ?? 0);
  let out = known;
  if (mods.length && (base === 'timestamp' || base === 'timestamptz' || base === 'time' || base === 'timetz')) {
    out = out.replace(/^(time(?:stamp)?)/, `$1(${mods.join(',')})`);
  } else if (mods.length && base === 'interval') {
    out = `interval(${mods[mods.length - 1]})`;
  } else if (mods.length) {
    out = `${out}(${mods.join(',')})`;
  }
  return out + '[]'.repeat(arrayDims);
}

function isPlainBuiltin(name: string): boolean {
  return ['text', 'uuid', 'json', 'jsonb', 'date', 'bytea', 'numeric', 'interval', 'inet', 'cidr', 'money', 'xml', 'citext'].includes(name);
}

/**
 * Key type families for foreign keys: within a family PostgreSQL has an equality operator (or an
 * implicit cast) between the types; across these families it refuses the constraint
 * ("incompatible types"). Types outside them are left for the server to judge.
 */
export type KeyTypeFamily = 'integer' | 'string' | 'uuid';

export function keyTypeFamily(type: string): KeyTypeFamily | undefined {
  if (/^(smallint|integer|bigint)$/.test(type)) return 'integer';
  if (/^(text|character varying|character)(\(\d+\))?$/.test(type)) return 'string';
  if (type === 'uuid') return 'uuid';
  return undefined;
}
