import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  mysqlVersionNum,
  normalizeSnapshot,
  parseMysql,
  referencedColumnNames,
  type ColumnSchema,
  type ConstraintSchema,
  type ConstraintType,
  type EngineInfo,
  type MysqlFlavour,
  type SchemaSnapshot,
  type TableSchema,
} from '@liveshift/core';
import type { MysqlConnection } from './connect.js';
import { STATE_TABLE } from './state.js';

/*
 * The schema of the connection's database from information_schema, in the shape the planner uses:
 * tables with their row estimate (TABLE_ROWS, an InnoDB estimate) and size (data + index length),
 * columns as COLUMN_TYPE prints them, indexes, primary/unique/foreign-key/check constraints and
 * triggers. The same queries run on MySQL 8 and MariaDB 10.3+; where they print a value
 * differently (a string default) it is brought to one form, MariaDB's.
 */

type Row = Record<string, unknown>;

async function rows(connection: MysqlConnection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [result] = await connection.query(sql, params);
  return result as Row[];
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** The server's flavour and version: VERSION() says "-MariaDB" on MariaDB. */
export async function mysqlEngineInfo(connection: MysqlConnection): Promise<EngineInfo> {
  const [row] = await rows(connection, 'SELECT VERSION() AS v');
  const full = String(row!.v);
  const version = /^\d+\.\d+\.\d+/.exec(full)?.[0] ?? full;
  return { name: /mariadb/i.test(full) ? 'mariadb' : 'mysql', version, versionNum: mysqlVersionNum(full) };
}

export async function introspectMysql(connection: MysqlConnection): Promise<SchemaSnapshot> {
  const engine = await mysqlEngineInfo(connection);
  const flavour = engine.name as MysqlFlavour;
  const [db] = await rows(connection, 'SELECT DATABASE() AS db');
  const schema = String(db!.db);
  const tables = new Map<string, TableSchema>();
  const tableRows = await rows(
    connection,
    `SELECT TABLE_NAME AS name, TABLE_ROWS AS row_estimate, DATA_LENGTH AS data_length, INDEX_LENGTH AS index_length, ENGINE AS engine
     FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> ?`,
    [schema, STATE_TABLE],
  );
  for (const t of tableRows) {
    tables.set(String(t.name), {
      schema,
      name: String(t.name),
      columns: [],
      indexes: [],
      constraints: [],
      triggers: [],
      rowEstimate: t.row_estimate === null ? -1 : Number(t.row_estimate),
      sizeBytes: Number(t.data_length ?? 0) + Number(t.index_length ?? 0),
      ...(t.engine ? { storageEngine: String(t.engine) } : {}),
    });
  }
  const tableOf = (name: unknown) => tables.get(String(name));

  for (const c of await rows(
    connection,
    `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS name, COLUMN_TYPE AS type, DATA_TYPE AS data_type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [schema],
  )) {
    const table = tableOf(c.table_name);
    if (!table) continue;
    const extra = String(c.extra ?? '').toUpperCase();
    const column: ColumnSchema = { name: String(c.name), type: String(c.type), nullable: c.nullable === 'YES', default: columnDefault(flavour, str(c.dflt), String(c.data_type), extra) };
    if (extra.includes('VIRTUAL')) column.generated = 'virtual';
    else if (extra.includes('STORED') || extra.includes('PERSISTENT')) column.generated = 'stored';
    table.columns.push(column);
  }

  const indexRows = await rows(
    connection,
    `SELECT TABLE_NAME AS table_name, INDEX_NAME AS name, NON_UNIQUE AS non_unique, COLUMN_NAME AS column_name, INDEX_TYPE AS method
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [schema],
  );
  for (const r of indexRows) {
    const table = tableOf(r.table_name);
    if (!table) continue;
    const name = String(r.name);
    let index = table.indexes.find((i) => i.name === name);
    if (!index) {
      index = { name, columns: [], unique: Number(r.non_unique) === 0, primary: name === 'PRIMARY', valid: true, predicate: null, method: String(r.method).toLowerCase(), definition: '' };
      table.indexes.push(index);
    }
    index.columns.push(r.column_name === null ? '(expression)' : String(r.column_name));
  }
  for (const table of tables.values()) {
    for (const i of table.indexes) i.definition = `${i.primary ? 'PRIMARY KEY' : i.unique ? 'UNIQUE KEY' : 'KEY'} ${i.name} (${i.columns.join(', ')})`;
  }

  const keyColumns = await rows(
    connection,
    `SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS name, COLUMN_NAME AS column_name, REFERENCED_TABLE_SCHEMA AS ref_schema,
            REFERENCED_TABLE_NAME AS ref_table, REFERENCED_COLUMN_NAME AS ref_column
     FROM information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
    [schema],
  );
  const rules = new Map(
    (await rows(connection, `SELECT CONSTRAINT_NAME AS name, TABLE_NAME AS table_name, UPDATE_RULE AS on_update, DELETE_RULE AS on_delete FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`, [schema])).map(
      (r) => [`${r.table_name}.${r.name}`, r],
    ),
  );
  const TYPES: Record<string, ConstraintType> = { 'PRIMARY KEY': 'primary_key', UNIQUE: 'unique', 'FOREIGN KEY': 'foreign_key' };
  for (const k of await rows(connection, `SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS name, CONSTRAINT_TYPE AS type FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`, [schema])) {
    const table = tableOf(k.table_name);
    const type = TYPES[String(k.type)];
    if (!table || !type) continue;
    const parts = keyColumns.filter((c) => c.table_name === k.table_name && c.name === k.name);
    const columns = parts.map((c) => String(c.column_name));
    const references = type === 'foreign_key' ? { table: `${parts[0]?.ref_schema}.${parts[0]?.ref_table}`, columns: parts.map((c) => String(c.ref_column)) } : null;
    const rule = rules.get(`${k.table_name}.${k.name}`);
    const definition =
      type === 'foreign_key'
        ? `FOREIGN KEY (${columns.join(', ')}) REFERENCES ${references!.table} (${references!.columns.join(', ')}) ON DELETE ${rule?.on_delete ?? 'RESTRICT'} ON UPDATE ${rule?.on_update ?? 'RESTRICT'}`
        : `${type === 'primary_key' ? 'PRIMARY KEY' : 'UNIQUE'} (${columns.join(', ')})`;
    table.constraints.push({ name: String(k.name), type, columns, definition, validated: true, references } satisfies ConstraintSchema);
  }

  // MariaDB names CHECK constraints per table and lists the table; MySQL names them per database
  const checks =
    flavour === 'mariadb'
      ? await rows(connection, `SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`, [schema])
      : await rows(
          connection,
          `SELECT tc.TABLE_NAME AS table_name, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS cc
           JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
           WHERE cc.CONSTRAINT_SCHEMA = ?`,
          [schema],
        );
  for (const k of checks) {
    const table = tableOf(k.table_name);
    if (!table) continue;
    table.constraints.push({ name: String(k.name), type: 'check', columns: checkColumns(String(k.clause), flavour), definition: `CHECK (${k.clause})`, validated: true, references: null });
  }

  for (const t of await rows(connection, `SELECT EVENT_OBJECT_TABLE AS table_name, TRIGGER_NAME AS name, ACTION_TIMING AS timing, EVENT_MANIPULATION AS event FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?`, [schema])) {
    tableOf(t.table_name)?.triggers.push({ name: String(t.name), function: `${t.timing} ${t.event}`, enabled: true });
  }
  return normalizeSnapshot({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, engine, tables: [...tables.values()] });
}

const NUMERIC = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'decimal', 'float', 'double', 'bit', 'year']);

/**
 * The default as an SQL expression, as MariaDB prints it: 'text' quoted, numbers and functions bare.
 * MariaDB shows "no default" on a nullable column as the string NULL; MySQL prints string literals
 * unquoted and marks expression defaults DEFAULT_GENERATED.
 */
function columnDefault(flavour: MysqlFlavour, value: string | null, dataType: string, extra: string): string | null {
  if (value === null) return null;
  if (flavour === 'mariadb') return value === 'NULL' ? null : value;
  if (extra.includes('DEFAULT_GENERATED') || NUMERIC.has(dataType.toLowerCase()) || /^current_timestamp/i.test(value)) return value;
  return `'${value.replace(/'/g, "''")}'`;
}

function checkColumns(clause: string, flavour: MysqlFlavour): string[] {
  try {
    return referencedColumnNames(parseMysql(`SELECT 1 FROM t WHERE ${clause}`, flavour)[0]!.ast.where);
  } catch {
    return [];
  }
}
