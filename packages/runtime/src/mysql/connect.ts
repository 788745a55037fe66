import mysql from 'mysql2/promise';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError, errorMessage } from '../errors.js';
import { redactUrl } from '../connect.js';

export type MysqlConnection = mysql.Connection;

/**
 * A mysql2 connection from a mysql:// or mariadb:// URL (the server says which it is). Numbers that
 * do not fit a double and dates come back as strings, so keys and checkpoints compare exactly. The
 * URL must name a database: plans, state and introspection all live in it.
 */
export async function connectMysql(url: string): Promise<MysqlConnection> {
  const parsed = new URL(url.replace(/^mariadb:/i, 'mysql:'));
  if (parsed.pathname.replace(/^\//, '') === '') {
    throw new LiveshiftError(`${redactUrl(url)} names no database: add it to the URL, e.g. mysql://user@host:3306/app`, EXIT_BAD_INPUT);
  }
  try {
    const connection = await mysql.createConnection({
      uri: parsed.toString(),
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      multipleStatements: false,
      connectTimeout: 10_000,
    });
    // an idle connection the server drops emits 'error'; the next query fails with a clear error instead
    connection.on('error', () => {});
    return connection;
  } catch (error) {
    throw new LiveshiftError(`could not connect to ${redactUrl(url)}: ${errorMessage(error)}`, EXIT_FAILED, { cause: error });
  }
}

/** The MySQL error number of a server error (mysql2's `errno`), or undefined for anything else. */
export function mysqlErrno(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { errno, sqlState } = error as { errno?: unknown; sqlState?: unknown };
  return typeof errno === 'number' && typeof sqlState === 'string' ? errno : undefined;
}

/** "message (MySQL error 1205)". */
export function describeMysqlError(error: unknown): string {
  const errno = mysqlErrno(error);
  return errno ? `${errorMessage(error)} (MySQL error ${errno})` : errorMessage(error);
}
