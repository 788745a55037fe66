import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { EXIT_FAILED, LiveshiftError } from '../errors.js';
import { DEFAULT_TIMEOUTS } from '../postgres/lock-retry.js';
import { withBusyRetry } from './busy-retry.js';
import type { BackfillCursor, StepState, StepStatus } from '../state.js';

/**
 * liveshift's progress in the SQLite file itself (SQLite has no schemas: the tables are prefixed
 * liveshift_), so every runner of the plan sees the same state and a backfill's cursor commits in
 * the same transaction as its batch. Introspection leaves liveshift_* tables out.
 */
export const SQLITE_STATE_TABLE = 'liveshift_step_state';
export const SQLITE_PLAN_LOCK_TABLE = 'liveshift_plan_lock';

export const SQLITE_STATE_TABLE_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${SQLITE_STATE_TABLE} (
  plan_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'rolled_back')),
  cursor TEXT,
  upper_key TEXT,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (plan_id, step)
)`,
  `CREATE TABLE IF NOT EXISTS ${SQLITE_PLAN_LOCK_TABLE} (
  plan_id TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  since TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)`,
];

export function ensureSqliteStateTable(db: Database.Database): void {
  for (const statement of SQLITE_STATE_TABLE_DDL) db.exec(statement);
}

export function readSqliteStepStates(db: Database.Database, id: string): Map<number, StepState> {
  const rows = db.prepare(`SELECT step, status, cursor, upper_key, updated_at FROM ${SQLITE_STATE_TABLE} WHERE plan_id = ? ORDER BY step`).all(id) as {
    step: number;
    status: StepStatus;
    cursor: string | null;
    upper_key: string | null;
    updated_at: string;
  }[];
  return new Map(
    rows.map((r) => [
      r.step,
      { step: r.step, status: r.status, cursor: r.cursor ? (JSON.parse(r.cursor) as BackfillCursor) : null, upperKey: r.upper_key ? (JSON.parse(r.upper_key) as string[]) : null, updatedAt: new Date(`${r.updated_at}Z`) },
    ]),
  );
}

export function markSqliteStepRunning(db: Database.Database, id: string, step: number, fresh: boolean): void {
  db.prepare(
    `INSERT INTO ${SQLITE_STATE_TABLE} (plan_id, step, status, cursor, upper_key, updated_at) VALUES (?, ?, 'running', NULL, NULL, CURRENT_TIMESTAMP)
     ON CONFLICT (plan_id, step) DO UPDATE SET status = 'running', updated_at = CURRENT_TIMESTAMP,
       cursor = CASE WHEN ? THEN NULL ELSE cursor END, upper_key = CASE WHEN ? THEN NULL ELSE upper_key END`,
  ).run(id, step, fresh ? 1 : 0, fresh ? 1 : 0);
}

export function setSqliteStepStatus(db: Database.Database, id: string, step: number, status: StepStatus): void {
  db.prepare(
    `INSERT INTO ${SQLITE_STATE_TABLE} (plan_id, step, status, updated_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP)
     ON CONFLICT (plan_id, step) DO UPDATE SET status = excluded.status, updated_at = CURRENT_TIMESTAMP`,
  ).run(id, step, status);
}

/** Inside a batch's transaction: the cursor moves if and only if the batch commits. */
export function saveSqliteCursor(db: Database.Database, id: string, step: number, cursor: BackfillCursor): void {
  db.prepare(`UPDATE ${SQLITE_STATE_TABLE} SET cursor = ?, updated_at = CURRENT_TIMESTAMP WHERE plan_id = ? AND step = ?`).run(JSON.stringify(cursor), id, step);
}

export function saveSqliteUpperKey(db: Database.Database, id: string, step: number, upperKey: string[]): void {
  db.prepare(`UPDATE ${SQLITE_STATE_TABLE} SET upper_key = ?, updated_at = CURRENT_TIMESTAMP WHERE plan_id = ? AND step = ?`).run(JSON.stringify(upperKey), id, step);
}

/**
 * SQLite has no advisory locks: the plan lock is a row, inserted on entry and deleted on exit (also
 * on failure). A runner that died leaves it; the message says which process held it and how to clear it.
 */
export async function withSqlitePlanLock<T>(db: Database.Database, planId: string, work: () => Promise<T>): Promise<T> {
  const holder = `pid ${process.pid} on ${hostname()}`;
  // a write like any other: it waits for the database write lock within a bounded budget
  const retry = { timeouts: DEFAULT_TIMEOUTS, label: 'taking the plan lock', log: () => {} };
  const taken = await withBusyRetry(db, retry, () => db.prepare(`INSERT INTO ${SQLITE_PLAN_LOCK_TABLE} (plan_id, holder) VALUES (?, ?) ON CONFLICT (plan_id) DO NOTHING`).run(planId, holder));
  if (taken.changes === 0) {
    const row = db.prepare(`SELECT holder, since FROM ${SQLITE_PLAN_LOCK_TABLE} WHERE plan_id = ?`).get(planId) as { holder: string; since: string } | undefined;
    throw new LiveshiftError(
      `another liveshift runner is running this plan on this database (${row?.holder ?? 'unknown holder'}, since ${row?.since ?? '?'} UTC); ` +
        `if that process is gone, clear it with: DELETE FROM ${SQLITE_PLAN_LOCK_TABLE} WHERE plan_id = '${planId}'`,
      EXIT_FAILED,
    );
  }
  try {
    return await work();
  } finally {
    await withBusyRetry(db, { ...retry, label: 'releasing the plan lock' }, () => db.prepare(`DELETE FROM ${SQLITE_PLAN_LOCK_TABLE} WHERE plan_id = ? AND holder = ?`).run(planId, holder));
  }
}
