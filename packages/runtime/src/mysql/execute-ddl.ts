import type { Timeouts } from '@liveshift/core';
import { parseMysqlStep, type MysqlFlavour } from '@liveshift/core';
import { EXIT_FAILED, LiveshiftError } from '../errors.js';
import { describeMysqlError, type MysqlConnection } from './connect.js';
import { isRetryableMysqlLockError, setLockWaits, withMysqlLockRetry } from './lock-retry.js';

export interface MysqlStatementsOptions {
  label: string;
  step?: number;
  timeouts: Timeouts;
  tables: string[];
  log: (message: string) => void;
  flavour: MysqlFlavour;
}

/**
 * Runs a step's statements in order under bounded lock waits, retried as a whole on error 1205
 * (each DDL statement commits on its own, so a retried step re-runs only what did not happen: the
 * one DDL either committed or not). Session variables the statements set (foreign_key_checks) are
 * put back afterwards, whether the step succeeded or not.
 */
export async function executeMysqlStatements(connection: MysqlConnection, statements: string[], options: MysqlStatementsOptions): Promise<void> {
  if (statements.length === 0) return;
  const variables = sessionVariablesSetBy(statements, options.flavour);
  const saved = await readSessionVariables(connection, variables);
  try {
    await setLockWaits(connection, options.timeouts);
    await withMysqlLockRetry(options, async () => {
      for (const statement of statements) await runStatement(connection, statement, options);
    });
  } finally {
    for (const [name, value] of saved) await connection.query(`SET SESSION ${name} = ?`, [value]).catch(() => {});
  }
}

async function runStatement(connection: MysqlConnection, statement: string, options: MysqlStatementsOptions): Promise<void> {
  try {
    await connection.query(statement);
  } catch (error) {
    if (isRetryableMysqlLockError(error)) throw error;
    throw new LiveshiftError(`${options.label} failed: ${describeMysqlError(error)}\n  statement: ${statement}`, EXIT_FAILED, { step: options.step, cause: error });
  }
}

/** Names of the session variables `SET [SESSION] name = …` statements assign, read with the parser. */
export function sessionVariablesSetBy(statements: string[], flavour: MysqlFlavour): string[] {
  const names = new Set<string>();
  for (const text of statements) {
    for (const s of parseMysqlStep(text, flavour)) {
      if (s.ast.type !== 'set') continue;
      for (const assign of s.ast.expr ?? []) if (assign.left?.type === 'var' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(assign.left.name))) names.add(String(assign.left.name));
    }
  }
  return [...names];
}

async function readSessionVariables(connection: MysqlConnection, names: string[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const name of names) {
    const [rows] = await connection.query(`SELECT @@SESSION.${name} AS v`);
    out.set(name, (rows as { v: unknown }[])[0]?.v);
  }
  return out;
}
