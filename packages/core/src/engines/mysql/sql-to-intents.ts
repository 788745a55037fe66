import type { IntentInput } from '../../intents/types.js';
import type { SourcedIntent } from '../../input/sql-to-intents.js';
import { PlanningError } from '../../errors.js';
import type { MysqlFlavour } from './capabilities.js';
import { columnName, expressionText, parseMysql, tableOf, type MysqlNode, type MysqlStatement } from './parser.js';

/** The intents liveshift plans on MySQL/MariaDB, and the SQL each is read from. */
export const MYSQL_SUPPORTED: { kind: IntentInput['kind']; sql: string }[] = [
  { kind: 'add_column', sql: 'ALTER TABLE t ADD [COLUMN] c type [NULL | NOT NULL] [DEFAULT literal]' },
  { kind: 'rename_column', sql: 'ALTER TABLE t RENAME COLUMN a TO b' },
  { kind: 'create_index', sql: 'CREATE [UNIQUE] INDEX i ON t (cols) | ALTER TABLE t ADD [UNIQUE] INDEX i (cols)' },
  { kind: 'drop_index', sql: 'DROP INDEX i ON t | ALTER TABLE t DROP INDEX i' },
  { kind: 'drop_column', sql: 'ALTER TABLE t DROP [COLUMN] c' },
  { kind: 'set_not_null', sql: 'ALTER TABLE t MODIFY c <its type> NOT NULL' },
  { kind: 'change_column_type', sql: 'ALTER TABLE t MODIFY c new_type' },
  { kind: 'add_foreign_key', sql: 'ALTER TABLE t ADD [CONSTRAINT name] FOREIGN KEY (cols) REFERENCES p (cols) [ON DELETE action] [ON UPDATE action]' },
  { kind: 'add_check', sql: 'ALTER TABLE t ADD [CONSTRAINT name] CHECK (expr)' },
  { kind: 'drop_not_null', sql: 'ALTER TABLE t MODIFY c <its type> NULL' },
  { kind: 'set_default', sql: "(no SQL: node-sql-parser cannot read ALTER COLUMN … SET DEFAULT; the intent { kind: 'set_default', table, column, default })" },
  { kind: 'drop_default', sql: "(no SQL: node-sql-parser cannot read ALTER COLUMN … DROP DEFAULT; the intent { kind: 'drop_default', table, column })" },
  { kind: 'drop_constraint', sql: 'ALTER TABLE t DROP CONSTRAINT name | DROP CHECK name | DROP FOREIGN KEY name' },
  { kind: 'create_table', sql: 'CREATE TABLE t (c type [NULL | NOT NULL] [DEFAULT …] [AUTO_INCREMENT] [PRIMARY KEY] [UNIQUE], …, [PRIMARY KEY (cols)], [UNIQUE KEY k (cols)], [CONSTRAINT c CHECK (…)], [CONSTRAINT f FOREIGN KEY (cols) REFERENCES p (cols) …]) [ENGINE=InnoDB]' },
  { kind: 'drop_table', sql: 'DROP TABLE t [, …]' },
  { kind: 'backfill', sql: 'UPDATE t SET c = expr [, …] [WHERE predicate]' },
  { kind: 'add_reference_column', sql: "(the intent { kind: 'add_reference_column', … }; in SQL: ADD COLUMN, then ADD CONSTRAINT … FOREIGN KEY as a second statement)" },
  { kind: 'rename_table', sql: 'RENAME TABLE t TO new_name | ALTER TABLE t RENAME [TO] new_name' },
  { kind: 'add_primary_key', sql: 'ALTER TABLE t ADD [CONSTRAINT name] PRIMARY KEY (cols)' },
  { kind: 'reindex', sql: "(no REINDEX on MySQL/MariaDB: the intent { kind: 'reindex', table } or { kind: 'reindex', index }, planned as an in-place rebuild of the whole table)" },
  { kind: 'add_unique_constraint', sql: "ALTER TABLE t ADD CONSTRAINT name UNIQUE (cols) (read as a unique index; the intent { kind: 'add_unique_constraint' } plans the same)" },
];

export function mysqlSupportedList(): string {
  return MYSQL_SUPPORTED.map((s) => `  - ${s.sql}`).join('\n');
}

function unsupported(stmt: MysqlStatement, what: string): never {
  throw new PlanningError(`${what} is not planned on MySQL/MariaDB yet. liveshift plans these MySQL/MariaDB changes:\n${mysqlSupportedList()}`, stmt.text);
}

/** Naive MySQL/MariaDB DDL → intents, through the real parser. */
export function mysqlSqlToIntents(sql: string, flavour: MysqlFlavour = 'mariadb'): SourcedIntent[] {
  let statements: MysqlStatement[];
  try {
    statements = parseMysql(sql, flavour);
  } catch (error) {
    if (!(error instanceof PlanningError)) throw error;
    // the one common form the parser misses: say what to give instead
    throw new PlanningError(
      `${error.message.split('\n')[0]}\n  (The SQL parser, node-sql-parser, cannot read ALTER TABLE … ALTER [COLUMN] c SET DEFAULT … / DROP DEFAULT: give those as the intent { kind: 'set_default', table, column, default } or { kind: 'drop_default', table, column } in a YAML/JSON file.)\n  (Nor OPTIMIZE TABLE or ALTER TABLE … FORCE: give a table rebuild as the intent { kind: 'reindex', table }.)`,
      sql.trim(),
    );
  }
  if (!statements.length) throw new PlanningError('no SQL statement given', sql.trim());
  return statements.flatMap((stmt) => statementToIntents(stmt, flavour).map((intent) => ({ intent, statement: stmt.text })));
}

function statementToIntents(stmt: MysqlStatement, flavour: MysqlFlavour): IntentInput[] {
  const n = stmt.ast;
  switch (n.type) {
    case 'alter': {
      const table = tableOf((n.table as MysqlNode[])[0]!);
      // ALGORITHM= and LOCK= of the input are the plan's to choose
      const items = (n.expr as MysqlNode[]).filter((e) => e.resource !== 'algorithm' && e.resource !== 'lock');
      return items.flatMap((e) => alterItem(stmt, table, e, flavour));
    }
    case 'create':
      if (n.keyword === 'index') {
        return [createIndex(stmt, tableOf(n.table), n.index, n.index_type === 'unique', n.index_columns ?? [])];
      }
      if (n.keyword === 'table') return [createTable(stmt, n, flavour)];
      return unsupported(stmt, `CREATE ${String(n.keyword ?? '').toUpperCase()}`);
    case 'drop':
      if (n.keyword === 'index') {
        const t = tableOf(n.table);
        return [{ kind: 'drop_index', index: typeof t === 'string' ? columnName(n.name) : { schema: t.schema, name: columnName(n.name) } }];
      }
      if (n.keyword === 'table') {
        if (n.prefix) return unsupported(stmt, `DROP TABLE ${String(n.prefix).toUpperCase()}`);
        return (n.name as MysqlNode[]).map((t) => ({ kind: 'drop_table' as const, table: tableOf(t) }));
      }
      return unsupported(stmt, `DROP ${String(n.keyword ?? '').toUpperCase()}`);
    case 'update': {
      const tables = n.table as MysqlNode[];
      if (tables.length !== 1 || tables[0]!.join) return unsupported(stmt, 'a multi-table UPDATE');
      if (n.orderby || n.limit) return unsupported(stmt, 'UPDATE … ORDER BY / LIMIT (the backfill goes by primary-key ranges)');
      return [
        {
          kind: 'backfill',
          table: tableOf(tables[0]!),
          set: (n.set as MysqlNode[]).map((a) => ({ column: String(a.column), expr: expressionText(a.value, flavour) })),
          ...(n.where ? { where: expressionText(n.where, flavour) } : {}),
        },
      ];
    }
    case 'rename': {
      const pairs = n.table as MysqlNode[][];
      if (pairs.length !== 1) return unsupported(stmt, 'RENAME TABLE of several tables at once');
      return [renameTable(stmt, tableOf(pairs[0]![0]!), pairs[0]![1]!)];
    }
    default:
      return unsupported(stmt, `${String(n.type).toUpperCase()} statements`);
  }
}

type TableInput = string | { schema: string; name: string };

function alterItem(stmt: MysqlStatement, table: TableInput, e: MysqlNode, flavour: MysqlFlavour): IntentInput[] {
  if (e.resource === 'column') {
    switch (e.action) {
      case 'add': {
        if (e.reference_definition) {
          throw new PlanningError(
            "ADD COLUMN … REFERENCES: MySQL and MariaDB parse an inline REFERENCES and silently ignore it, so liveshift does not read it either. Write the column and the key as two statements (ALTER TABLE t ADD COLUMN c type; ALTER TABLE t ADD CONSTRAINT name FOREIGN KEY (c) REFERENCES p (id)), or give the intent { kind: 'add_reference_column', table, column, references }",
            stmt.text,
          );
        }
        const c = columnSpec(stmt, e, flavour);
        return [{ kind: 'add_column', table, column: { name: columnName(e.column), type: c.type, nullable: c.nullable !== false, ...(c.default !== undefined ? { default: { expr: c.default } } : {}) } }];
      }
      case 'rename':
        return [{ kind: 'rename_column', table, from: columnName(e.old_column), to: columnName(e.column) }];
      case 'drop':
        return [{ kind: 'drop_column', table, column: columnName(e.column) }];
      case 'change':
        if (columnName(e.old_column) !== columnName(e.column)) {
          throw new PlanningError('CHANGE renames and redefines a column at once; write the rename as RENAME COLUMN a TO b, and a type change as MODIFY, so each is planned on its own', stmt.text);
        }
        return modify(stmt, table, e, flavour);
      case 'modify':
        return modify(stmt, table, e, flavour);
      default:
        return unsupported(stmt, `ALTER TABLE … ${String(e.action).toUpperCase()} COLUMN`);
    }
  }
  if (e.action === 'rename' && e.resource === 'table') return [renameTable(stmt, table, { table: e.table })];
  if (e.action === 'add' && e.resource === 'index') return [createIndex(stmt, table, e.index, false, e.definition ?? [])];
  if (e.action === 'drop' && e.resource === 'index') {
    return [{ kind: 'drop_index', index: typeof table === 'string' ? String(e.index) : { schema: table.schema, name: String(e.index) } }];
  }
  if (e.action === 'drop' && e.resource === 'constraint' && e.constraint) return [{ kind: 'drop_constraint', table, name: String(e.constraint) }];
  if (e.action === 'drop' && e.resource === 'key' && String(e.keyword).toLowerCase() === 'foreign key') return [{ kind: 'drop_constraint', table, name: String(e.key) }];
  if (e.action === 'add' && e.resource === 'constraint') {
    const d = e.create_definitions as MysqlNode;
    const type = String(d.constraint_type).toLowerCase();
    if (type.startsWith('unique')) return [createIndex(stmt, table, d.index ?? d.constraint ?? undefined, true, d.definition ?? [])];
    if (type === 'foreign key') return [foreignKey(d, table)];
    if (type === 'primary key') {
      const columns = ((d.definition as MysqlNode[]) ?? []).map((k) => {
        if (k.type !== 'column_ref') unsupported(stmt, 'keys on expressions');
        return columnName(k);
      });
      return [{ kind: 'add_primary_key', table, columns, ...(d.constraint ? { name: String(d.constraint) } : {}) }];
    }
    if (type === 'check') {
      const expression = ((d.definition as MysqlNode[]) ?? []).map((x) => expressionText(x, flavour)).join(' AND ');
      return [{ kind: 'add_check', table, expression, ...(d.constraint ? { name: String(d.constraint) } : {}) }];
    }
    return unsupported(stmt, `ADD ${type.toUpperCase()}`);
  }
  return unsupported(stmt, `ALTER TABLE … ${String(e.action ?? e.keyword).toUpperCase()} ${String(e.resource ?? '').toUpperCase()}`);
}

/** MODIFY c type [NOT NULL]: the type change (none when it is the column's type already), then NOT NULL when asked. */
function modify(stmt: MysqlStatement, table: TableInput, e: MysqlNode, flavour: MysqlFlavour): IntentInput[] {
  const column = columnName(e.column);
  const c = columnSpec(stmt, e, flavour);
  if (c.default !== undefined) {
    throw new PlanningError("MODIFY … DEFAULT restates the whole column with its default; give a default change as the intent { kind: 'set_default', table, column, default } (ALTER COLUMN … SET DEFAULT is planned from the intent: the SQL parser cannot read it)", stmt.text);
  }
  // an explicit NULL asks for the column to become nullable; without NULL or NOT NULL the type alone is read
  const nullability = c.nullable === false ? [{ kind: 'set_not_null' as const, table, column }] : c.nullable === true ? [{ kind: 'drop_not_null' as const, table, column }] : [];
  return [{ kind: 'change_column_type', table, column, type: c.type }, ...nullability];
}

function columnSpec(stmt: MysqlStatement, e: MysqlNode, flavour: MysqlFlavour): { type: string; nullable?: boolean; default?: string } {
  if (e.generated) unsupported(stmt, 'generated columns');
  const def = e.definition as MysqlNode;
  const nullable = e.nullable ? e.nullable.type !== 'not null' : undefined;
  const dflt = e.default_val?.value;
  return { type: typeText(def, flavour), ...(nullable !== undefined ? { nullable } : {}), ...(dflt !== undefined ? { default: expressionText(dflt, flavour) } : {}) };
}

/** A parsed data type back as text: `varchar(40)`, `decimal(12,2) unsigned`, `enum('a','b')`. */
function typeText(def: MysqlNode, flavour: MysqlFlavour): string {
  const base = String(def.dataType).toLowerCase();
  if (def.expr?.value) return `${base}(${(def.expr.value as MysqlNode[]).map((v) => expressionText(v, flavour)).join(',')})`;
  const args = def.length !== undefined && def.length !== null ? `(${def.length}${def.scale !== undefined && def.scale !== null ? `,${def.scale}` : ''})` : '';
  const suffix = ((def.suffix as string[] | null) ?? []).map((s) => ` ${String(s).toLowerCase()}`).join('');
  return `${base}${args}${suffix}`;
}

function createIndex(stmt: MysqlStatement, table: TableInput, name: unknown, unique: boolean, keys: MysqlNode[]): IntentInput {
  const columns = keys.map((k) => {
    if (k.type !== 'column_ref') unsupported(stmt, 'indexes on expressions');
    return columnName(k);
  });
  return { kind: 'create_index', table, columns, unique, ...(name ? { name: String(name) } : {}) };
}

const ACTIONS: Record<string, 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default'> = {
  'no action': 'no action',
  restrict: 'restrict',
  cascade: 'cascade',
  'set null': 'set null',
  'set default': 'set default',
};

function foreignKey(d: MysqlNode, table: TableInput): IntentInput {
  const ref = d.reference_definition as MysqlNode;
  const actions = Object.fromEntries(((ref.on_action as MysqlNode[]) ?? []).map((a) => [String(a.type).toLowerCase(), ACTIONS[String(a.value?.value ?? a.value).toLowerCase()]]));
  return {
    kind: 'add_foreign_key',
    table,
    columns: (d.definition as MysqlNode[]).map(columnName),
    references: { table: tableOf((ref.table as MysqlNode[])[0]!), columns: (ref.definition as MysqlNode[]).map(columnName) },
    ...(d.constraint ? { name: String(d.constraint) } : {}),
    ...(actions['on delete'] ? { onDelete: actions['on delete'] } : {}),
    ...(actions['on update'] ? { onUpdate: actions['on update'] } : {}),
  };
}

/** RENAME TABLE a TO b (within one database: the intent renames a table in place). */
function renameTable(stmt: MysqlStatement, table: TableInput, target: MysqlNode): IntentInput {
  const to = tableOf(target);
  if (typeof to !== 'string' && (typeof table === 'string' || to.schema !== table.schema)) throw new PlanningError('moving a table to another database is not planned; rename it within its database', stmt.text);
  return { kind: 'rename_table', table, to: typeof to === 'string' ? to : to.name };
}

/** CREATE TABLE: columns, primary key, unique keys, CHECKs and foreign keys; what the intent cannot hold is refused by name. */
function createTable(stmt: MysqlStatement, n: MysqlNode, flavour: MysqlFlavour): IntentInput {
  if (n.temporary) return unsupported(stmt, 'CREATE TEMPORARY TABLE');
  if (n.if_not_exists) return unsupported(stmt, 'CREATE TABLE IF NOT EXISTS (liveshift plans against the schema it knows)');
  if (n.as || n.query_expr || n.like) return unsupported(stmt, 'CREATE TABLE … AS SELECT / LIKE');
  for (const o of (n.table_options as MysqlNode[] | null) ?? []) {
    if (!(String(o.keyword).toLowerCase() === 'engine' && String(o.value).toLowerCase() === 'innodb')) {
      return unsupported(stmt, `the table option ${String(o.keyword).toUpperCase()} (only ENGINE=InnoDB is read; the server's defaults apply otherwise)`);
    }
  }
  const columns: { name: string; type: string; nullable: boolean; default?: string; identity?: 'by default' }[] = [];
  let primaryKey: { columns: string[] } | undefined;
  const unique: { name?: string; columns: string[] }[] = [];
  const checks: { name?: string; expr: string }[] = [];
  const foreignKeys: IntentInput[] = [];
  for (const d of n.create_definitions as MysqlNode[]) {
    if (d.resource === 'column') {
      // MySQL and MariaDB parse an inline REFERENCES and then ignore it: refused rather than silently dropped
      if (d.reference_definition) return unsupported(stmt, 'an inline REFERENCES on a column (the server ignores it; write CONSTRAINT … FOREIGN KEY)');
      const c = columnSpec(stmt, d, flavour);
      const name = columnName(d.column);
      columns.push({ name, type: c.type, nullable: c.nullable !== false && !d.primary_key, ...(c.default !== undefined ? { default: c.default } : {}), ...(d.auto_increment ? { identity: 'by default' as const } : {}) });
      if (d.primary_key) primaryKey = { columns: [name] };
      // an inline UNIQUE is an index named after the column
      if (d.unique) unique.push({ name, columns: [name] });
      continue;
    }
    if (d.resource === 'constraint') {
      const type = String(d.constraint_type).toLowerCase();
      const cols = () => ((d.definition as MysqlNode[]) ?? []).map((k) => {
        if (k.type !== 'column_ref') unsupported(stmt, 'keys on expressions');
        return columnName(k);
      });
      if (type === 'primary key') primaryKey = { columns: cols() };
      else if (type.startsWith('unique')) unique.push({ ...(d.index ?? d.constraint ? { name: String(d.index ?? d.constraint) } : {}), columns: cols() });
      else if (type === 'check') checks.push({ ...(d.constraint ? { name: String(d.constraint) } : {}), expr: ((d.definition as MysqlNode[]) ?? []).map((x) => expressionText(x, flavour)).join(' AND ') });
      else if (type === 'foreign key') foreignKeys.push(foreignKey(d, ''));
      else return unsupported(stmt, `${type.toUpperCase()} in CREATE TABLE`);
      continue;
    }
    return unsupported(stmt, `a plain ${String(d.keyword ?? 'index').toUpperCase()} in CREATE TABLE (create the table, then the index with CREATE INDEX: a second step)`);
  }
  return {
    kind: 'create_table',
    table: tableOf((n.table as MysqlNode[])[0]!),
    columns,
    ...(primaryKey ? { primaryKey } : {}),
    unique,
    checks,
    foreignKeys: foreignKeys.map((f) => {
      const { kind: _k, table: _t, ...rest } = f as Extract<IntentInput, { kind: 'add_foreign_key' }>;
      return rest;
    }),
  };
}
