import type pg from 'pg';
import {
  EXIT_BAD_INPUT,
  LiveshiftError,
  connect,
  connectMysql,
  openSqlite,
  parseDatabaseUrl,
  type DatabaseEngine,
  type MysqlConnection,
} from '@liveshift/runtime';

/**
 * The Umzug context liveshift's migrations run with: one open connection to the database, passed
 * as the context itself (`context: client`, as in Umzug's raw-SQL examples) or as `{ client }` (for
 * a context that carries more). One connection is one session, so the runtime's own transactions,
 * session settings and non-transactional statements behave as they do under `liveshift apply`.
 * PostgreSQL: a connected `pg` client; MySQL/MariaDB: a `mysql2` connection (promise or callback
 * API); SQLite: a `better-sqlite3` Database.
 */
export type DatabaseConnection = pg.ClientBase | MysqlConnection | SqliteDatabase;
export type UmzugContext = DatabaseConnection | { client: DatabaseConnection };

/** The part of a better-sqlite3 Database the storage uses (typed here so this package needs no native module types). */
export interface SqliteDatabase {
  prepare(sql: string): { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  exec(sql: string): unknown;
  close(): unknown;
  readonly open: boolean;
}

/** Which engine a connection belongs to, by shape (the drivers' classes are not shared between copies of a package). */
export function connectionEngine(value: unknown): DatabaseEngine | undefined {
  if (typeof value !== 'object' || value === null || 'totalCount' in value) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.query === 'function' && 'connectionParameters' in v) return 'postgres';
  if (typeof v.query === 'function' && typeof v.execute === 'function') return 'mysql';
  if (typeof v.prepare === 'function' && typeof v.pragma === 'function') return 'sqlite';
  return undefined;
}

/** The connection in a context, or a clear error when the migrator passes something else. */
export function clientOf(context: unknown): DatabaseConnection {
  if (connectionEngine(context)) return context as DatabaseConnection;
  const inner = typeof context === 'object' && context !== null ? (context as { client?: unknown }).client : undefined;
  if (connectionEngine(inner)) return inner as DatabaseConnection;
  throw new LiveshiftError(
    'liveshift migrations need one open database connection as the Umzug context (context: client, or context: { client }): ' +
      'a connected pg client, a mysql2 connection or a better-sqlite3 Database; ' +
      `this migrator passes ${describe(context)}. See the migrate file liveshift umzug make writes.`,
    EXIT_BAD_INPUT,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'totalCount' in value) return 'a pg Pool (liveshift needs one session: pass await pool.connect())';
  if (typeof value === 'object' && value !== null) return `an object with keys ${JSON.stringify(Object.keys(value))}`;
  return String(value);
}

/**
 * The migrator's context factory: one connection to `url` (DATABASE_URL by default: postgres://,
 * mysql://, mariadb:// or sqlite:<path>), one per Umzug command; the migrator closes it with
 * closeDatabase in `afterCommand`. The password is never printed.
 */
export async function connectDatabase(url: string | undefined = process.env.DATABASE_URL): Promise<DatabaseConnection> {
  if (!url?.trim()) {
    throw new LiveshiftError(
      'DATABASE_URL is not set: the migrator connects to the database it names, e.g. DATABASE_URL=postgres://app@localhost:5432/app node migrate up ' +
        '(or mysql://, mariadb://, sqlite:path/to/app.db)',
      EXIT_BAD_INPUT,
    );
  }
  const { engine } = parseDatabaseUrl(url);
  if (engine === 'mysql') return connectMysql(url);
  if (engine === 'sqlite') return openSqlite(url) as unknown as SqliteDatabase;
  return connect(url);
}

/** Closes what connectDatabase opened (pg and mysql2 end(), better-sqlite3 close()). */
export async function closeDatabase(context: unknown): Promise<void> {
  const connection = clientOf(context);
  if (connectionEngine(connection) === 'sqlite') {
    const db = connection as SqliteDatabase;
    if (db.open) db.close();
    return;
  }
  await (connection as { end(): Promise<void> }).end();
}
