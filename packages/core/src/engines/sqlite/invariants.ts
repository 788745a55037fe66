import type { Plan, Step } from '../../plan/types.js';
import { tokenize, type Token } from './tokens.js';
import { BEGIN_WRITE, COMMIT, FOREIGN_KEY_CHECK, FOREIGN_KEYS_OFF, FOREIGN_KEYS_ON } from './rebuild.js';
import { SQLITE_CAPABILITIES, sqliteVersionText } from './capabilities.js';

/**
 * SQLite's statement-level step invariants (DESIGN §1), read from each statement's tokens.
 * "At most one lock-taking DDL per step" becomes "one write transaction per step": SQLite's lock is
 * the whole database's, so several statements in one transaction take nothing more than one does,
 * and a rebuild's statements must commit together.
 */
export function sqliteStepStatementProblems(step: Step, plan: Plan, at: string): string[] {
  const problems: string[] = [];
  problems.push(...statementProblems(step.sql, step.transactional, plan, at, 'statement'));
  if (step.sql.length && step.lock.mode !== 'none' && !step.timeouts) problems.push(`${at}: a step that takes the database write lock needs a busy_timeout budget (timeouts)`);
  const r = step.rollback;
  if (r.kind === 'sql') problems.push(...statementProblems(r.sql, r.transactional, plan, at, 'rollback statement'));
  return problems;
}

function statementProblems(sql: string[], transactional: boolean, plan: Plan, at: string, what: string): string[] {
  const problems: string[] = [];
  const control = [BEGIN_WRITE, COMMIT, FOREIGN_KEYS_OFF, FOREIGN_KEYS_ON];
  let inTransaction = false;
  let checkedForeignKeys = false;
  let foreignKeysOff = false;
  for (const statement of sql) {
    let tokens: Token[];
    try {
      tokens = tokenize(statement);
    } catch (error) {
      problems.push(`${at}: ${what} "${statement}" does not tokenize: ${(error as Error).message}`);
      continue;
    }
    const first = tokens[0]?.upper;
    if (transactional) {
      if (control.includes(statement) || first === 'BEGIN' || first === 'COMMIT' || first === 'END' || first === 'ROLLBACK') {
        problems.push(`${at}: ${what} "${statement}" controls the transaction, but the step is transactional (the runner opens and commits it)`);
      }
      if (first === 'VACUUM') problems.push(`${at}: VACUUM cannot run in a transaction but the step is transactional`);
      if (first === 'PRAGMA' && tokens[1]?.upper === 'FOREIGN_KEYS') problems.push(`${at}: "${statement}" is a no-op inside a transaction; the step must be non-transactional with its own BEGIN … COMMIT`);
    } else {
      if (statement === FOREIGN_KEYS_OFF) {
        if (inTransaction) problems.push(`${at}: "${statement}" inside BEGIN … COMMIT is a no-op; it must come before BEGIN`);
        foreignKeysOff = true;
      }
      if (statement === BEGIN_WRITE) {
        if (inTransaction) problems.push(`${at}: nested BEGIN`);
        inTransaction = true;
        checkedForeignKeys = false;
      }
      if (statement === FOREIGN_KEY_CHECK) checkedForeignKeys = true;
      if (statement === COMMIT) {
        if (!inTransaction) problems.push(`${at}: COMMIT without BEGIN`);
        if (foreignKeysOff && !checkedForeignKeys) problems.push(`${at}: foreign keys are off for this transaction but ${FOREIGN_KEY_CHECK} does not run before COMMIT`);
        inTransaction = false;
      }
      if (first === 'VACUUM' && inTransaction) problems.push(`${at}: VACUUM cannot run inside BEGIN … COMMIT`);
    }
    const need = minVersion(tokens);
    if (need && need.version > plan.engine.versionNum) {
      problems.push(`${at}: ${what} "${statement}" (${need.feature}) needs SQLite ${sqliteVersionText(need.version)}, target is ${plan.engine.version}`);
    }
  }
  if (!transactional && inTransaction) problems.push(`${at}: BEGIN without COMMIT`);
  return problems;
}

/** The version an ALTER TABLE form needs (RENAME COLUMN 3.25, DROP COLUMN 3.35). */
function minVersion(tokens: Token[]): { version: number; feature: string } | undefined {
  if (tokens[0]?.upper !== 'ALTER' || tokens[1]?.upper !== 'TABLE') return undefined;
  // ALTER TABLE [schema.]name <action>
  let i = 3;
  if (tokens[i]?.text === '.') i += 2;
  const action = tokens[i]?.upper;
  if (action === 'DROP') return { version: SQLITE_CAPABILITIES.dropColumn, feature: 'DROP COLUMN' };
  if (action === 'RENAME' && tokens[i + 1]?.upper !== 'TO') return { version: SQLITE_CAPABILITIES.renameColumn, feature: 'RENAME COLUMN' };
  return undefined;
}
