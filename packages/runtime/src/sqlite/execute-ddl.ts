import type Database from 'better-sqlite3';
import { SQLITE_BEGIN_WRITE, SQLITE_COMMIT, SQLITE_FOREIGN_KEY_CHECK, quoteSqliteIdent, type Timeouts } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError, describeDatabaseError } from '../errors.js';
import { isBusy, withBusyRetry } from './busy-retry.js';

export interface SqliteStatementsOptions {
  label: string;
  step?: number;
  timeouts: Timeouts;
  log: (message: string) => void;
  /** Called inside the write transaction after its last statement, before COMMIT (tests look at the lock). */
  observe?: (db: Database.Database) => Promise<void> | void;
}

/**
 * Runs a step's statements. Transactional: all in one BEGIN IMMEDIATE … COMMIT, retried whole on
 * SQLITE_BUSY. Otherwise one by one, except that a BEGIN IMMEDIATE … COMMIT run inside them (the
 * table rebuild) is one retried transaction, whose PRAGMA foreign_key_check must return no row; the
 * connection's foreign_keys setting is restored afterwards whatever happens.
 */
export async function executeSqliteStatements(db: Database.Database, statements: string[], transactional: boolean, options: SqliteStatementsOptions): Promise<void> {
  if (statements.length === 0) return;
  if (transactional) return writeTransaction(db, statements, options);
  const foreignKeysBefore = db.pragma('foreign_keys', { simple: true });
  try {
    for (let i = 0; i < statements.length; i++) {
      const statement = statements[i]!;
      if (statement === SQLITE_BEGIN_WRITE) {
        const end = statements.indexOf(SQLITE_COMMIT, i + 1);
        if (end < 0) throw new LiveshiftError(`${options.label}: BEGIN IMMEDIATE without COMMIT in the step's statements`, EXIT_FAILED, { step: options.step });
        await writeTransaction(db, statements.slice(i + 1, end), options);
        i = end;
        continue;
      }
      await withBusyRetry(db, options, () => run(db, statement, options));
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeysBefore ? 'ON' : 'OFF'}`);
  }
}

async function writeTransaction(db: Database.Database, statements: string[], options: SqliteStatementsOptions): Promise<void> {
  // COMMIT is inside the retried attempt: in rollback-journal mode it waits for readers and can be busy too
  await withBusyRetry(db, options, async () => {
    db.exec(SQLITE_BEGIN_WRITE);
    for (const statement of statements) {
      if (statement === SQLITE_FOREIGN_KEY_CHECK) {
        foreignKeyCheck(db, options);
        viewCheck(db, options);
      } else run(db, statement, options);
    }
    if (options.observe) await options.observe(db);
    db.exec(SQLITE_COMMIT);
  });
}

function run(db: Database.Database, statement: string, options: SqliteStatementsOptions): void {
  try {
    db.exec(statement);
  } catch (error) {
    if (isBusy(error)) throw error;
    throw new LiveshiftError(`${options.label} failed: ${describeDatabaseError(error)}\n  statement: ${statement}`, EXIT_FAILED, { step: options.step, cause: error });
  }
}

/** A rebuild with foreign keys off must prove, before COMMIT, that no row breaks one. */
function foreignKeyCheck(db: Database.Database, options: SqliteStatementsOptions): void {
  const violations = db.prepare(SQLITE_FOREIGN_KEY_CHECK).all() as { table: string; rowid: number | null; parent: string; fkid: number }[];
  if (violations.length === 0) return;
  const sample = violations.slice(0, 5).map((v) => `${v.table} rowid ${v.rowid} → ${v.parent}`).join('; ');
  throw new LiveshiftError(
    `${options.label} failed: PRAGMA foreign_key_check found ${violations.length} row(s) whose parent is missing (${sample}${violations.length > 5 ? '; …' : ''}); the rebuild was rolled back, nothing changed. Fix those rows, then run the step again.`,
    EXIT_FAILED,
    { step: options.step },
  );
}

/**
 * The rebuild renames with legacy_alter_table on (so views over the table do not block it), which
 * also skips SQLite's own check of views: every view must still compile before COMMIT, or a view
 * that used a dropped column would be left broken without a word.
 */
function viewCheck(db: Database.Database, options: SqliteStatementsOptions): void {
  const views = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'").pluck().all() as string[];
  for (const view of views) {
    try {
      db.prepare(`SELECT * FROM ${quoteSqliteIdent(view)} LIMIT 0`);
    } catch (error) {
      throw new LiveshiftError(
        `${options.label} failed: view ${view} no longer works after the rebuild (${describeDatabaseError(error)}); the rebuild was rolled back, nothing changed. Change the view first, then run the step again.`,
        EXIT_FAILED,
        { step: options.step, cause: error },
      );
    }
  }
}
