import type { TableRef, TableSchema } from '../../schema/snapshot.js';
import { PlanningError } from '../../errors.js';
import { qualify, quoteIdent, quoteLiteral } from '../../engines/postgres/quote.js';
import { deparseNode, parseStatements, type Node } from '../../input/pg-parser.js';
import { boundSql } from '../../input/type-partition-statements.js';

/**
 * A partition bound read with the real parser, and the CHECK constraint that proves it. ATTACH
 * PARTITION skips its scan of the partition when a valid CHECK implies the partition constraint,
 * and skips the scan of the DEFAULT partition when a valid CHECK there implies the bound's
 * negation (measured on 11, 12 and 18: "partition constraint … is implied by existing
 * constraints"). The forms below are the ones measured: a plain-column key, constant bounds.
 */
export interface PartitionBound {
  /** As SQL after the partition name: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", "DEFAULT". */
  sql: string;
  isDefault: boolean;
  /** The CHECK expression equivalent to the partition constraint, or undefined when none is known (the ATTACH then scans). */
  check: string | undefined;
  /** Why there is no CHECK, for the caveat. */
  whyNoCheck?: string;
}

/** The partition key columns of a partitioned table (undefined entries are expression keys). */
export function partitionKey(table: TableSchema): (string | undefined)[] {
  const key = table.partitioning!.key;
  const stmt = parseStatements(`CREATE TABLE x () PARTITION BY ${table.partitioning!.strategy.toUpperCase()} ${key}`)[0]!;
  return ((stmt.node.partspec?.partParams as Node[]) ?? []).map((p) => p.PartitionElem?.name as string | undefined);
}

export function readBound(parentRef: TableRef, parent: TableSchema, text: string, statement: string): PartitionBound {
  let spec: Node | undefined;
  try {
    const stmt = parseStatements(`ALTER TABLE x ATTACH PARTITION y ${text}`)[0];
    spec = stmt?.node.cmds?.[0]?.AlterTableCmd?.def?.PartitionCmd?.bound;
  } catch {
    spec = undefined;
  }
  if (!spec) throw new PlanningError(`"${text}" is not a partition bound: write FOR VALUES FROM (…) TO (…), FOR VALUES IN (…), FOR VALUES WITH (MODULUS m, REMAINDER r) or DEFAULT`, statement);
  const sql = boundSql(spec);
  if (spec.is_default) return { sql, isDefault: true, check: undefined, whyNoCheck: 'a DEFAULT partition takes every row no other partition takes, which no CHECK can state once for all' };
  const strategy = { r: 'range', l: 'list', h: 'hash' }[spec.strategy as string];
  if (strategy !== parent.partitioning!.strategy) {
    throw new PlanningError(`${qualify(parentRef)} is partitioned by ${parent.partitioning!.strategy.toUpperCase()}, but the bound is a ${String(strategy).toUpperCase()} bound`, statement);
  }
  const key = partitionKey(parent);
  if (key.some((k) => k === undefined)) return { sql, isDefault: false, check: undefined, whyNoCheck: 'the partition key has an expression' };
  const cols = key.map((k) => quoteIdent(k!));
  const constant = (d: Node) => Boolean(d.A_Const || (d.TypeCast && d.TypeCast.arg?.A_Const));
  const bound = (d: Node) => (d.ColumnRef ? (d.ColumnRef.fields[0].String.sval as string).toLowerCase() : undefined);
  switch (strategy) {
    case 'range': {
      if (cols.length > 1) return { sql, isDefault: false, check: undefined, whyNoCheck: 'a range key of several columns compares them in order, which only the full partition constraint states' };
      const [lower, upper] = [(spec.lowerdatums as Node[])[0]!, (spec.upperdatums as Node[])[0]!];
      const parts = [`${cols[0]} IS NOT NULL`];
      for (const [d, op] of [[lower, '>='], [upper, '<']] as const) {
        if (bound(d) === 'minvalue' || bound(d) === 'maxvalue') continue;
        if (!constant(d)) return { sql, isDefault: false, check: undefined, whyNoCheck: 'a bound is an expression, not a constant' };
        parts.push(`${cols[0]} ${op} ${deparseNode(d)}`);
      }
      return { sql, isDefault: false, check: parts.join(' AND ') };
    }
    case 'list': {
      const datums = spec.listdatums as Node[];
      if (!datums.every((d) => constant(d))) return { sql, isDefault: false, check: undefined, whyNoCheck: 'a bound is an expression, not a constant' };
      const hasNull = datums.some((d) => d.A_Const?.isnull);
      const values = datums.filter((d) => !d.A_Const?.isnull).map(deparseNode);
      const inList = values.length ? `${cols[0]} IN (${values.join(', ')})` : undefined;
      const check = hasNull ? [`${cols[0]} IS NULL`, inList].filter(Boolean).join(' OR ') : `${cols[0]} IS NOT NULL AND ${inList}`;
      return { sql, isDefault: false, check };
    }
    default:
      return { sql, isDefault: false, check: `satisfies_hash_partition(${quoteLiteral(qualify(parentRef))}::regclass, ${spec.modulus}, ${spec.remainder}, ${cols.join(', ')})` };
  }
}
