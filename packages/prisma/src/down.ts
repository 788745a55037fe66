import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { parsePlanJson, type Plan, type Step } from '@liveshift/core';
import {
  EXIT_BAD_INPUT,
  LiveshiftError,
  dropIndexConcurrently,
  indexesBuiltBy,
  isInvalidIndex,
  markStepRunning,
  migrateStepDown,
  planId,
  readStepStates,
  ensureStateTable,
  sqlState,
} from '@liveshift/runtime';
import { runsInPrisma } from './layout.js';
import { migrationFolders } from './project.js';
import { parseFolderMarker } from './sql.js';

/**
 * `liveshift prisma down <folder>`: Prisma has no down migrations, and `prisma migrate resolve
 * --rolled-back` only accepts a failed migration. Prisma's documented way to undo one is to run a
 * hand-kept down.sql and mark the migration rolled back (`_prisma_migrations.rolled_back_at`),
 * after which `migrate deploy` applies the folder again. This does exactly that for a liveshift
 * folder: it runs the step's rollback (the statements of its down.sql) through the liveshift
 * runtime — reverse order enforced, bounded lock waits with retries, the point of no return
 * refused — then sets rolled_back_at on every folder of the step.
 */

export interface PrismaDownOptions {
  migrationsDir: string;
  /** The folder name (or a path to it). */
  folder: string;
  /** The migrations folder as the operator names it from the project folder, for messages. Default prisma/migrations. */
  migrationsPath?: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export interface PrismaDownResult {
  step: number;
  /** The step's folders now marked rolled back. */
  folders: string[];
  rolledBack: boolean;
  message: string;
}

interface LiveshiftFolder {
  name: string;
  planFile: string;
  step: number;
  role: string;
}

export function readLiveshiftFolder(migrationsDir: string, folder: string): LiveshiftFolder | undefined {
  const file = path.join(migrationsDir, folder, 'migration.sql');
  if (!existsSync(file)) return undefined;
  const marker = parseFolderMarker(readFileSync(file, 'utf8'));
  return marker ? { name: folder, ...marker } : undefined;
}

export async function prismaDown(client: pg.ClientBase, options: PrismaDownOptions): Promise<PrismaDownResult> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const name = path.basename(options.folder.replace(/[\\/]+$/, ''));
  if (!existsSync(path.join(options.migrationsDir, name, 'migration.sql'))) {
    throw new LiveshiftError(`there is no migration folder ${name} in ${options.migrationsDir}`, EXIT_BAD_INPUT);
  }
  const target = readLiveshiftFolder(options.migrationsDir, name);
  if (!target) {
    throw new LiveshiftError(
      `${name} was not written by liveshift, so there is no rollback to run: Prisma has no down migrations ` +
        '(write its down.sql by hand, run it with prisma db execute, then mark the migration rolled back)',
      EXIT_BAD_INPUT,
    );
  }
  const planPath = path.join(options.migrationsDir, target.planFile);
  if (!existsSync(planPath)) throw new LiveshiftError(`${name} belongs to the plan ${target.planFile}, which is missing from ${options.migrationsDir}`, EXIT_BAD_INPUT);
  const plan = parsePlanJson(readFileSync(planPath, 'utf8'), target.planFile);
  const step = plan.steps.find((s) => s.n === target.step);
  if (!step) throw new LiveshiftError(`${name} names step ${target.step}, which the plan ${target.planFile} does not have`, EXIT_BAD_INPUT);
  if (!runsInPrisma(step)) {
    throw new LiveshiftError(
      `${name} is the gate after step ${step.n}, a step liveshift runs: there is nothing to undo in it. ` +
        `Roll back that step with liveshift apply ${displayPlan(options, target.planFile)} --db "$DATABASE_URL" --rollback ${step.n}`,
      EXIT_BAD_INPUT,
    );
  }
  const commands = rollbackCommands(plan, options, target.planFile);
  const folders = migrationFolders(options.migrationsDir)
    .map((f) => readLiveshiftFolder(options.migrationsDir, f))
    .filter((f): f is LiveshiftFolder => f !== undefined && f.planFile === target.planFile && f.step === step.n)
    .map((f) => f.name);

  const rows = await prismaRows(client, folders);
  const applied = folders.filter((f) => rows.some((r) => r.migration_name === f && r.finished_at !== null && r.rolled_back_at === null));
  const failed = folders.filter((f) => rows.some((r) => r.migration_name === f && r.finished_at === null && r.rolled_back_at === null));

  if (step.rollback.kind === 'irreversible' && applied.length > 0) {
    // the runtime's refusal: the reason, what is lost, that only a restore brings it back
    await migrateStepDown(client, plan, step.n, { env: options.env, log });
  }
  if (applied.length === 0 && failed.length === 0) {
    const message = `${name} (step ${step.n}) is not applied by prisma migrate deploy: nothing to roll back`;
    log(message);
    return { step: step.n, folders: [], rolledBack: false, message };
  }
  if (applied.length === 0) {
    // a deploy that stopped in this step: nothing of a transactional folder is applied; a statement
    // that cannot run in a transaction may have left an INVALID index, which is dropped
    if (!step.transactional) {
      for (const index of indexesBuiltBy(step)) {
        if (await isInvalidIndex(client, index)) {
          log(`dropping the INVALID index ${index.schema}.${index.name} left by the failed build (DROP INDEX CONCURRENTLY)`);
          await dropIndexConcurrently(client, index);
        }
      }
    }
    await markRolledBack(client, failed);
    const message = `${failed.join(', ')} had failed; marked rolled back (as prisma migrate resolve --rolled-back does), so the next prisma migrate deploy runs ${failed.length > 1 ? 'them' : 'it'} again`;
    log(message);
    return { step: step.n, folders: failed, rolledBack: true, message };
  }

  const id = planId(plan);
  await ensureStateTable(client);
  const state = (await readStepStates(client, id)).get(step.n)?.status;
  // a step whose statement folder ran but whose checkpoint folder did not is applied, not done
  if (state !== 'done' && state !== 'running') await markStepRunning(client, id, step.n, false);
  try {
    await migrateStepDown(client, plan, step.n, { env: options.env, log, rerunCommand: { up: 'npx prisma migrate deploy', down: `npx liveshift prisma down ${name}` } });
  } catch (error) {
    throw withRollbackCommands(error, commands);
  }
  const marked = [...applied, ...failed];
  await markRolledBack(client, marked);
  const message = `step ${step.n} (${step.title}) rolled back; ${marked.join(', ')} marked rolled back: the next prisma migrate deploy applies ${marked.length > 1 ? 'them' : 'it'} again`;
  log(message);
  return { step: step.n, folders: marked, rolledBack: true, message };
}

interface PrismaRow {
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

async function prismaRows(client: pg.ClientBase, folders: string[]): Promise<PrismaRow[]> {
  try {
    const { rows } = await client.query<PrismaRow>(
      'SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations WHERE migration_name = ANY($1::text[]) ORDER BY started_at',
      [folders],
    );
    return rows;
  } catch (error) {
    if (sqlState(error) === '42P01') return []; // no _prisma_migrations: prisma migrate deploy never ran here
    throw error;
  }
}

/** What `prisma migrate resolve --rolled-back` does to a failed row, here for applied rows too. */
async function markRolledBack(client: pg.ClientBase, folders: string[]): Promise<void> {
  await client.query('UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = ANY($1::text[]) AND rolled_back_at IS NULL', [folders]);
}

function displayPlan(options: PrismaDownOptions, planFile: string): string {
  return `${(options.migrationsPath ?? 'prisma/migrations').replace(/\/+$/, '')}/${planFile}`;
}

/** How each step of the plan is rolled back: its folder, or liveshift apply for the steps liveshift runs. */
function rollbackCommands(plan: Plan, options: PrismaDownOptions, planFile: string): Map<number, string> {
  const byStep = new Map<number, string>();
  const folders = migrationFolders(options.migrationsDir)
    .map((f) => readLiveshiftFolder(options.migrationsDir, f))
    .filter((f): f is LiveshiftFolder => f !== undefined && f.planFile === planFile);
  for (const step of plan.steps) {
    const folder = folders.find((f) => f.step === step.n && (f.role === 'step' || f.role === 'statement'));
    byStep.set(step.n, runsInPrisma(step) && folder ? `npx liveshift prisma down ${folder.name}` : liveshiftRollback(step, options, planFile));
  }
  return byStep;
}

function liveshiftRollback(step: Step, options: PrismaDownOptions, planFile: string): string {
  const deployed = step.rollback.kind === 'deploy' ? ` --deployed ${step.rollback.release}` : '';
  return `npx liveshift apply ${displayPlan(options, planFile)} --db "$DATABASE_URL" --rollback ${step.n}${deployed}`;
}

/** "roll back steps 9, 8 first" gets the command for each of those steps. */
function withRollbackCommands(error: unknown, commands: Map<number, string>): unknown {
  if (!(error instanceof LiveshiftError)) return error;
  const m = /roll back steps? ([\d, ]+) first/.exec(error.message);
  if (!m) return error;
  const steps = m[1]!.split(',').map((s) => Number(s.trim())).filter((n) => commands.has(n));
  error.message += `\n${steps.map((n) => `  step ${n}: ${commands.get(n)}`).join('\n')}`;
  return error;
}
