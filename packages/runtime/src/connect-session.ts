import type pg from 'pg';
import type { EngineName } from '@liveshift/core';
import type { EngineSession } from './engine-session.js';
import { connect, parseDatabaseUrl, type DatabaseEngine } from './connect.js';
import { postgresSession } from './postgres/session.js';
import { isMysqlConnection, mysqlSession, openMysqlSession } from './mysql/session.js';
import { openSqlite } from './sqlite/open.js';
import { sqliteSession } from './sqlite/session.js';

/** How each engine opens a session from a `--db` URL; the session owns (and closes) its connection. */
const OPENERS: Partial<Record<DatabaseEngine, (url: string) => Promise<EngineSession>>> = {
  postgres: async (url) => postgresSession(await connect(url), { owned: true }),
  mysql: openMysqlSession,
  sqlite: async (url) => sqliteSession(openSqlite(url), { owned: true }),
};

/**
 * Opens a session on the database a `--db` URL names (DESIGN §8: postgres://, mysql://,
 * mariadb://, sqlite:<path>). Bad or unsupported URLs are bad input (exit 2); an unreachable
 * server is a failure (exit 1); the password is never part of a message.
 */
export async function connectSession(url: string): Promise<EngineSession> {
  const target = parseDatabaseUrl(url);
  const open = OPENERS[target.engine];
  if (!open) throw new Error(`internal error: no session opener for ${target.engine}`);
  return open(url);
}

/**
 * How each engine sees a connection a framework already holds (a connection from knex's pool, an
 * Umzug context): the session borrows it and never closes it. Each returns undefined when the
 * value is not that engine's connection.
 */
const WRAPPERS: Partial<Record<DatabaseEngine, (connection: unknown) => EngineSession | undefined>> = {
  postgres: (connection) => (isPgClient(connection) ? postgresSession(connection) : undefined),
  mysql: (connection) => {
    if (isMysqlConnection(connection)) return mysqlSession(connection, 'mysql');
    // knex's mysql2 pool hands out callback-API connections: the session uses their promise API
    const promise = (connection as { promise?: unknown } | null)?.promise;
    if (typeof promise === 'function') {
      const wrapped = promise.call(connection) as unknown;
      return isMysqlConnection(wrapped) ? mysqlSession(wrapped, 'mysql') : undefined;
    }
    return undefined;
  },
  sqlite: (connection) => (isSqliteDatabase(connection) ? sqliteSession(connection) : undefined),
};

/** A better-sqlite3 Database (knex's better-sqlite3 pool, an Umzug context). */
function isSqliteDatabase(value: unknown): value is Parameters<typeof sqliteSession>[0] {
  return typeof value === 'object' && value !== null && typeof (value as { prepare?: unknown }).prepare === 'function' && typeof (value as { pragma?: unknown }).pragma === 'function';
}

function isPgClient(value: unknown): value is pg.ClientBase {
  // a pg Client (or pooled client) has query() and a connection parameters object; a Pool has totalCount
  return typeof value === 'object' && value !== null && typeof (value as { query?: unknown }).query === 'function' && 'connectionParameters' in value && !('totalCount' in value);
}

/** The engine family a plan's engine runs on (MySQL and MariaDB share a runtime). */
export function runtimeEngineOf(engine: EngineName): DatabaseEngine {
  return engine === 'mariadb' ? 'mysql' : engine;
}

/** A session over a connection the caller owns, for a plan made for `engine`; undefined when `connection` is not one. */
export function sessionOverConnection(engine: EngineName, connection: unknown): EngineSession | undefined {
  return WRAPPERS[runtimeEngineOf(engine)]?.(connection);
}
