import { quoteLiteral, releaseIndex, releaseName, type Plan, type Step, type Timeouts } from '@liveshift/core';
import { STATE_SCHEMA, STATE_TABLE_DDL as RUNTIME_STATE_TABLE_DDL } from '@liveshift/runtime';
import type { Gate, PrismaFolder } from './layout.js';

/**
 * The SQL liveshift adds around a step in a Prisma folder. Everything here must be safe however
 * Prisma sends a multi-statement migration.sql to PostgreSQL: as one simple query (one implicit
 * transaction: the file is atomic) or statement by statement (each autocommits). So: no explicit
 * BEGIN (a failed statement would leave the session in an aborted transaction while Prisma writes
 * its log), session-level SET paired with RESET (SET LOCAL outside a transaction block does
 * nothing), and guards and checks as DO blocks that either pass or raise.
 */

/** The dollar-quote tag of liveshift's DO blocks, unlikely to appear in the text it quotes. */
const TAG = '$liveshift$';

/** How the guards' messages name the commands the operator runs. */
export interface OperatorCommands {
  /** The plan file as the operator names it from the project folder, e.g. prisma/migrations/<base>.liveshift.json. */
  planPath: string;
  /** The database URL as the operator writes it on a command line, e.g. "$DATABASE_URL". */
  databaseUrl: string;
  /** e.g. `npx prisma`. */
  prisma: string;
  /** e.g. `npx liveshift`. */
  liveshift: string;
}

/** The header line `liveshift prisma down` reads to find a folder's plan and step. */
export function folderMarker(planFile: string, folder: PrismaFolder): string {
  return `-- liveshift-folder: plan=${planFile} step=${folder.step.n} role=${folder.role}`;
}

export function parseFolderMarker(sql: string): { planFile: string; step: number; role: string } | undefined {
  const m = /^-- liveshift-folder: plan=(\S+) step=(\d+) role=(\w+)$/m.exec(sql);
  return m ? { planFile: m[1]!, step: Number(m[2]), role: m[3]! } : undefined;
}

export function doBlock(body: string[]): string {
  const text = body.join('\n');
  if (text.includes(TAG)) throw new Error(`text quoted in a DO block contains ${TAG}`);
  return `DO ${TAG}\n${text}\n${TAG};`;
}

/** A shadow database (migrate dev/diff replaying the history) has no _prisma_migrations: no application, no data, nothing to wait for. */
const SKIP_IN_SHADOW = "  IF to_regclass('_prisma_migrations') IS NULL THEN RETURN; END IF;";

function stateTable(): string {
  return `${STATE_SCHEMA}.step_state`;
}

function stateTableExists(): string {
  return `to_regclass(${quoteLiteral(stateTable())}) IS NOT NULL`;
}

/** The guard a folder starts with: not run twice; earlier liveshift steps done; its release confirmed. */
export function guardBlock(plan: Plan, id: string, folder: PrismaFolder, commands: OperatorCommands): string {
  const lines = ['DECLARE', '  missing int[];', 'BEGIN', SKIP_IN_SHADOW];
  const step = folder.step;
  if (!folder.closing) {
    // nested, not AND: PL/pgSQL plans the whole condition, which fails while the table does not exist
    lines.push(
      `  IF ${stateTableExists()} THEN`,
      `    IF EXISTS (SELECT 1 FROM ${stateTable()} WHERE plan_id = ${quoteLiteral(id)} AND step = ${step.n} AND status = 'done') THEN`,
      `      RAISE EXCEPTION USING MESSAGE = ${quoteLiteral(alreadyDoneMessage(step, folder.name, commands))};`,
      '    END IF;',
      '  END IF;',
    );
  }
  const gate = folder.gate;
  if (gate && gate.liveshiftSteps.length > 0) {
    const list = `ARRAY[${gate.liveshiftSteps.join(', ')}]`;
    const [before, after] = waitMessage(plan, folder, gate, commands);
    lines.push(
      `  IF ${stateTableExists()} THEN`,
      `    SELECT array_agg(s ORDER BY s) INTO missing FROM unnest(${list}) AS s`,
      `     WHERE NOT EXISTS (SELECT 1 FROM ${stateTable()} WHERE plan_id = ${quoteLiteral(id)} AND step = s AND status = 'done');`,
      '  ELSE',
      `    missing := ${list};`,
      '  END IF;',
      '  IF missing IS NOT NULL THEN',
      `    RAISE EXCEPTION USING MESSAGE = ${quoteLiteral(before)} || array_to_string(missing, ', ') || ${quoteLiteral(after)};`,
      '  END IF;',
    );
  }
  if (gate?.confirmRelease) {
    lines.push(
      `  IF NOT EXISTS (SELECT 1 FROM _prisma_migrations WHERE migration_name = ${quoteLiteral(folder.name)} AND rolled_back_at IS NOT NULL`,
      `                 AND position(${quoteLiteral(confirmationToken(gate.confirmRelease))} in coalesce(logs, '')) > 0) THEN`,
      `    RAISE EXCEPTION USING MESSAGE = ${quoteLiteral(confirmMessage(plan, folder, gate.confirmRelease, commands))};`,
      '  END IF;',
    );
  }
  lines.push('END');
  return doBlock(lines);
}

/**
 * Written into the stop's message, which Prisma keeps in _prisma_migrations.logs: the guard passes
 * once a row of its folder that stopped here has been resolved as rolled back, i.e. once the
 * operator has seen this stop and confirmed the release.
 */
function confirmationToken(release: string): string {
  return `[liveshift: confirm release ${release}]`;
}

function alreadyDoneMessage(step: Step, folder: string, c: OperatorCommands): string {
  return (
    `liveshift: step ${step.n} (${step.title}) was already run by liveshift apply; it must not run twice.\n` +
    `Record this folder as applied instead: ${c.prisma} migrate resolve --applied ${folder}`
  );
}

function waitMessage(plan: Plan, folder: PrismaFolder, gate: Gate, c: OperatorCommands): [string, string] {
  const steps = plan.steps.filter((s) => gate.newLiveshiftSteps.includes(s.n));
  const what = folder.closing ? 'the plan is not finished' : `${folder.name} (step ${folder.step.n}) cannot run yet`;
  const before = `liveshift: ${what}: these steps of the plan are not done yet: `;
  const lines = [
    `. prisma migrate deploy cannot run them; liveshift does:`,
    ...steps.map((s) => `  step ${s.n} (release ${s.deploy}): ${s.kind === 'app' ? `deploy the application: ${s.instruction}` : `${s.title}${s.backfill ? ' (batched, resumable)' : ''}`}`),
    'Then:',
  ];
  let k = 1;
  if (gate.runs.length === 0) {
    // every step this guard checks was required by an earlier folder too: one was rolled back since
    const through = Math.max(...gate.liveshiftSteps);
    const deployed = releaseName(Math.max(0, ...plan.steps.filter((s) => gate.liveshiftSteps.includes(s.n)).map((s) => releaseIndex(s.deploy))));
    lines.push(`  ${k++}. ${c.liveshift} apply ${c.planPath} --db ${c.databaseUrl} --through ${through} --deployed ${deployed}`);
  }
  for (const run of gate.runs) {
    if (run.app) lines.push(`  ${k++}. deploy release ${run.app.deploy} and wait until it runs everywhere (step ${run.app.n})`);
    lines.push(`  ${k++}. ${c.liveshift} apply ${c.planPath} --db ${c.databaseUrl} --through ${run.through} --deployed ${run.deployed}`);
  }
  if (gate.confirmRelease) {
    // one stop, one resolve: resolving this stop also confirms the folder's own release
    const previous = releaseName(releaseIndex(gate.confirmRelease) - 1);
    lines.push(
      `  ${k++}. ${folder.closing ? 'this gate' : `step ${folder.step.n}`} belongs to release ${gate.confirmRelease} ${confirmationToken(gate.confirmRelease)}: wait until every application instance runs ${previous} or later`,
    );
  }
  lines.push(`  ${k++}. ${c.prisma} migrate resolve --rolled-back ${folder.name}${gate.confirmRelease ? `   (this also confirms release ${gate.confirmRelease})` : ''}`);
  lines.push(`  ${k++}. ${c.prisma} migrate deploy`);
  return [before, lines.join('\n')];
}

function confirmMessage(plan: Plan, folder: PrismaFolder, release: string, c: OperatorCommands): string {
  const step = folder.step;
  const previous = releaseName(releaseIndex(release) - 1);
  const lines = [
    `liveshift: ${folder.name} (step ${step.n}: ${step.title}) belongs to release ${release} ${confirmationToken(release)}.`,
    `Nothing to deploy for it; run it once every application instance runs ${previous} or later:`,
    `  1. ${c.prisma} migrate resolve --rolled-back ${folder.name}   (this confirms release ${release})`,
    `  2. ${c.prisma} migrate deploy`,
  ];
  if (plan.pointOfNoReturn?.step === step.n) lines.push(`Step ${step.n} is the point of no return: ${plan.pointOfNoReturn.reason}`);
  return lines.join('\n');
}

/** Raises unless the step's checkpoint holds, compared as text like the runtime does. */
export function checkpointBlock(step: Step): string | undefined {
  if (!step.checkpoint) return undefined;
  const query = step.checkpoint.sql.trim().replace(/;+\s*$/, '');
  const expected = expectedText(step.checkpoint.expected);
  return doBlock([
    'BEGIN',
    SKIP_IN_SHADOW,
    `  IF (SELECT checkpoint.v::text FROM (${query}) AS checkpoint(v) LIMIT 1) IS DISTINCT FROM ${quoteLiteral(expected)} THEN`,
    `    RAISE EXCEPTION USING MESSAGE = ${quoteLiteral(`liveshift: step ${step.n} (${step.title}): checkpoint not met: ${step.checkpoint.description}`)};`,
    '  END IF;',
    'END',
  ]);
}

function expectedText(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
}

/** The liveshift.step_state DDL, exactly as the runtime's ensureStateTable creates it. */
export const STATE_TABLE_DDL = RUNTIME_STATE_TABLE_DDL.map((statement) => `${statement};`);

/** Records the step as done where `liveshift apply` and the guards look. */
export function recordDone(id: string, step: Step): string[] {
  return [
    ...STATE_TABLE_DDL,
    `INSERT INTO ${stateTable()} (plan_id, step, status, updated_at) VALUES (${quoteLiteral(id)}, ${step.n}, 'done', now())\n` +
      `  ON CONFLICT (plan_id, step) DO UPDATE SET status = 'done', updated_at = now();`,
  ];
}

/** Session settings for lock-taking statements, and their reset (see the note at the top). */
export function lockSettings(timeouts: Timeouts | null): { set: string[]; reset: string[] } {
  if (!timeouts) return { set: [], reset: [] };
  const set = [`SET lock_timeout = '${timeouts.lockTimeoutMs}ms';`];
  const reset = ['RESET lock_timeout;'];
  if (timeouts.statementTimeoutMs > 0) {
    set.push(`SET statement_timeout = '${timeouts.statementTimeoutMs}ms';`);
    reset.push('RESET statement_timeout;');
  }
  return { set, reset };
}

export function terminated(statement: string): string {
  const text = statement.trim();
  return text.endsWith(';') ? text : `${text};`;
}
