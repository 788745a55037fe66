import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { planChange, type EmittedFile } from '@liveshift/core';
import { connect, redactUrl } from '@liveshift/runtime';
import {
  MIGRATION_LOCK_FILE,
  PLAN_FILE_SUFFIX,
  RUNBOOK_FILE_SUFFIX,
  lockfileProvider,
  loadPrismaProject,
  migrationLockContents,
  nextStamp,
  prismaAdapter,
  prismaDown,
  type PrismaProject,
} from '@liveshift/prisma';
import { UsageError } from '../errors.js';
import { loadChange, loadSchema } from '../inputs.js';
import { writeMigrationFiles } from '../migration-files.js';
import { info } from '../output.js';
import { addPlanningOptions, planOptionsFrom, type PlanningFlags } from '../planning-options.js';

interface ProjectFlags {
  config?: string;
  schema?: string;
  db?: string;
}

interface PrismaMakeFlags extends PlanningFlags, ProjectFlags {
  file?: string;
  snapshot?: string;
  name?: string;
}

const MAKE_EXAMPLES = `
Examples:
  # the rename, as Prisma migration folders in the migrations folder of prisma.config.ts
  $ liveshift prisma make "ALTER TABLE users RENAME COLUMN full_name TO display_name"

  # from a snapshot (no database access), another config, a structured intent file
  $ liveshift prisma make --file rename.yaml --snapshot schema.json --config db/prisma.config.ts

Then deploy with Prisma as usual; it stops where liveshift must act, saying what to run:
  $ npx prisma migrate deploy       # applies the folders of release A; stops at the first guard:
  #   "liveshift: <folder> (step 5) cannot run yet: ... deploy release A+1 ...;
  #    npx liveshift apply prisma/migrations/<plan>.liveshift.json --db "$DATABASE_URL" --through 4 --deployed A+1;
  #    npx prisma migrate resolve --rolled-back <folder>; npx prisma migrate deploy"
  $ npx liveshift prisma down <folder>   # undo a step (refused past the point of no return)

One folder per database step (<UTC timestamp>_<name>/migration.sql, with its down.sql); a
statement that cannot run in a transaction stands alone in its folder. Backfills and application
deploys run through liveshift apply from the plan file written beside the folders; the runbook
<stamp>_<change>.liveshift.md beside it lists every command in order.`;

const DOWN_EXAMPLES = `
Examples:
  $ liveshift prisma down 20261125123459_rename_column_users_full_name_display_name_05_add_check_display_name_is_not_null_not

Runs the step's rollback (the statements of the folder's down.sql) with bounded lock waits and
retries, then sets rolled_back_at on the step's rows in _prisma_migrations, as
prisma migrate resolve --rolled-back does for a failed migration: the next prisma migrate deploy
applies the folder again. Steps go back in reverse order; past the point of no return it refuses
and says what would be lost.`;

function addProjectOptions(command: Command): Command {
  return command
    .option('--config <path>', 'the Prisma config (default: prisma.config.ts found as Prisma finds it)')
    .option('--schema <path>', 'the Prisma schema, when there is no config (default: prisma/schema.prisma)')
    .option('--db <url>', 'the database (default: datasource.url of the config, else DATABASE_URL)');
}

async function project(flags: ProjectFlags): Promise<PrismaProject> {
  const found = await loadPrismaProject({ config: flags.config, schema: flags.schema });
  info(`Prisma project ${rel(found.root)}: migrations in ${rel(found.migrationsDir)}${found.configFile ? ` (from ${rel(found.configFile)})` : ''}`);
  return found;
}

function databaseUrl(found: PrismaProject, flags: ProjectFlags): string {
  const url = flags.db ?? found.databaseUrl;
  if (!url) throw new UsageError('liveshift needs the database: set datasource.url in prisma.config.ts or DATABASE_URL, or pass --db <url>');
  return url;
}

function rel(p: string): string {
  return path.relative(process.cwd(), p) || '.';
}

/** The folder as the operator names it from the project folder, with forward slashes. */
function fromRoot(found: PrismaProject, p: string): string {
  return path.relative(found.root, p).split(path.sep).join('/') || '.';
}

/** Prisma's lockfile: its provider must be PostgreSQL; written, as Prisma writes it, when missing. */
function lockfile(found: PrismaProject): EmittedFile[] {
  const file = path.join(found.migrationsDir, MIGRATION_LOCK_FILE);
  if (!existsSync(file)) return [{ path: MIGRATION_LOCK_FILE, contents: migrationLockContents() }];
  const provider = lockfileProvider(readFileSync(file, 'utf8'));
  if (provider !== 'postgresql') {
    throw new UsageError(
      `${rel(file)} says provider = ${JSON.stringify(provider ?? null)}: these migrations are for another database; liveshift writes PostgreSQL migrations`,
    );
  }
  return [];
}

export function registerPrisma(program: Command): void {
  const prisma = program
    .command('prisma')
    .summary('write a plan as Prisma migration folders; undo one')
    .description('Prisma integration: write a zero-downtime plan as Prisma Migrate folders, one per database step, and roll a step back.');
  prisma.addHelpText('after', '\nRun liveshift prisma make --help and liveshift prisma down --help for the options and examples.\nThe Prisma generator (generator liveshift { provider = "liveshift-prisma" }) writes the same folders on prisma generate.');

  const make = addProjectOptions(
    prisma
      .command('make')
      .summary('plan a change and write it as Prisma migration folders, one per database step')
      .description(
        'Like `prisma migrate dev --create-only`, but for a planned change: reads prisma.config.ts as Prisma does, reads the schema ' +
          'facts from its database (or --snapshot), plans the change and writes one migration folder per database step into the ' +
          'migrations folder, each with a down.sql, plus the plan file and a runbook beside them.',
      )
      .argument('[sql]', 'the change as SQL, e.g. "ALTER TABLE users RENAME COLUMN full_name TO display_name"')
      .option('--file <path>', 'read the change from a file: .sql (statements) or .yaml/.yml/.json (intents)'),
  )
    .option('--snapshot <file>', 'plan from a snapshot (`liveshift snapshot`) instead of connecting')
    .option('--name <name>', 'the change name in folder names (default: from the change, e.g. rename_column_users_full_name_display_name)');
  addPlanningOptions(make)
    .addHelpText('after', MAKE_EXAMPLES)
    .action(async (sql: string | undefined, flags: PrismaMakeFlags) => {
      const change = await loadChange({ sql, file: flags.file });
      const found = await project(flags);
      const lock = lockfile(found);
      const schema = flags.snapshot ? await loadSchema({ snapshot: flags.snapshot }) : await loadSchema({ db: databaseUrl(found, flags) });
      const plan = await planChange(change, schema, planOptionsFrom(flags));
      const files = prismaAdapter.emit(plan, { now: nextStamp(found.migrationsDir), name: flags.name, migrationsPath: fromRoot(found, found.migrationsDir) });
      const written = await writeMigrationFiles(found.migrationsDir, [...files, ...lock]);
      report(found, files, written, lock.length > 0);
    });

  const down = addProjectOptions(
    prisma
      .command('down')
      .summary("roll back a liveshift migration folder's step and mark it rolled back")
      .description(
        "Runs the rollback of the folder's step (its down.sql) and marks the step's folders rolled back in _prisma_migrations, " +
          'so that prisma migrate deploy applies them again. Refuses past the point of no return, saying what would be lost.',
      )
      .argument('<folder>', 'the migration folder, e.g. 20261125123459_rename_column_users_full_name_display_name_05_add_check_...'),
  );
  down.addHelpText('after', DOWN_EXAMPLES).action(async (folder: string, flags: ProjectFlags) => {
    const found = await project(flags);
    const url = databaseUrl(found, flags);
    info(`database ${redactUrl(url)}`);
    const client = await connect(url);
    try {
      // refusals carry their exit code (2 past the point of no return, 3 waiting for a release)
      await prismaDown(client, { migrationsDir: found.migrationsDir, folder, migrationsPath: fromRoot(found, found.migrationsDir), log: info });
    } finally {
      await client.end().catch(() => {});
    }
  });
}

function report(found: PrismaProject, files: EmittedFile[], written: string[], wroteLock: boolean): void {
  const folders = [...new Set(files.filter((f) => f.path.endsWith('/migration.sql')).map((f) => f.path.split('/')[0]!))];
  const planFile = files.find((f) => f.path.endsWith(PLAN_FILE_SUFFIX))!.path;
  const runbook = files.find((f) => f.path.endsWith(RUNBOOK_FILE_SUFFIX))!.path;
  const dir = rel(found.migrationsDir);
  info(`wrote ${folders.length} migration folders (migration.sql and down.sql each) in ${dir}:`);
  for (const folder of folders) {
    const step = files.find((f) => f.path === `${folder}/migration.sql`)!.step;
    info(`  step ${String(step).padStart(2)}  ${folder}`);
  }
  info(`  plan     ${path.join(dir, planFile)} (for liveshift apply: backfills and application deploys)`);
  info(`  runbook  ${path.join(dir, runbook)} (every command, in order)`);
  if (wroteLock) info(`  lock     ${path.join(dir, MIGRATION_LOCK_FILE)} (provider = "postgresql", as Prisma writes it)`);
  if (written.length !== files.length + (wroteLock ? 1 : 0)) throw new Error('not every file was written');
  info('\nnext: npx prisma migrate deploy; where it stops, its error says what to run (also in the runbook).');
}
