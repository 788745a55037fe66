import { ENGINE_LABELS, type EngineName } from '../schema/snapshot.js';
import type { Intent } from '../intents/types.js';
import type { LockClaim, Plan, Rollback, Step, TableFacts, Timeouts } from '../plan/types.js';

/**
 * Plain-language pieces shared by the renderers. Everything here is deterministic: no clock,
 * no locale (numbers are grouped by hand so output is identical on every machine).
 */

export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.round(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** An order of magnitude, as the estimate means it: "~40 min", "~2 h 10 min", "< 1 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return '< 1 s';
  if (seconds < 90) return `~${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `~${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `~${h} h` : `~${h} h ${m} min`;
}

export function formatMs(ms: number): string {
  if (ms === 0) return 'none';
  if (ms < 1000 || ms % 1000 !== 0) return `${ms} ms`;
  const s = ms / 1000;
  return s < 60 || s % 60 !== 0 ? `${s} s` : `${s / 60} min`;
}

function tableName(table: Extract<Intent, { table: unknown }>['table']): string {
  return typeof table === 'string' ? table : `${table.schema}.${table.name}`;
}

/** One line per intent, e.g. "rename column users.full_name → display_name (sync: app)". */
export function describeIntent(intent: Intent): string {
  switch (intent.kind) {
    case 'rename_column':
      return `rename column ${tableName(intent.table)}.${intent.from} → ${intent.to} (sync: ${intent.sync})`;
    case 'add_column': {
      const c = intent.column;
      const parts = [c.type, c.nullable ? null : 'NOT NULL', c.default ? `DEFAULT ${c.default.expr}` : null].filter(Boolean);
      return `add column ${tableName(intent.table)}.${c.name} ${parts.join(' ')}`;
    }
    case 'create_index':
      return `create ${intent.unique ? 'unique ' : ''}index ${intent.name ? `${intent.name} ` : ''}on ${tableName(intent.table)} using ${intent.method} (${intent.columns.join(', ')})${intent.where ? ` where ${intent.where}` : ''}`;
    case 'set_not_null':
      return `set NOT NULL on ${tableName(intent.table)}.${intent.column}`;
    case 'add_foreign_key': {
      const ref = intent.references;
      const actions = [intent.onDelete && `on delete ${intent.onDelete}`, intent.onUpdate && `on update ${intent.onUpdate}`].filter(Boolean).join(', ');
      return `add foreign key ${intent.name ? `${intent.name} ` : ''}${tableName(intent.table)} (${intent.columns.join(', ')}) → ${tableName(ref.table)}${ref.columns ? ` (${ref.columns.join(', ')})` : ' (primary key)'}${actions ? ` ${actions}` : ''}`;
    }
    case 'add_unique_constraint':
      return `add unique constraint ${intent.name ? `${intent.name} ` : ''}on ${tableName(intent.table)} (${intent.columns.join(', ')})`;
    case 'add_primary_key':
      return `add primary key ${intent.name ? `${intent.name} ` : ''}on ${tableName(intent.table)} (${intent.columns.join(', ')})`;
    case 'add_reference_column': {
      const c = intent.column;
      const parts = [c.type, c.nullable ? null : 'NOT NULL', c.default ? `DEFAULT ${c.default.expr}` : null].filter(Boolean);
      return `add column ${tableName(intent.table)}.${c.name} ${parts.join(' ')} → ${tableName(intent.references.table)}${intent.references.column ? ` (${intent.references.column})` : ' (primary key)'}${intent.index ? ', indexed' : ''}`;
    }
    case 'create_table':
      return `create table ${tableName(intent.table)} (${intent.columns.map((c) => c.name).join(', ')})`;
    case 'drop_table':
      return `drop table ${tableName(intent.table)}`;
    case 'rename_table':
      return `rename table ${tableName(intent.table)} → ${intent.to} (via: ${intent.via})`;
    case 'backfill':
      return `backfill ${tableName(intent.table)}: set ${intent.set.map((a) => `${a.column} = ${a.expr}`).join(', ')}${intent.where ? ` where ${intent.where}` : ''}`;
    case 'drop_column':
      return `drop column ${tableName(intent.table)}.${intent.column}`;
    case 'drop_not_null':
      return `drop NOT NULL on ${tableName(intent.table)}.${intent.column}`;
    case 'set_default':
      return `set default of ${tableName(intent.table)}.${intent.column} to ${intent.default}`;
    case 'drop_default':
      return `drop default of ${tableName(intent.table)}.${intent.column}`;
    case 'drop_index':
      return `drop index ${tableName(intent.index)}`;
    case 'reindex':
      return intent.index !== undefined ? `reindex index ${tableName(intent.index)}` : `reindex table ${tableName(intent.table!)}`;
    case 'add_check':
      return `add check ${intent.name ? `${intent.name} ` : ''}on ${tableName(intent.table)} (${intent.expression})`;
    case 'drop_constraint':
      return `drop constraint ${intent.name} on ${tableName(intent.table)}`;
    case 'change_column_type':
      return `change the type of ${tableName(intent.table)}.${intent.column} to ${intent.type}${intent.using ? ` using ${intent.using}` : ''}`;
    case 'add_enum_value':
      return `add value '${intent.value}' to enum ${tableName(intent.type)}${intent.before ? ` before '${intent.before}'` : intent.after ? ` after '${intent.after}'` : ''}`;
    case 'remove_enum_value':
      return `remove value '${intent.value}' from enum ${tableName(intent.type)}`;
    case 'attach_partition':
      return `attach ${tableName(intent.partition)} to ${tableName(intent.table)} ${intent.bound}`;
    case 'detach_partition':
      return `detach ${tableName(intent.partition)} from ${tableName(intent.table)}`;
    default:
      return JSON.stringify(intent);
  }
}

export function engineLabel(plan: Plan): string {
  return `${ENGINE_LABELS[plan.engine.name] ?? plan.engine.name} ${plan.engine.version}`;
}

export function describeRows(facts: TableFacts): string {
  return facts.rowEstimate < 0 ? 'row count unknown (never analyzed)' : `~${formatCount(facts.rowEstimate)} rows`;
}

/** "blocks reads and writes", "blocks writes", "blocks nothing". */
export function describeBlocking(lock: LockClaim): string {
  if (lock.blocksReads && lock.blocksWrites) return 'blocks reads and writes';
  if (lock.blocksWrites) return 'blocks writes';
  if (lock.blocksReads) return 'blocks reads';
  return 'blocks neither reads nor writes';
}

const DURATION_WORDS: Record<LockClaim['duration'], string> = {
  brief: 'held briefly (catalog change only)',
  scan: 'held while the table is scanned',
  rewrite: 'held while the table is rewritten',
  rows: 'row locks only, one batch at a time',
};

export function describeLock(lock: LockClaim, kind: Step['kind'] = 'app'): string {
  // a database step without a table lock locks something else (an enum type) or nothing
  if (lock.mode === 'none') return kind === 'app' ? 'none (application deploy)' : 'no table lock';
  const on = lock.tables.length ? ` on ${lock.tables.join(', ')}` : '';
  const also = lock.alsoLocks?.length ? `; also ${lock.alsoLocks.map((a) => `${a.mode} on ${a.table}`).join(', ')}` : '';
  const algorithm = lock.algorithm ? `ALGORITHM=${lock.algorithm}, ` : '';
  return `${algorithm}${lock.mode}${on}; ${DURATION_WORDS[lock.duration]}; ${describeBlocking(lock)}${also}`;
}

/** What each engine calls its bounded lock wait, the error that ends one, and its statement time limit. */
export const LOCK_WAIT_NAMES: Record<EngineName, { wait: string; error: string; statement?: string }> = {
  postgres: { wait: 'lock_timeout', error: 'SQLSTATE 55P03', statement: 'statement_timeout' },
  mysql: { wait: 'lock_wait_timeout', error: 'error 1205' },
  mariadb: { wait: 'lock_wait_timeout', error: 'error 1205' },
  sqlite: { wait: 'busy_timeout', error: 'SQLITE_BUSY' },
};

export function describeTimeouts(t: Timeouts, engine: EngineName = 'postgres'): string {
  const names = LOCK_WAIT_NAMES[engine];
  const retry =
    t.retries === 0
      ? 'no retry'
      : `retried up to ${t.retries} times on lock timeout (${names.error}), backoff ${formatMs(t.initialBackoffMs)} doubling to ${formatMs(t.maxBackoffMs)}`;
  return `${names.wait} ${formatMs(t.lockTimeoutMs)} per attempt, ${retry}${names.statement ? `; ${names.statement} ${formatMs(t.statementTimeoutMs)}` : ''}`;
}

export function describeRollback(rollback: Rollback): string {
  switch (rollback.kind) {
    case 'sql':
      return `run the SQL below${rollback.transactional ? ' (in one transaction)' : ' (outside a transaction)'}${rollback.note ? ` — ${rollback.note}` : ''}`;
    case 'deploy':
      return `deploy back to release ${rollback.release}. ${sentence(rollback.instruction)}`;
    case 'none':
      return `nothing to undo. ${sentence(rollback.reason)}`;
    case 'irreversible':
      return `IRREVERSIBLE: ${sentence(rollback.reason)} Data lost: ${sentence(rollback.dataLost)}`;
  }
}

/** Starts the text with a capital and ends it with a full stop unless it already ends with punctuation. */
export function sentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?:]$/.test(capital) ? capital : `${capital}.`;
}

export function isPointOfNoReturn(plan: Plan, step: Step): boolean {
  return plan.pointOfNoReturn?.step === step.n;
}

export function isLastReversible(plan: Plan, step: Step): boolean {
  return plan.lastReversibleStep === step.n;
}

/** "1", "2–4", "3, 5". */
export function formatStepList(steps: number[]): string {
  if (steps.length === 0) return '—';
  const sorted = [...steps].sort((a, b) => a - b);
  const contiguous = sorted.every((n, i) => i === 0 || n === sorted[i - 1]! + 1);
  return contiguous && sorted.length > 2 ? `${sorted[0]}–${sorted[sorted.length - 1]}` : sorted.join(', ');
}

/** SQL statements as a script: each ends with exactly one semicolon. */
export function sqlScript(statements: string[]): string {
  return statements.map((s) => (/;\s*$/.test(s) ? s.trimEnd() : `${s.trimEnd()};`)).join('\n');
}

export function formatExpected(expected: string | number | boolean): string {
  return typeof expected === 'string' ? JSON.stringify(expected) : String(expected);
}
