import { PlanningError } from '../errors.js';
import type { IntentInput } from '../intents/types.js';
import { deparseOneLine, type Node, type ParsedStatement } from './pg-parser.js';
import { formatTypeName } from '../engines/postgres/types.js';
import { addForeignKey, tableOf, unsupported } from './sql-to-intents.js';

/**
 * Naive SQL for whole tables, keys and data → intents: CREATE TABLE, DROP TABLE,
 * ALTER TABLE … RENAME TO, ADD UNIQUE / PRIMARY KEY, ADD COLUMN … REFERENCES, and UPDATE.
 */

type Table = Extract<IntentInput, { kind: 'create_table' }>['table'];
type CreateTable = Extract<IntentInput, { kind: 'create_table' }>;
type ForeignKeySpec = NonNullable<CreateTable['foreignKeys']>[number];

const names = (list: Node[] | undefined): string[] => (list ?? []).map((n) => n.String.sval as string);

/** The columns and name of a UNIQUE or PRIMARY KEY clause; index options liveshift does not plan are refused. */
export function keyConstraint(stmt: ParsedStatement, k: Node, column?: string): { name?: string; columns: string[] } {
  const word = k.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
  if (k.indexname) {
    throw new PlanningError(
      `ADD CONSTRAINT … ${word} USING INDEX attaches an index that is already built: it is the safe last step on its own (a brief ACCESS EXCLUSIVE, no scan when the columns are NOT NULL), so run it as it is, with a lock_timeout`,
      stmt.text,
    );
  }
  if ((k.including as Node[] | undefined)?.length) unsupported(stmt, `${word} … INCLUDE (…)`);
  if ((k.options as Node[] | undefined)?.length) unsupported(stmt, `${word} … WITH (storage parameters)`);
  if (k.indexspace) unsupported(stmt, `${word} … USING INDEX TABLESPACE`);
  if (k.deferrable || k.initdeferred) unsupported(stmt, `${word} … DEFERRABLE`);
  if (k.nulls_not_distinct) unsupported(stmt, `${word} NULLS NOT DISTINCT`);
  if (k.without_overlaps) unsupported(stmt, `${word} … WITHOUT OVERLAPS`);
  const columns = column !== undefined ? [column] : names(k.keys);
  return { ...(k.conname ? { name: k.conname as string } : {}), columns };
}

/** ALTER TABLE t ADD [CONSTRAINT c] UNIQUE (cols) / PRIMARY KEY (cols). */
export function addKey(stmt: ParsedStatement, table: Table, k: Node): IntentInput {
  const key = keyConstraint(stmt, k);
  return { kind: k.contype === 'CONSTR_PRIMARY' ? 'add_primary_key' : 'add_unique_constraint', table, ...key };
}

/** ALTER TABLE t ADD COLUMN c type [NOT NULL] [DEFAULT e] REFERENCES p [(col)] [actions]. */
export function addReferenceColumn(stmt: ParsedStatement, table: Table, column: Extract<IntentInput, { kind: 'add_column' }>['column'], k: Node): IntentInput {
  const fk = foreignKeyOf(stmt, table, k, column.name);
  if (fk.references.columns && fk.references.columns.length !== 1) {
    throw new PlanningError(`the column references ${fk.references.columns.length} columns (${fk.references.columns.join(', ')}); a single new column can reference one`, stmt.text);
  }
  return {
    kind: 'add_reference_column',
    table,
    column,
    references: { table: fk.references.table, ...(fk.references.columns ? { column: fk.references.columns[0]! } : {}) },
    ...(fk.name ? { name: fk.name } : {}),
    ...(fk.onDelete ? { onDelete: fk.onDelete } : {}),
    ...(fk.onUpdate ? { onUpdate: fk.onUpdate } : {}),
  };
}

function foreignKeyOf(stmt: ParsedStatement, table: Table, k: Node, column?: string): ForeignKeySpec {
  const fk = addForeignKey(stmt, table, column !== undefined && !(k.fk_attrs as Node[] | undefined)?.length ? { ...k, fk_attrs: [{ String: { sval: column } }] } : k);
  if (fk.kind !== 'add_foreign_key') throw new Error('unreachable');
  return {
    columns: fk.columns,
    references: fk.references,
    ...(fk.name ? { name: fk.name } : {}),
    ...(fk.onDelete ? { onDelete: fk.onDelete } : {}),
    ...(fk.onUpdate ? { onUpdate: fk.onUpdate } : {}),
  };
}

function checkOf(stmt: ParsedStatement, k: Node): { name?: string; expr: string } {
  if (k.is_no_inherit) unsupported(stmt, 'CHECK … NO INHERIT');
  if (k.is_enforced === false) unsupported(stmt, 'CHECK … NOT ENFORCED');
  return { ...(k.conname ? { name: k.conname as string } : {}), expr: deparseOneLine(k.raw_expr) };
}

export function createTable(stmt: ParsedStatement, n: Node): IntentInput {
  const persistence: Record<string, string> = { t: 'CREATE TEMPORARY TABLE', u: 'CREATE UNLOGGED TABLE' };
  if (persistence[n.relation.relpersistence as string]) unsupported(stmt, persistence[n.relation.relpersistence as string]!);
  if ((n.inhRelations as Node[] | undefined)?.length) unsupported(stmt, 'CREATE TABLE … INHERITS');
  if (n.partspec) unsupported(stmt, 'CREATE TABLE … PARTITION BY');
  if (n.partbound) unsupported(stmt, 'CREATE TABLE … PARTITION OF');
  if (n.ofTypename) unsupported(stmt, 'CREATE TABLE … OF type');
  if ((n.options as Node[] | undefined)?.length) unsupported(stmt, 'CREATE TABLE … WITH (storage parameters)');
  if (n.tablespacename) unsupported(stmt, 'CREATE TABLE … TABLESPACE');
  if (n.accessMethod) unsupported(stmt, 'CREATE TABLE … USING access method');
  if (n.oncommit && n.oncommit !== 'ONCOMMIT_NOOP') unsupported(stmt, 'CREATE TABLE … ON COMMIT');
  const table = tableOf(n.relation);
  const intent: CreateTable = { kind: 'create_table', table, columns: [], unique: [], checks: [], foreignKeys: [] };
  const primary = (key: { name?: string; columns: string[] }) => {
    if (intent.primaryKey) throw new PlanningError('a table has one primary key; this CREATE TABLE declares two', stmt.text);
    intent.primaryKey = key;
  };
  for (const element of (n.tableElts as Node[] | undefined) ?? []) {
    if (element.TableLikeClause) unsupported(stmt, 'CREATE TABLE … (LIKE other)');
    const k = element.Constraint;
    if (k) {
      switch (k.contype) {
        case 'CONSTR_PRIMARY':
          primary(keyConstraint(stmt, k));
          break;
        case 'CONSTR_UNIQUE':
          intent.unique!.push(keyConstraint(stmt, k));
          break;
        case 'CONSTR_CHECK':
          intent.checks!.push(checkOf(stmt, k));
          break;
        case 'CONSTR_FOREIGN':
          intent.foreignKeys!.push(foreignKeyOf(stmt, table, k));
          break;
        default:
          unsupported(stmt, `CREATE TABLE with a table constraint of kind ${String(k.contype).replace('CONSTR_', '')}`);
      }
      continue;
    }
    const def = element.ColumnDef;
    if (def.collClause) unsupported(stmt, 'a column … COLLATE');
    const column: CreateTable['columns'][number] = { name: def.colname as string, type: formatTypeName(def.typeName) };
    for (const c of (def.constraints as Node[] | undefined) ?? []) {
      const ck = c.Constraint;
      switch (ck.contype) {
        case 'CONSTR_NOTNULL':
          column.nullable = false;
          break;
        case 'CONSTR_NULL':
          column.nullable = true;
          break;
        case 'CONSTR_DEFAULT':
          column.default = deparseOneLine(ck.raw_expr);
          break;
        case 'CONSTR_IDENTITY':
          if ((ck.options as Node[] | undefined)?.length) unsupported(stmt, 'GENERATED … AS IDENTITY (sequence options)');
          column.identity = ck.generated_when === 'a' ? 'always' : 'by default';
          break;
        case 'CONSTR_PRIMARY':
          primary(keyConstraint(stmt, ck, column.name));
          break;
        case 'CONSTR_UNIQUE':
          intent.unique!.push(keyConstraint(stmt, ck, column.name));
          break;
        case 'CONSTR_CHECK':
          intent.checks!.push(checkOf(stmt, ck));
          break;
        case 'CONSTR_FOREIGN':
          intent.foreignKeys!.push(foreignKeyOf(stmt, table, ck, column.name));
          break;
        case 'CONSTR_GENERATED':
          unsupported(stmt, 'a generated column (GENERATED ALWAYS AS (…))');
          break;
        default:
          unsupported(stmt, `a column constraint of kind ${String(ck.contype).replace('CONSTR_', '')}`);
      }
    }
    // serial types come out of formatTypeName as written, which is what the recipe looks for
    intent.columns.push(column);
  }
  if (!intent.columns.length) unsupported(stmt, 'CREATE TABLE without columns');
  return intent;
}

export function dropTables(stmt: ParsedStatement, n: Node): IntentInput[] {
  if (n.behavior === 'DROP_CASCADE') {
    throw new PlanningError(
      'DROP TABLE … CASCADE also drops, without naming them, the views and other tables\' foreign keys that depend on the table; drop those explicitly first, then plan DROP TABLE without CASCADE',
      stmt.text,
    );
  }
  return (n.objects as Node[]).map((o) => {
    const parts = names(o.List.items as Node[]);
    if (parts.length > 2) unsupported(stmt, 'a table name with a database part');
    return { kind: 'drop_table', table: parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : parts[0]! };
  });
}

export function renameTable(n: Node): IntentInput {
  return { kind: 'rename_table', table: tableOf(n.relation), to: n.newname as string };
}

export function updateBackfill(stmt: ParsedStatement, n: Node): IntentInput {
  if (n.withClause) unsupported(stmt, 'UPDATE with a WITH clause');
  if ((n.fromClause as Node[] | undefined)?.length) unsupported(stmt, 'UPDATE … FROM');
  if ((n.returningList as Node[] | undefined)?.length) unsupported(stmt, 'UPDATE … RETURNING');
  if (n.relation.alias) unsupported(stmt, 'UPDATE with a table alias');
  if (n.whereClause?.CurrentOfExpr) unsupported(stmt, 'UPDATE … WHERE CURRENT OF');
  const set = (n.targetList as Node[]).map((t) => {
    const r = t.ResTarget;
    if ((r.indirection as Node[] | undefined)?.length) unsupported(stmt, 'UPDATE … SET of an array element or a field');
    if (r.val.MultiAssignRef) unsupported(stmt, 'UPDATE … SET (a, b) = (…)');
    if (r.val.SetToDefault) throw new PlanningError(`SET ${r.name as string} = DEFAULT: write the default expression itself`, stmt.text);
    return { column: r.name as string, expr: deparseOneLine(r.val) };
  });
  return { kind: 'backfill', table: tableOf(n.relation), set, ...(n.whereClause ? { where: deparseOneLine(n.whereClause) } : {}) };
}
