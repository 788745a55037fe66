import type { Plan, Step } from '../../plan/types.js';
import { parseStatements, type Node, type ParsedStatement } from '../../input/pg-parser.js';

/** PostgreSQL's statement-level step invariants (DESIGN §1), read with the real parser. */
export function postgresStepStatementProblems(step: Step, plan: Plan, at: string): string[] {
  const problems: string[] = [];
  const statements = step.sql.flatMap((s) => parseStatements(s));
  if (step.transactional) {
    for (const s of statements) if (nonTransactional(s)) problems.push(`${at}: "${s.text}" cannot run in a transaction but the step is transactional`);
  }
  const locking = statements.filter(takesTableLock);
  if (locking.length > 1 && !lockedUpFront(step, locking)) problems.push(`${at}: ${locking.length} lock-taking DDL statements; at most one per step (or a LOCK TABLE … IN ACCESS EXCLUSIVE MODE of the claimed tables first)`);
  if (locking.length && !step.timeouts) problems.push(`${at}: lock-taking DDL without a lock wait budget (timeouts)`);
  for (const s of statements) {
    const need = minVersion(s);
    if (need > plan.engine.versionNum) problems.push(`${at}: "${s.text}" needs server_version_num ${need}, target is ${plan.engine.versionNum}`);
  }
  const r = step.rollback;
  if (r.kind === 'sql' && r.transactional) {
    const bad = r.sql.flatMap((s) => parseStatements(s)).filter(nonTransactional);
    if (bad.length) problems.push(`${at}: rollback "${bad[0]!.text}" cannot run in a transaction`);
  }
  return problems;
}

/**
 * The one exception to "one lock-taking statement per step": a swap (a type change's column swap,
 * dropping a column with its trigger) is several catalog changes that must commit together. It is
 * allowed when the step is one transaction whose first lock-taking statement is LOCK TABLE … IN
 * ACCESS EXCLUSIVE MODE of exactly the tables the claim holds in that mode (in an order the recipe
 * chooses to avoid deadlocks with the application): the locks are waited for once, under the
 * step's lock_timeout, and every later statement finds them held. How long they are held is the
 * claim's duration, bounded like any other by the small-table rule.
 */
function lockedUpFront(step: Step, locking: ParsedStatement[]): boolean {
  const first = locking[0]!;
  if (!step.transactional || first.type !== 'LockStmt' || first.node.mode !== 8 || step.lock.mode !== 'ACCESS EXCLUSIVE') return false;
  const claimed = [...step.lock.tables, ...(step.lock.alsoLocks ?? []).filter((a) => a.mode === 'ACCESS EXCLUSIVE').map((a) => a.table)];
  const locked = ((first.node.relations as Node[]) ?? []).map((r) => `${r.RangeVar.schemaname ?? 'public'}.${r.RangeVar.relname}`);
  return locked.length === claimed.length && claimed.every((t) => locked.includes(t));
}

/** Statements PostgreSQL refuses inside a transaction block. */
export function nonTransactional(s: ParsedStatement): boolean {
  const n = s.node;
  switch (s.type) {
    case 'IndexStmt':
      return Boolean(n.concurrent);
    case 'DropStmt':
      return Boolean(n.concurrent);
    case 'ReindexStmt':
      return ((n.params as Node[] | undefined) ?? []).some((p) => p.DefElem?.defname === 'concurrently');
    case 'VacuumStmt':
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
      return true;
    case 'AlterTableStmt':
      return ((n.cmds as Node[]) ?? []).some((c) => c.AlterTableCmd?.subtype === 'AT_DetachPartition' && c.AlterTableCmd?.def?.PartitionCmd?.concurrent);
    default:
      return false;
  }
}

/** DDL that takes a lock on a table; function DDL, queries and DML (row locks) do not count. */
export function takesTableLock(s: ParsedStatement): boolean {
  switch (s.type) {
    case 'SelectStmt':
    case 'UpdateStmt':
    case 'InsertStmt':
    case 'DeleteStmt':
    case 'CreateFunctionStmt':
    case 'VariableSetStmt':
      return false;
    case 'DropStmt':
      return s.node.removeType !== 'OBJECT_FUNCTION';
    case 'ViewStmt':
      // a new view locks only itself (and ACCESS SHARE on what it selects from); OR REPLACE locks an existing one
      return Boolean(s.node.replace);
    default:
      return true;
  }
}

/** server_version_num a statement needs, for the features that arrived after 11. */
function minVersion(s: ParsedStatement): number {
  if (s.type === 'ReindexStmt' && nonTransactional(s)) return 120000;
  if (s.type === 'AlterTableStmt') {
    for (const c of (s.node.cmds as Node[]) ?? []) {
      const cmd = c.AlterTableCmd;
      if (cmd?.subtype === 'AT_DetachPartition' && cmd.def?.PartitionCmd?.concurrent) return 140000;
      if (cmd?.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.contype === 'CONSTR_NOTNULL') return 180000;
    }
  }
  return 110000;
}
