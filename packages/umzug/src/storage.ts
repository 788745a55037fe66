import type pg from 'pg';
import type { MigrationParams, UmzugStorage } from 'umzug';
import { quoteIdent } from '@liveshift/core';
import { mysqlErrno, sqlState, type DatabaseEngine, type MysqlConnection } from '@liveshift/runtime';
import { clientOf, connectionEngine, type DatabaseConnection, type SqliteDatabase, type UmzugContext } from './context.js';

export interface DatabaseStorageOptions {
  /** Default `umzug_migrations`. */
  table?: string;
  /** PostgreSQL only: the schema (default: the first on the search_path, usually public); created if missing when given. */
  schema?: string;
}

/** @deprecated the name migrators written before MySQL and SQLite support use; same options. */
export type PostgresStorageOptions = DatabaseStorageOptions;

/** The storage's few statements for one engine, over that engine's own connection. */
interface StorageDialect {
  create(table: string, schema: string | undefined): string[];
  /** Error codes that mean "someone else created it at the same instant". */
  raced(error: unknown): boolean;
  names(table: string): string;
  log(table: string): string;
  unlog(table: string): string;
  run(connection: DatabaseConnection, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

const DIALECTS: Record<DatabaseEngine, StorageDialect> = {
  postgres: {
    create: (table, schema) => [
      ...(schema ? [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`] : []),
      `CREATE TABLE IF NOT EXISTS ${table} (name text PRIMARY KEY, executed_at timestamptz NOT NULL DEFAULT now())`,
    ],
    // IF NOT EXISTS is not atomic: the loser of a race sees a duplicate
    raced: (error) => ['23505', '42P06', '42P07'].includes(sqlState(error) ?? ''),
    names: (table) => `SELECT name FROM ${table} ORDER BY executed_at, name`,
    // two runners finishing the same step both log it; the step itself ran once (the runtime records it)
    log: (table) => `INSERT INTO ${table} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`,
    unlog: (table) => `DELETE FROM ${table} WHERE name = $1`,
    run: async (connection, sql, params) => (await (connection as pg.ClientBase).query(sql, params)).rows,
  },
  mysql: {
    create: (table) => [`CREATE TABLE IF NOT EXISTS ${table} (name varchar(255) NOT NULL PRIMARY KEY, executed_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`],
    raced: (error) => mysqlErrno(error) === 1050,
    names: (table) => `SELECT name FROM ${table} ORDER BY executed_at, name`,
    log: (table) => `INSERT IGNORE INTO ${table} (name) VALUES (?)`,
    unlog: (table) => `DELETE FROM ${table} WHERE name = ?`,
    run: async (connection, sql, params) => {
      const [rows] = await promiseApi(connection).query(sql, params);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
  },
  sqlite: {
    create: (table) => [`CREATE TABLE IF NOT EXISTS ${table} (name TEXT NOT NULL PRIMARY KEY, executed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')))`],
    raced: () => false,
    names: (table) => `SELECT name FROM ${table} ORDER BY executed_at, name`,
    log: (table) => `INSERT OR IGNORE INTO ${table} (name) VALUES (?)`,
    unlog: (table) => `DELETE FROM ${table} WHERE name = ?`,
    run: async (connection, sql, params = []) => {
      const statement = (connection as SqliteDatabase).prepare(sql);
      return /^\s*select/i.test(sql) ? (statement.all(...params) as Record<string, unknown>[]) : (statement.run(...params), []);
    },
  },
};

/** mysql2's promise API whether the context holds a promise connection or a callback one (knex's pool hands out the latter). */
function promiseApi(connection: DatabaseConnection): MysqlConnection {
  const c = connection as MysqlConnection & { promise?: () => MysqlConnection };
  return 'connection' in c ? c : c.promise!();
}

/**
 * Umzug storage in the migrated database itself: one row per executed migration in a table
 * created on first use (`CREATE TABLE IF NOT EXISTS`), through the context's own connection, so
 * what ran and what it did are in the same place — on PostgreSQL, MySQL/MariaDB and SQLite alike.
 * Umzug records a migration after its `up` returns and forgets it after its `down`; liveshift also
 * records each step in its own state table, so a crash between the two makes the re-run a no-op
 * rather than a second run.
 */
export class DatabaseStorage implements UmzugStorage<UmzugContext> {
  private readonly tableName: string;
  private readonly schema: string | undefined;
  private readonly ready = new WeakSet<object>();

  constructor(options: DatabaseStorageOptions = {}) {
    this.schema = options.schema;
    this.tableName = options.table ?? 'umzug_migrations';
  }

  /** The table as SQL for the context's engine, quoted (and schema-qualified on PostgreSQL when a schema was given). */
  tableFor(engine: DatabaseEngine): string {
    if (engine === 'mysql') return `\`${this.tableName.replace(/`/g, '``')}\``;
    return `${engine === 'postgres' && this.schema ? `${quoteIdent(this.schema)}.` : ''}${quoteIdent(this.tableName)}`;
  }

  async executed({ context }: Pick<MigrationParams<UmzugContext>, 'context'>): Promise<string[]> {
    const { connection, dialect, table } = await this.prepared(context);
    return (await dialect.run(connection, dialect.names(table))).map((row) => String(row.name));
  }

  async logMigration({ name, context }: MigrationParams<UmzugContext>): Promise<void> {
    const { connection, dialect, table } = await this.prepared(context);
    await dialect.run(connection, dialect.log(table), [name]);
  }

  async unlogMigration({ name, context }: MigrationParams<UmzugContext>): Promise<void> {
    const { connection, dialect, table } = await this.prepared(context);
    await dialect.run(connection, dialect.unlog(table), [name]);
  }

  private async prepared(context: UmzugContext): Promise<{ connection: DatabaseConnection; dialect: StorageDialect; table: string }> {
    const connection = clientOf(context);
    const engine = connectionEngine(connection)!;
    const dialect = DIALECTS[engine];
    const table = this.tableFor(engine);
    if (!this.ready.has(connection)) {
      try {
        for (const statement of dialect.create(table, this.schema)) await dialect.run(connection, statement);
      } catch (error) {
        if (!dialect.raced(error)) throw error;
      }
      this.ready.add(connection);
    }
    return { connection, dialect, table };
  }
}

/** @deprecated the name migrators written before MySQL and SQLite support import; it is DatabaseStorage. */
export const PostgresStorage = DatabaseStorage;
