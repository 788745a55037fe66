import path from 'node:path';
import { Option, type Command } from 'commander';
import { ENGINE_LABELS, planChange } from '@liveshift/core';
import { runtimeEngineOf } from '@liveshift/runtime';
import { knexAdapter, loadKnexProject } from '@liveshift/knex';
import { loadChange, readSnapshotFile } from '../inputs.js';
import { moduleSystemOf, reportWritten, writeMigrationFiles } from '../migration-files.js';
import { UsageError } from '../errors.js';
import { info } from '../output.js';
import { addPlanningOptions, planOptionsFrom, type PlanningFlags } from '../planning-options.js';

interface KnexMakeFlags extends PlanningFlags {
  file?: string;
  knexfile?: string;
  env?: string;
  snapshot?: string;
  name?: string;
  extension?: 'js' | 'ts';
}

const EXAMPLES = `
Examples:
  # the rename, as knex migrations in the knexfile's migrations directory
  $ liveshift knex make "ALTER TABLE users RENAME COLUMN full_name TO display_name"

  # another knexfile or environment; a structured intent file; TypeScript files
  $ liveshift knex make --file rename.yaml --knexfile db/knexfile.js --env production -x ts

Then run them with knex as usual, one step at a time or all at once:
  $ npx knex migrate:up                         # step 1
  $ npx knex migrate:latest                     # stops at the first application deploy:
  #   "step 2 waits for release A+1 to be live: <what the application must do>"
  $ LIVESHIFT_DEPLOYED=A+1 npx knex migrate:latest   # once that release runs everywhere
  $ npx knex migrate:down                       # undo the last step (refused past the point of no return)

Each file runs one plan step through the liveshift runtime: bounded lock waits with retries,
resumable batched backfills with progress, a checkpoint after the step. Every file sets
config = { transaction: false }: liveshift opens its own short transactions, so migrate:latest
never wraps the steps in one long transaction.`;

export function registerKnex(program: Command): void {
  const knex = program.command('knex').summary('write a plan as Knex migration files').description('Knex integration: write a zero-downtime plan as Knex migrations, one file per step.');
  knex.addHelpText('after', '\nRun liveshift knex make --help for the options and examples.');
  const make = knex
    .command('make')
    .summary('plan a change and write it as Knex migrations, one per step')
    .description(
      'Like `knex migrate:make`, but for a planned change: reads the knexfile as knex does, reads the schema through ' +
        'its connection (or --snapshot), plans the change and writes one migration file per step into the ' +
        'migrations directory, each with its down.',
    )
    .argument('[sql]', 'the change as SQL, e.g. "ALTER TABLE users RENAME COLUMN full_name TO display_name"')
    .option('--file <path>', 'read the change from a file: .sql (statements) or .yaml/.yml/.json (intents)')
    .option('--knexfile <path>', 'the knexfile (default: knexfile.{js,cjs,mjs,ts} in this folder or above)')
    .option('--env <name>', 'the knexfile environment (default: NODE_ENV, else development)')
    .option('--snapshot <file>', 'plan from a snapshot (`liveshift snapshot`) instead of connecting with the knexfile')
    .option('--name <name>', 'the change name in file names (default: from the change, e.g. rename_column_users_full_name_display_name)')
    .addOption(new Option('-x, --extension <ext>', "file type (default: migrations.extension, else the knexfile's extension)").choices(['js', 'ts']));
  addPlanningOptions(make)
    .addHelpText('after', EXAMPLES)
    .action(async (sql: string | undefined, flags: KnexMakeFlags) => {
      const change = await loadChange({ sql, file: flags.file });
      const project = await loadKnexProject({ knexfile: flags.knexfile, env: flags.env });
      info(`knexfile ${path.relative(process.cwd(), project.knexfile) || project.knexfile}${project.environment ? ` (environment ${project.environment})` : ''}`);
      const schema = flags.snapshot ? await readSnapshotFile(flags.snapshot) : await project.withSession((session) => session.introspect());
      if (runtimeEngineOf(schema.engine.name) !== project.engine) {
        throw new UsageError(`${flags.snapshot} is a ${ENGINE_LABELS[schema.engine.name]} snapshot, but the knexfile uses knex client "${project.client}": plan from a snapshot of the database the knexfile points to`);
      }
      const plan = await planChange(change, schema, planOptionsFrom(flags));
      const language = flags.extension ?? project.language;
      const files = knexAdapter.emit(plan, { now: new Date(), name: flags.name, language, moduleSystem: moduleSystemOf(project.migrationsDirectory) });
      const written = await writeMigrationFiles(project.migrationsDirectory, files);
      reportWritten(files, written, [
        'run them with knex: npx knex migrate:up (one step) or npx knex migrate:latest (stops at each application deploy;',
        `confirm a deploy with LIVESHIFT_DEPLOYED=<release>); undo with npx knex migrate:down. Point of no return: ${plan.pointOfNoReturn ? `step ${plan.pointOfNoReturn.step}` : 'none'}.`,
      ]);
    });
}
