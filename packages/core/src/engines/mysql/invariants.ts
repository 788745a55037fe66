import type { Plan, Step } from '../../plan/types.js';
import type { EngineInfo } from '../../schema/snapshot.js';
import { PlanningError } from '../../errors.js';
import { flavourOf, hasMysqlCapability, MYSQL_CAPABILITIES, type MysqlCapabilityName } from './capabilities.js';
import { parseMysqlStep, type MysqlNode, type MysqlStatement } from './parser.js';

/**
 * MySQL/MariaDB statement-level step invariants (DESIGN §1), read with the real parser: at most one
 * DDL statement per step; every DDL states ALGORITHM= (never COPY where no online copy exists) and
 * LOCK= (except MySQL's INSTANT, which accepts only LOCK=DEFAULT), matching the step's lock claim;
 * DDL steps carry a lock wait budget and are not transactional (DDL commits implicitly); no
 * statement needs a version the target lacks. SQL rollbacks are held to the same clause rules.
 */
export function mysqlStepStatementProblems(step: Step, plan: Plan, at: string): string[] {
  const problems: string[] = [];
  const statements = readAll(step.sql, plan.engine, at, problems);
  const ddl = statements.filter(isDdl);
  if (ddl.length > 1) problems.push(`${at}: ${ddl.length} DDL statements; at most one per step`);
  if (ddl.length && !step.timeouts) problems.push(`${at}: DDL without a lock wait budget (timeouts)`);
  if (ddl.length && step.transactional) problems.push(`${at}: DDL commits implicitly on MySQL/MariaDB; the step cannot be transactional`);
  for (const s of ddl) {
    if (isMetadataStatement(s.ast)) {
      // RENAME TABLE, DROP TABLE, CREATE/DROP VIEW have no ALGORITHM=/LOCK=: they take the exclusive metadata lock outright
      if (step.lock.mode !== 'LOCK=EXCLUSIVE' || step.lock.algorithm !== undefined || step.lock.duration !== 'brief') {
        problems.push(`${at}: "${s.text}" takes the exclusive metadata lock for its whole (brief) run and states no ALGORITHM=; its claim must be LOCK=EXCLUSIVE, brief, without an algorithm`);
      }
      continue;
    }
    problems.push(...clauseProblems(s, plan.engine, at));
    const clauses = alterClauses(s.ast);
    if (clauses.algorithm && step.lock.algorithm !== clauses.algorithm) problems.push(`${at}: states ALGORITHM=${clauses.algorithm} but claims ${step.lock.algorithm ?? 'no algorithm'}`);
    const lock = clauses.lock ?? (clauses.algorithm === 'INSTANT' ? 'NONE' : undefined);
    if (lock && step.lock.mode !== `LOCK=${lock}`) problems.push(`${at}: states LOCK=${lock} but claims ${step.lock.mode}`);
  }
  for (const s of statements) problems.push(...versionProblems(s, plan.engine, at));
  const r = step.rollback;
  if (r.kind === 'sql') {
    const rollback = readAll(r.sql, plan.engine, `${at} rollback`, problems);
    if (rollback.filter(isDdl).length && r.transactional) problems.push(`${at}: rollback DDL commits implicitly; it cannot be transactional`);
    for (const s of rollback.filter((x) => isDdl(x) && !isMetadataStatement(x.ast))) problems.push(...clauseProblems(s, plan.engine, `${at} rollback`));
  }
  return problems;
}

function readAll(sql: string[], engine: EngineInfo, at: string, problems: string[]): MysqlStatement[] {
  return sql.flatMap((text) => {
    try {
      return parseMysqlStep(text, flavourOf(engine));
    } catch (error) {
      problems.push(`${at}: ${error instanceof PlanningError ? error.message.split('\n')[0] : String(error)}: ${text}`);
      return [];
    }
  });
}

/** Statements that change a table definition (and take its metadata lock exclusively). */
export function isDdl(s: MysqlStatement): boolean {
  return ['alter', 'create', 'drop', 'rename', 'truncate'].includes(String(s.ast.type));
}

/**
 * Catalog-only statements with no ALGORITHM= or LOCK= clause: RENAME TABLE (atomic, any number of
 * renames in one statement), DROP TABLE, CREATE VIEW, DROP VIEW. Each takes the exclusive metadata
 * lock of the tables it names for a moment, with no scan; the lock wait is bounded like an ALTER's.
 * (CREATE TABLE for a new, empty table belongs here too.)
 */
export function isMetadataStatement(ast: MysqlNode): boolean {
  if (ast.type === 'rename') return true;
  if (ast.type === 'drop') return ast.keyword === 'table' || ast.keyword === 'view';
  if (ast.type === 'create') return ast.keyword === 'view' || ast.keyword === 'table';
  return false;
}

/** The ALGORITHM= and LOCK= an ALTER TABLE or CREATE/DROP INDEX states. */
export function alterClauses(ast: MysqlNode): { algorithm?: string; lock?: string } {
  if (ast.type === 'alter') {
    const items = (ast.expr as MysqlNode[]) ?? [];
    return {
      algorithm: items.find((e) => e.resource === 'algorithm')?.algorithm?.toUpperCase(),
      lock: items.find((e) => e.resource === 'lock')?.lock?.toUpperCase(),
    };
  }
  return { algorithm: ast.algorithm_option?.algorithm?.toUpperCase(), lock: ast.lock_option?.lock?.toUpperCase() };
}

function clauseProblems(s: MysqlStatement, engine: EngineInfo, at: string): string[] {
  if (s.ast.type !== 'alter' && !(s.ast.keyword === 'index')) {
    return [`${at}: "${s.text}" is not an ALTER TABLE or index statement; liveshift emits table DDL only as ALTER TABLE with ALGORITHM= and LOCK=`];
  }
  const { algorithm, lock } = alterClauses(s.ast);
  const problems: string[] = [];
  if (!algorithm) problems.push(`${at}: "${s.text}" states no ALGORITHM=; without it the server may silently copy the table`);
  const mysqlInstant = algorithm === 'INSTANT' && flavourOf(engine) === 'mysql';
  if (!lock && !mysqlInstant) problems.push(`${at}: "${s.text}" states no LOCK=; without it the server may block writes for the whole operation`);
  if (lock && mysqlInstant) problems.push(`${at}: "${s.text}": MySQL accepts only LOCK=DEFAULT with ALGORITHM=INSTANT`);
  if (algorithm === 'COPY' && !(hasMysqlCapability(engine, 'onlineCopy') && lock === 'NONE')) problems.push(`${at}: "${s.text}" copies the table with writes blocked`);
  if (algorithm === 'NOCOPY' && flavourOf(engine) === 'mysql') problems.push(`${at}: ALGORITHM=NOCOPY is MariaDB's; MySQL refuses it`);
  if (algorithm === 'INSTANT' && !hasMysqlCapability(engine, 'instantAlgorithm')) problems.push(needs(engine, 'instantAlgorithm', at));
  return problems;
}

function versionProblems(s: MysqlStatement, engine: EngineInfo, at: string): string[] {
  if (s.ast.type !== 'alter') return [];
  const items = (s.ast.expr as MysqlNode[]) ?? [];
  const { algorithm } = alterClauses(s.ast);
  const problems: string[] = [];
  const need = (cap: MysqlCapabilityName) => {
    if (!hasMysqlCapability(engine, cap)) problems.push(needs(engine, cap, at));
  };
  for (const e of items) {
    if (e.action === 'rename' && e.resource === 'column') need('renameColumnSyntax');
    if (algorithm === 'INSTANT' && e.action === 'add' && e.resource === 'column') need('instantAddColumnLast');
    if (algorithm === 'INSTANT' && e.action === 'drop' && e.resource === 'column') need('instantDropColumn');
    if (algorithm === 'INSTANT' && e.resource === 'column' && (e.action === 'add' || e.action === 'drop') && hasMysqlCapability(engine, 'instantColumnDefect')) {
      problems.push(`${at}: ${MYSQL_CAPABILITIES.instantColumnDefect.why}: use ALGORITHM=INPLACE on ${engine.version}`);
    }
  }
  return problems;
}

function needs(engine: EngineInfo, cap: MysqlCapabilityName, at: string): string {
  return `${at}: ${MYSQL_CAPABILITIES[cap].why} is not available on ${flavourOf(engine) === 'mysql' ? 'MySQL' : 'MariaDB'} ${engine.version}`;
}
