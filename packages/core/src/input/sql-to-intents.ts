import { PlanningError } from '../errors.js';
import { SUPPORTED_INTENTS, type IntentInput } from '../intents/types.js';
import { deparseNode, parseStatements, type Node, type ParsedStatement } from './pg-parser.js';
import { formatTypeName } from '../engines/postgres/types.js';
import { addKey, addReferenceColumn, createTable, dropTables, renameTable, updateBackfill } from './table-statements.js';
import { alterColumnType, alterEnum, attachPartition, detachPartition } from './type-partition-statements.js';

/** A statement's intents plus the statement text they came from (for error messages). */
export interface SourcedIntent {
  intent: IntentInput;
  statement: string;
}

export function supportedList(): string {
  return SUPPORTED_INTENTS.map((s) => `  - ${s.sql}`).join('\n');
}

export function unsupported(stmt: ParsedStatement, what: string): never {
  throw new PlanningError(`${what} is not supported yet. liveshift plans these PostgreSQL changes:\n${supportedList()}`, stmt.text);
}

/** How an intent names a table (intents about a type, such as an enum, name none). */
type TableInput = Extract<IntentInput, { table: unknown }>['table'];

export function tableOf(relation: Node): TableInput {
  const name = relation.relname as string;
  return relation.schemaname ? { schema: relation.schemaname as string, name } : name;
}

/** Naive PostgreSQL DDL → intents, through the real parser. Requires loadParser(). */
export function sqlToIntents(sql: string): SourcedIntent[] {
  const statements = parseStatements(sql);
  if (!statements.length) throw new PlanningError('no SQL statement given', sql.trim());
  return statements.flatMap((stmt) => statementToIntents(stmt).map((intent) => ({ intent, statement: stmt.text })));
}

function statementToIntents(stmt: ParsedStatement): IntentInput[] {
  const n = stmt.node;
  switch (stmt.type) {
    case 'RenameStmt':
      if (n.renameType === 'OBJECT_COLUMN' && n.relationType === 'OBJECT_TABLE') {
        return [{ kind: 'rename_column', table: tableOf(n.relation), from: n.subname, to: n.newname }];
      }
      if (n.renameType === 'OBJECT_TABLE') return [renameTable(n)];
      return unsupported(stmt, `renaming ${String(n.renameType).replace('OBJECT_', '').toLowerCase()}s`);
    case 'AlterTableStmt':
      if (n.objtype !== 'OBJECT_TABLE') return unsupported(stmt, `ALTER ${String(n.objtype).replace('OBJECT_', '')}`);
      return (n.cmds as Node[]).map((c) => alterTableCmd(stmt, n.relation, c.AlterTableCmd));
    case 'IndexStmt':
      return [createIndex(stmt, n)];
    case 'CreateStmt':
      return [createTable(stmt, n)];
    case 'DropStmt':
      if (n.removeType === 'OBJECT_INDEX') return dropIndexes(stmt, n);
      if (n.removeType === 'OBJECT_TABLE') return dropTables(stmt, n);
      return unsupported(stmt, `DROP ${String(n.removeType).replace('OBJECT_', '')}`);
    case 'ReindexStmt':
      return [reindex(stmt, n)];
    case 'UpdateStmt':
      return [updateBackfill(stmt, n)];
    case 'AlterEnumStmt':
      return [alterEnum(stmt, n)];
    default:
      return unsupported(stmt, `this statement (${stmt.type})`);
  }
}

function alterTableCmd(stmt: ParsedStatement, relation: Node, cmd: Node): IntentInput {
  const table = tableOf(relation);
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      return addColumn(stmt, table, cmd.def.ColumnDef);
    case 'AT_SetNotNull':
      return { kind: 'set_not_null', table, column: cmd.name };
    case 'AT_AlterColumnType':
      return alterColumnType(stmt, table, cmd);
    case 'AT_AttachPartition':
      return attachPartition(table, cmd);
    case 'AT_DetachPartition':
    case 'AT_DetachPartitionFinalize':
      return detachPartition(stmt, table, cmd);
    case 'AT_DropNotNull':
      return { kind: 'drop_not_null', table, column: cmd.name };
    case 'AT_ColumnDefault':
      return cmd.def ? { kind: 'set_default', table, column: cmd.name, default: deparseNode(cmd.def) } : { kind: 'drop_default', table, column: cmd.name };
    case 'AT_DropColumn':
      if (cmd.behavior === 'DROP_CASCADE') unsupported(stmt, 'DROP COLUMN … CASCADE (it silently drops views and foreign keys that use the column; drop those on their own first)');
      return { kind: 'drop_column', table, column: cmd.name };
    case 'AT_DropConstraint':
      if (cmd.behavior === 'DROP_CASCADE') unsupported(stmt, 'DROP CONSTRAINT … CASCADE (it silently drops foreign keys that rely on the constraint; drop those on their own first)');
      return { kind: 'drop_constraint', table, name: cmd.name };
    case 'AT_AddConstraint':
      if (cmd.def?.Constraint?.contype === 'CONSTR_FOREIGN') return addForeignKey(stmt, table, cmd.def.Constraint);
      if (cmd.def?.Constraint?.contype === 'CONSTR_CHECK') return addCheck(stmt, table, cmd.def.Constraint);
      if (cmd.def?.Constraint?.contype === 'CONSTR_UNIQUE' || cmd.def?.Constraint?.contype === 'CONSTR_PRIMARY') return addKey(stmt, table, cmd.def.Constraint);
      return unsupported(stmt, `ALTER TABLE … ADD ${constraintKind(cmd.def?.Constraint?.contype)}`);
    default:
      return unsupported(stmt, `ALTER TABLE … ${describeSubtype(cmd.subtype)}`);
  }
}

function constraintKind(contype: unknown): string {
  const kinds: Record<string, string> = { CONSTR_CHECK: 'CHECK', CONSTR_UNIQUE: 'UNIQUE', CONSTR_PRIMARY: 'PRIMARY KEY', CONSTR_EXCLUSION: 'EXCLUDE', CONSTR_NOTNULL: 'NOT NULL' };
  return `CONSTRAINT … ${kinds[String(contype)] ?? String(contype).replace('CONSTR_', '')}`;
}

/** pg_constraint's one-letter action codes, as the parser reports them; 'a' (NO ACTION) is the default and is left out. */
const REFERENTIAL_ACTIONS: Record<string, 'restrict' | 'cascade' | 'set null' | 'set default'> = { r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

export function addForeignKey(stmt: ParsedStatement, table: TableInput, k: Node): IntentInput {
  // the parser leaves is_enforced out (false) for NOT ENFORCED, and marks that skip_validation too
  if (k.is_enforced !== true) unsupported(stmt, 'ADD FOREIGN KEY … NOT ENFORCED');
  if (k.skip_validation) {
    throw new PlanningError('write the plain ADD FOREIGN KEY without NOT VALID: the plan itself adds the key NOT VALID and validates it in a separate step', stmt.text);
  }
  if (k.deferrable || k.initdeferred) unsupported(stmt, 'ADD FOREIGN KEY … DEFERRABLE');
  if (k.fk_matchtype && k.fk_matchtype !== 's') unsupported(stmt, 'ADD FOREIGN KEY … MATCH FULL / MATCH PARTIAL');
  if ((k.fk_del_set_cols as Node[] | undefined)?.length) unsupported(stmt, 'ON DELETE SET NULL / SET DEFAULT with a column list');
  if (k.fk_with_period || k.pk_with_period) unsupported(stmt, 'ADD FOREIGN KEY … PERIOD');
  const names = (list: Node[] | undefined) => (list ?? []).map((n) => n.String.sval as string);
  const refColumns = names(k.pk_attrs);
  const onDelete = REFERENTIAL_ACTIONS[k.fk_del_action as string];
  const onUpdate = REFERENTIAL_ACTIONS[k.fk_upd_action as string];
  return {
    kind: 'add_foreign_key',
    table,
    columns: names(k.fk_attrs),
    references: { table: tableOf(k.pktable), ...(refColumns.length ? { columns: refColumns } : {}) },
    ...(k.conname ? { name: k.conname as string } : {}),
    ...(onDelete ? { onDelete } : {}),
    ...(onUpdate ? { onUpdate } : {}),
  };
}

function addCheck(stmt: ParsedStatement, table: TableInput, k: Node): IntentInput {
  if (k.is_enforced !== true) unsupported(stmt, 'ADD CHECK … NOT ENFORCED');
  if (k.skip_validation) {
    throw new PlanningError('write the plain ADD CHECK without NOT VALID: the plan itself adds the constraint NOT VALID and validates it in a separate step', stmt.text);
  }
  if (k.is_no_inherit) unsupported(stmt, 'ADD CHECK … NO INHERIT');
  return { kind: 'add_check', table, ...(k.conname ? { name: k.conname as string } : {}), expression: deparseNode(k.raw_expr) };
}

/** DROP INDEX a, b: one intent per index, each dropped CONCURRENTLY whether or not the statement says so. */
function dropIndexes(stmt: ParsedStatement, n: Node): IntentInput[] {
  if (n.behavior === 'DROP_CASCADE') unsupported(stmt, 'DROP INDEX … CASCADE (it silently drops constraints that rely on the index; drop those on their own first)');
  return (n.objects as Node[]).map((o) => {
    const parts = (o.List.items as Node[]).map((i) => i.String.sval as string);
    const index = parts.length === 1 ? parts[0]! : { schema: parts[parts.length - 2]!, name: parts[parts.length - 1]! };
    return { kind: 'drop_index', index };
  });
}

/** REINDEX INDEX / TABLE, CONCURRENTLY or not (the plan rebuilds online either way). */
function reindex(stmt: ParsedStatement, n: Node): IntentInput {
  const options = ((n.params as Node[] | undefined) ?? []).map((p) => p.DefElem?.defname as string).filter((o) => o !== 'concurrently' && o !== 'verbose');
  if (options.length) unsupported(stmt, `REINDEX (${options.join(', ').toUpperCase()})`);
  if (n.kind === 'REINDEX_OBJECT_INDEX') return { kind: 'reindex', index: tableOf(n.relation) };
  if (n.kind === 'REINDEX_OBJECT_TABLE') return { kind: 'reindex', table: tableOf(n.relation) };
  return unsupported(stmt, `REINDEX ${String(n.kind).replace('REINDEX_OBJECT_', '')} (reindex one index or one table)`);
}

function describeSubtype(subtype: string): string {
  return subtype.replace(/^AT_/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function addColumn(stmt: ParsedStatement, table: TableInput, def: Node): IntentInput {
  if (def.collClause) unsupported(stmt, 'ADD COLUMN … COLLATE');
  let nullable = true;
  let defaultExpr: string | undefined;
  let reference: Node | undefined;
  for (const c of (def.constraints as Node[] | undefined) ?? []) {
    const k = c.Constraint;
    switch (k.contype) {
      case 'CONSTR_FOREIGN':
        reference = k;
        break;
      case 'CONSTR_NOTNULL':
        nullable = false;
        break;
      case 'CONSTR_NULL':
        nullable = true;
        break;
      case 'CONSTR_DEFAULT':
        defaultExpr = deparseNode(k.raw_expr);
        break;
      default:
        unsupported(stmt, `ADD COLUMN with ${String(k.contype).replace('CONSTR_', '')}`);
    }
  }
  const column = {
    name: def.colname,
    type: formatTypeName(def.typeName),
    nullable,
    ...(defaultExpr !== undefined ? { default: { expr: defaultExpr } } : {}),
  };
  if (reference) return addReferenceColumn(stmt, table, column, reference);
  return { kind: 'add_column', table, column };
}

function createIndex(stmt: ParsedStatement, n: Node): IntentInput {
  if (n.indexIncludingParams?.length) unsupported(stmt, 'CREATE INDEX … INCLUDE (…)');
  if (n.nulls_not_distinct) unsupported(stmt, 'CREATE INDEX … NULLS NOT DISTINCT');
  if (n.options?.length) unsupported(stmt, 'CREATE INDEX … WITH (storage parameters)');
  if (n.tableSpace) unsupported(stmt, 'CREATE INDEX … TABLESPACE');
  if (n.relation.inh === false) unsupported(stmt, 'CREATE INDEX ON ONLY');
  const columns = (n.indexParams as Node[]).map((p) => {
    const e = p.IndexElem;
    if (e.ordering !== 'SORTBY_DEFAULT' || e.nulls_ordering !== 'SORTBY_NULLS_DEFAULT' || e.opclass || e.collation) {
      unsupported(stmt, 'index keys with ASC/DESC, NULLS FIRST/LAST, an operator class or a collation');
    }
    return e.name !== undefined ? (e.name as string) : `(${deparseNode(e.expr)})`;
  });
  return {
    kind: 'create_index',
    table: tableOf(n.relation),
    ...(n.idxname ? { name: n.idxname as string } : {}),
    columns,
    unique: Boolean(n.unique),
    ...(n.whereClause ? { where: deparseNode(n.whereClause) } : {}),
    method: (n.accessMethod as string | undefined) ?? 'btree',
  } as IntentInput;
}
