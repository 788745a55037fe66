import { PlanningError } from '../errors.js';
import type { IntentInput } from '../intents/types.js';
import { deparseNode, type Node, type ParsedStatement } from './pg-parser.js';
import { formatTypeName } from '../engines/postgres/types.js';
import { tableOf, unsupported } from './sql-to-intents.js';

/** Naive SQL → intents for column type changes, enum values and partitions (read from the parser's AST). */

type TableInput = Extract<IntentInput, { table: unknown }>['table'];

/** ALTER TABLE t ALTER COLUMN c [SET DATA] TYPE type [USING expr] */
export function alterColumnType(stmt: ParsedStatement, table: TableInput, cmd: Node): IntentInput {
  const def = cmd.def.ColumnDef as Node;
  if (def.collClause) unsupported(stmt, 'ALTER COLUMN … TYPE … COLLATE');
  return {
    kind: 'change_column_type',
    table,
    column: cmd.name as string,
    type: formatTypeName(def.typeName),
    ...(def.raw_default ? { using: deparseNode(def.raw_default) } : {}),
  };
}

/** ALTER TYPE e ADD VALUE [IF NOT EXISTS] 'v' [BEFORE | AFTER 'w'] */
export function alterEnum(stmt: ParsedStatement, n: Node): IntentInput {
  if (n.oldVal !== undefined) unsupported(stmt, 'ALTER TYPE … RENAME VALUE (it breaks every running application that still writes the old label; add the new value, move the data, then stop using the old one)');
  const names = (n.typeName as Node[]).map((x) => x.String.sval as string);
  const type = names.length === 2 ? { schema: names[0]!, name: names[1]! } : names[0]!;
  const neighbour = n.newValNeighbor as string | undefined;
  return {
    kind: 'add_enum_value',
    type,
    value: n.newVal as string,
    ...(neighbour !== undefined ? (n.newValIsAfter ? { after: neighbour } : { before: neighbour }) : {}),
  };
}

/** ALTER TABLE p ATTACH PARTITION c { FOR VALUES … | DEFAULT } */
export function attachPartition(table: TableInput, cmd: Node): IntentInput {
  const part = cmd.def.PartitionCmd as Node;
  return { kind: 'attach_partition', table, partition: tableOf(part.name), bound: boundSql(part.bound) };
}

/** ALTER TABLE p DETACH PARTITION c [CONCURRENTLY]: the plan picks CONCURRENTLY where the server has it. */
export function detachPartition(stmt: ParsedStatement, table: TableInput, cmd: Node): IntentInput {
  if (cmd.subtype === 'AT_DetachPartitionFinalize') {
    throw new PlanningError('DETACH PARTITION … FINALIZE completes an interrupted DETACH … CONCURRENTLY; run it as it is (it takes SHARE UPDATE EXCLUSIVE), there is nothing to plan', stmt.text);
  }
  return { kind: 'detach_partition', table, partition: tableOf((cmd.def.PartitionCmd as Node).name) };
}

/** The bound as SQL ("FOR VALUES FROM (1) TO (10)", "DEFAULT"), printed by the deparser from the AST. */
export function boundSql(bound: Node): string {
  const statement = {
    AlterTableStmt: {
      relation: { relname: 'p', inh: true, relpersistence: 'p' },
      cmds: [{ AlterTableCmd: { subtype: 'AT_AttachPartition', def: { PartitionCmd: { name: { relname: 'c', inh: true, relpersistence: 'p' }, bound } }, behavior: 'DROP_RESTRICT' } }],
      objtype: 'OBJECT_TABLE',
    },
  };
  const text = deparseNode(statement);
  const at = text.indexOf('ATTACH PARTITION c ');
  if (at < 0) throw new Error(`internal error: unexpected deparse of a partition bound: ${text}`);
  return text.slice(at + 'ATTACH PARTITION c '.length).replace(/\s+/g, ' ').trim();
}
