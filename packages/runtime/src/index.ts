export { LiveshiftError, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_WAITING_FOR_RELEASE, sqlState, errorMessage } from './errors.js';
export type { LiveshiftExitCode, LiveshiftErrorOptions } from './errors.js';
export { connect, parseDatabaseUrl, redactUrl } from './connect.js';
export type { DatabaseEngine, DatabaseTarget } from './connect.js';
export { connectSession, runtimeEngineOf, sessionOverConnection } from './connect-session.js';
export { isEngineSession } from './engine-session.js';
export type { EngineSession, SessionStepContext } from './engine-session.js';
export { postgresSession } from './postgres/session.js';
export { mysqlSession, openMysqlSession } from './mysql/session.js';
export { connectMysql, mysqlErrno, type MysqlConnection } from './mysql/connect.js';
export { introspectMysql, mysqlEngineInfo } from './mysql/introspect.js';
export { MYSQL_STATE_TABLE_DDL, STATE_TABLE as MYSQL_STATE_TABLE } from './mysql/state.js';
export { ER_LOCK_WAIT_TIMEOUT, isMysqlLockTimeout } from './mysql/lock-retry.js';
export { sqliteSession } from './sqlite/session.js';
export { openSqlite, sqlitePath, journalMode } from './sqlite/open.js';
export { introspectSqlite, sqliteEngineInfo } from './sqlite/introspect.js';
export { SQLITE_STATE_TABLE, SQLITE_STATE_TABLE_DDL } from './sqlite/state.js';
export { executeRollbackWith, rollbackWaitingMessage } from './rollback.js';
export { startEmbeddedPostgres, embeddedBinDir, embeddedPostgresPackageDir } from './embedded-server.js';
export type { EmbeddedPostgres, EmbeddedPostgresOptions } from './embedded-server.js';
export { introspectPostgres, engineInfo } from './postgres/introspect.js';
export { executeStatements } from './postgres/execute-ddl.js';
export type { ExecuteStatementsOptions } from './postgres/execute-ddl.js';
export { runBackfill, resolveBackfillTable } from './postgres/backfill.js';
export type { BackfillOptions, BackfillProgress, BackfillProgressCallback } from './postgres/backfill.js';
export { evaluateCheckpoint, assertCheckpoint } from './postgres/checkpoint.js';
export type { CheckpointResult } from './postgres/checkpoint.js';
export { executeDatabaseStep, stepLabel, indexesBuiltBy } from './postgres/execute-step.js';
export type { DatabaseStepContext } from './postgres/execute-step.js';
export { executeRollback } from './postgres/rollback.js';
export type { RollbackOutcome, RollbackContext } from './postgres/rollback.js';
export { isInvalidIndex, dropIndexConcurrently } from './postgres/invalid-index.js';
export type { IndexLocation } from './postgres/invalid-index.js';
export { DEFAULT_TIMEOUTS, backoffMs, isLockNotAvailable, withLockRetry } from './postgres/lock-retry.js';
export type { LockRetryContext } from './postgres/lock-retry.js';
export {
  STATE_SCHEMA,
  STATE_TABLE_DDL,
  planId,
  ensureStateTable,
  readStepStates,
  markStepRunning,
  markStepDone,
  markStepRolledBack,
} from './state.js';
export type { StepState, StepStatus, BackfillCursor } from './state.js';
export { DEPLOYED_ENV, confirmedRelease, isReleaseLive, releaseGate, waitingForReleaseError, waitingMessage } from './release-gate.js';
export type { WaitingForRelease } from './release-gate.js';
export { applyPlan, rollbackPlanStep } from './apply.js';
export type { ApplyOptions, ApplyResult, PlanTarget, RollbackOptions, RollbackResult } from './apply.js';
export { createBackfillProgressReporter, progressLine } from './progress.js';
export type { ProgressReporterOptions } from './progress.js';
export { migrateStepUp, migrateStepDown } from './migration-step.js';
export type { MigrationStepOptions } from './migration-step.js';
