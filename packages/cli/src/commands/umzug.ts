import { existsSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { planChange } from '@liveshift/core';
import { MIGRATOR_FILES, umzugAdapter, umzugMigratorFile } from '@liveshift/umzug';
import { UsageError } from '../errors.js';
import { loadChange, loadSchema } from '../inputs.js';
import { moduleSystemOf, reportWritten, writeMigrationFiles } from '../migration-files.js';
import { info } from '../output.js';
import { addPlanningOptions, planOptionsFrom, type PlanningFlags } from '../planning-options.js';

interface UmzugMakeFlags extends PlanningFlags {
  file?: string;
  db?: string;
  snapshot?: string;
  name?: string;
  extension?: 'js' | 'ts';
  dir: string;
}

const EXAMPLES = `
Examples:
  # the rename, as Umzug migrations in ./migrations, plus ./migrate.js if the project has no migrator
  $ export DATABASE_URL=postgres://app@localhost:5432/app
  $ liveshift umzug make "ALTER TABLE users RENAME COLUMN full_name TO display_name"

  # from a snapshot (no database access), another folder, a structured intent file, TypeScript
  $ liveshift umzug make --file rename.yaml --snapshot schema.json --dir db/migrations -x ts

Then run them with Umzug's own CLI, through the migrator, one step at a time or all at once:
  $ node migrate pending                        # the plan's steps, in order
  $ node migrate up --step 1                    # step 1
  $ node migrate up                             # stops at the first application deploy:
  #   "step 2 waits for release A+1 to be live: <what the application must do>"
  $ LIVESHIFT_DEPLOYED=A+1 node migrate up      # once that release runs everywhere
  $ node migrate down --step 1                  # undo the last step (refused past the point of no return)
  (TypeScript: node --import tsx migrate.ts ...)

Each migration runs one plan step through the liveshift runtime on the migrator's pg client:
bounded lock waits with retries, resumable batched backfills with progress, a checkpoint after
the step. Umzug wraps nothing in a transaction; liveshift opens its own short ones. The migrator
stores what ran in the table umzug_migrations of the same database, names without extensions.`;

export function registerUmzug(program: Command): void {
  const umzug = program.command('umzug').summary('write a plan as Umzug migrations').description('Umzug integration: write a zero-downtime plan as Umzug migration modules, one per step, with a ready migrator.');
  umzug.addHelpText('after', '\nRun liveshift umzug make --help for the options and examples.');
  const make = umzug
    .command('make')
    .summary('plan a change and write it as Umzug migrations, one per step')
    .description(
      'Plans the change against the database (--db, default DATABASE_URL) or a snapshot and writes one Umzug ' +
        'migration module per step into --dir, each exporting up and down, named like `umzug create` names files ' +
        '(YYYY.MM.DDTHH.mm.ss.<name>, UTC) so they run in step order. Writes migrate.js (or migrate.ts) in the ' +
        'current folder when there is no migrate.* yet: Umzug\'s CLI with a PostgreSQL storage and DATABASE_URL as its only setting.',
    )
    .argument('[sql]', 'the change as SQL, e.g. "ALTER TABLE users RENAME COLUMN full_name TO display_name"')
    .option('--file <path>', 'read the change from a file: .sql (statements) or .yaml/.yml/.json (intents)')
    .option('--db <url>', 'read the schema from this database (default: DATABASE_URL): postgres://user:password@host:port/db')
    .option('--snapshot <file>', 'plan from a snapshot (`liveshift snapshot`) instead of connecting')
    .option('--name <name>', 'the change name in file names (default: from the change, e.g. rename_column_users_full_name_display_name)')
    .option('--dir <path>', 'the migrations folder', './migrations')
    .addOption(new Option('-x, --extension <ext>', 'file type (default: that of an existing migrate.ts / migrate.js, else js)').choices(['js', 'ts']));
  addPlanningOptions(make)
    .addHelpText('after', EXAMPLES)
    .action(async (sql: string | undefined, flags: UmzugMakeFlags) => {
      const change = await loadChange({ sql, file: flags.file });
      const db = flags.snapshot ? flags.db : flags.db ?? process.env.DATABASE_URL;
      if (!db && !flags.snapshot) {
        throw new UsageError('liveshift needs the schema: set DATABASE_URL, or pass --db <url> or --snapshot <file> (written by `liveshift snapshot`)');
      }
      const schema = await loadSchema({ db, snapshot: flags.snapshot });
      const plan = await planChange(change, schema, planOptionsFrom(flags));

      const root = process.cwd();
      const dir = path.resolve(root, flags.dir);
      const existingMigrator = MIGRATOR_FILES.find((f) => existsSync(path.join(root, f)));
      const language = flags.extension ?? (existingMigrator && /\.[cm]?ts$/.test(existingMigrator) ? 'ts' : 'js');
      const files = umzugAdapter.emit(plan, { now: new Date(), name: flags.name, language, moduleSystem: moduleSystemOf(dir) });
      const folder = path.relative(root, dir).split(path.sep).join('/');
      const inRoot = files.map((f) => ({ ...f, path: folder ? `${folder}/${f.path}` : f.path }));
      const migrator = existingMigrator ? undefined : umzugMigratorFile({ language, moduleSystem: moduleSystemOf(root) }, { migrationsFolder: folder || '.' });
      // one all-or-nothing write: the migrations and, for a project without one, the migrator
      const written = await writeMigrationFiles(root, migrator ? [...inRoot, migrator] : inRoot);

      reportWritten(inRoot, written.slice(0, inRoot.length), []);
      const run = (migrator?.path ?? existingMigrator ?? '').endsWith('.ts') ? `node --import tsx ${migrator?.path ?? existingMigrator}` : 'node migrate';
      if (migrator) info(`  migrator ${path.relative(root, written[inRoot.length]!)} (Umzug's CLI: the glob, the pg context and the storage table are in it; edit freely)`);
      else info(`  migrator ${existingMigrator} kept as it is: its glob must cover ${folder || '.'}/, its context must be a pg client (or { client })`);
      info(
        [
          '',
          `run them with Umzug: ${run} up --step 1 (one step) or ${run} up (stops at each application deploy;`,
          `confirm a deploy with LIVESHIFT_DEPLOYED=<release>); undo with ${run} down --step 1. DATABASE_URL names the database.`,
          `Point of no return: ${plan.pointOfNoReturn ? `step ${plan.pointOfNoReturn.step}` : 'none'}.`,
        ].join('\n'),
      );
    });
}
