import type { Checkpoint, EngineInfo, EngineName, SchemaSnapshot, Step } from '@liveshift/core';
import type { BackfillProgressCallback } from './postgres/backfill.js';
import type { RollbackContext, RollbackOutcome } from './rollback.js';
import type { BackfillCursor, StepState } from './state.js';

/**
 * One open connection to one database, seen through what the engine-neutral runner needs
 * (apply.ts: ordering, releases, state, interruption rules). Each engine folder implements it
 * (postgres/session.ts, mysql/session.ts, sqlite/session.ts); the runner never issues SQL itself.
 */
export interface EngineSession {
  readonly engine: EngineName;
  /** The server's engine and version now (plans record what they were made for). */
  serverInfo(): Promise<EngineInfo>;
  /** The schema as liveshift models it, without liveshift's own state tables. */
  introspect(): Promise<SchemaSnapshot>;
  /** Runs `work` while holding a lock that keeps a second runner of the same plan out; released on failure too. */
  withPlanLock<T>(planId: string, work: () => Promise<T>): Promise<T>;
  /** Creates liveshift's state table if missing (concurrent runners tolerated). */
  ensureStateTable(): Promise<void>;
  readStepStates(planId: string): Promise<Map<number, StepState>>;
  /** A fresh start clears a cursor left by a rolled-back run; resuming an interrupted run keeps it. */
  markStepRunning(planId: string, step: number, fresh: boolean): Promise<void>;
  markStepDone(planId: string, step: number): Promise<void>;
  markStepRolledBack(planId: string, step: number): Promise<void>;
  /** Runs one ddl/backfill/validate step (bounded lock waits with retries, resumable backfill) and checks its checkpoint. */
  executeDatabaseStep(step: Step, context: SessionStepContext): Promise<void>;
  /** The checkpoint's query compared with its expected value; false (not an error) when it cannot be evaluated yet. */
  checkpointMet(checkpoint: Checkpoint): Promise<boolean>;
  /** Undoes one step as its plan says (see rollback.ts for the engine-neutral rules). */
  executeRollback(step: Step, context: RollbackContext): Promise<RollbackOutcome>;
  close(): Promise<void>;
}

export interface SessionStepContext {
  planId: string;
  log: (message: string) => void;
  onProgress?: BackfillProgressCallback;
  /**
   * Called inside a transactional step's transaction, locks still held, with the engine's own
   * connection (a pg client, a mysql2 connection, a better-sqlite3 database): tests look at locks.
   */
  observe?: (step: Step, connection: unknown) => Promise<void>;
  /** What an interrupted earlier run of a backfill left (nulls for a fresh start). */
  resumeFrom: { cursor: BackfillCursor | null; upperKey: string[] | null };
}

/** Anything with a distinguishing `engine` and `executeDatabaseStep` is a session rather than a pg client. */
export function isEngineSession(value: unknown): value is EngineSession {
  return typeof value === 'object' && value !== null && typeof (value as EngineSession).executeDatabaseStep === 'function' && typeof (value as EngineSession).engine === 'string';
}
