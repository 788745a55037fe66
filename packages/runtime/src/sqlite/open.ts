import Database from 'better-sqlite3';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError, errorMessage } from '../errors.js';

/** The file a `sqlite:<path>` URL names (`sqlite:app.db`, `sqlite:/var/lib/app.db`, `sqlite:///var/lib/app.db`). */
export function sqlitePath(url: string): string {
  const rest = url.trim().replace(/^sqlite:/i, '');
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (!path) throw new LiveshiftError(`${url} names no SQLite file (expected sqlite:path/to/file.db)`, EXIT_BAD_INPUT);
  return decodeURIComponent(path);
}

/**
 * Opens an existing SQLite file (never creates one: a mistyped path must not plan against an
 * empty database). The journal mode is left as the application set it; `journalMode` reports it,
 * and the plans' caveats say what WAL and rollback-journal mode each mean for readers.
 */
export function openSqlite(url: string): Database.Database {
  const path = sqlitePath(url);
  try {
    return new Database(path, { fileMustExist: true });
  } catch (error) {
    throw new LiveshiftError(`could not open SQLite database ${path}: ${errorMessage(error)}`, EXIT_FAILED, { cause: error });
  }
}

export function journalMode(db: Database.Database): string {
  return String(db.pragma('journal_mode', { simple: true }));
}
