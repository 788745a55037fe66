import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { ENGINE_LABELS, planChange, type EmittedFile, type Plan, type SchemaSnapshot } from '@liveshift/core';
import { runtimeEngineOf } from '@liveshift/runtime';
import { loadTypeormProject, planEntityChange, typeormAdapter, type TypeormProject } from '@liveshift/typeorm';
import { UsageError } from '../errors.js';
import { loadChange, readSnapshotFile } from '../inputs.js';
import { moduleSystemOf, reportWritten, writeMigrationFiles } from '../migration-files.js';
import { info } from '../output.js';
import { addPlanningOptions, planOptionsFrom, type PlanningFlags } from '../planning-options.js';

interface TypeormFlags extends PlanningFlags {
  dataSource: string;
  snapshot?: string;
  extension?: 'js' | 'ts';
  outputJs?: boolean;
  dir?: string;
}

interface TypeormMakeFlags extends TypeormFlags {
  file?: string;
  name?: string;
}

const RUNNING = `
Then run them with the TypeORM CLI. Every liveshift class sets transaction = false (liveshift opens
its own short transactions, and CREATE INDEX CONCURRENTLY refuses any), which TypeORM accepts only
with migrationsTransactionMode: 'each' in the data source, or -t each on migration:run; its default,
"all", stops with: Migrations "<Name><ms>" override the transaction mode, but the global
transaction mode is "all". migration:revert ignores the flag, so revert with -t none:
  $ npx typeorm migration:run -d src/data-source.ts -t each     # stops at the first application deploy:
  #   "step 2 waits for release A+1 to be live: <what the application must do>"
  $ LIVESHIFT_DEPLOYED=A+1 npx typeorm migration:run -d src/data-source.ts -t each   # once that release runs everywhere
  $ npx typeorm migration:show -d src/data-source.ts
  $ npx typeorm migration:revert -d src/data-source.ts -t none  # undo the last step (refused past the point of no return)
  (TypeScript: node --import tsx node_modules/typeorm/cli.js ..., or typeorm-ts-node-esm)

Each class runs one plan step through the liveshift runtime on TypeORM's own connection: bounded
lock waits with retries, resumable batched backfills with progress, a checkpoint after the step.`;

const MAKE_EXAMPLES = `
Examples:
  # the rename, as TypeORM migrations in the folder the data source's migrations glob points to
  $ liveshift typeorm make "ALTER TABLE users RENAME COLUMN full_name TO display_name" -d src/data-source.ts

  # a structured intent file, planned from a snapshot, as JavaScript
  $ liveshift typeorm make --file rename.yaml -d data-source.js --snapshot schema.json -x js
${RUNNING}`;

const GENERATE_EXAMPLES = `
Examples:
  # after changing an entity (a new index, a new NOT NULL column with a value for existing rows)
  $ liveshift typeorm generate AddUserLocale -d src/data-source.ts --backfill "'en'"
${RUNNING}`;

function addTypeormOptions(command: Command): Command {
  return command
    .requiredOption('-d, --dataSource <path>', 'the TypeORM data source file, as for the TypeORM CLI (default export or the single exported DataSource)')
    .option('--snapshot <file>', 'plan from a snapshot (`liveshift snapshot`) instead of the database the data source connects to')
    .option('--dir <path>', "where to write (default: the folder the data source's first migrations glob points to, e.g. src/migrations for src/migrations/*.ts)")
    .addOption(new Option('-x, --extension <ext>', "file type (default: the migrations glob's extension, else the data source's)").choices(['js', 'ts']))
    .option('-o, --outputJs', 'write JavaScript, as for typeorm migration:create (same as -x js)');
}

export function registerTypeorm(program: Command): void {
  const typeorm = program
    .command('typeorm')
    .summary('write a plan as TypeORM migration classes')
    .description('TypeORM integration: write a zero-downtime plan as TypeORM migration classes, one per step, from a statement or from your entities.');
  typeorm.addHelpText('after', '\nRun liveshift typeorm make --help or liveshift typeorm generate --help for the options and examples.');

  const make = typeorm
    .command('make')
    .summary('plan a change and write it as TypeORM migrations, one class per step')
    .description(
      'Like `typeorm migration:create`, but for a planned change: loads the data source as the TypeORM CLI does, reads ' +
        'the schema through it (or --snapshot), plans the change and writes one migration class per step, each with its ' +
        'down, named <13-digit ms>-<Name> so TypeORM runs them in step order.',
    )
    .argument('[sql]', 'the change as SQL, e.g. "ALTER TABLE users RENAME COLUMN full_name TO display_name"')
    .option('--file <path>', 'read the change from a file: .sql (statements) or .yaml/.yml/.json (intents)')
    .option('--name <name>', 'the change name in file and class names (default: from the change, e.g. rename_column_users_full_name_display_name)');
  addPlanningOptions(addTypeormOptions(make))
    .addHelpText('after', MAKE_EXAMPLES)
    .action(async (sql: string | undefined, flags: TypeormMakeFlags) => {
      const change = await loadChange({ sql, file: flags.file });
      const project = await openProject(flags);
      const schema = flags.snapshot ? await snapshotFor(project, flags.snapshot) : await project.withDataSource((_, session) => session.introspect());
      const plan = await planChange(change, schema, planOptionsFrom(flags));
      await writeClasses(project, plan, flags, flags.name);
    });

  const generate = typeorm
    .command('generate')
    .summary("TypeORM's migration:generate, made safe: the entity change as one class per step")
    .description(
      'Asks TypeORM for the pending change between the entities and the database (the queries `typeorm migration:generate` ' +
        'would write), plans it, and writes the safe migration classes instead of the single unsafe one. A statement ' +
        'liveshift cannot make safe stops it, named, and nothing is written.',
    )
    .argument('<name>', 'the migration name, as for migration:generate (a path such as src/migrations/AddLocale also sets the folder)');
  addPlanningOptions(addTypeormOptions(generate))
    .addHelpText('after', GENERATE_EXAMPLES)
    .action(async (name: string, flags: TypeormFlags) => {
      const project = await openProject(flags);
      const snapshot = flags.snapshot ? await snapshotFor(project, flags.snapshot) : undefined;
      const change = await planEntityChange(project, {
        snapshot,
        planOptions: planOptionsFrom(flags),
        onChange: ({ statements, notes, warnings }) => {
          info(`TypeORM's change (what migration:generate would write in one migration):\n${statements.map((s) => `  ${s};`).join('\n')}`);
          for (const note of notes) info(`note: ${note}`);
          for (const warning of warnings) info(`warning: ${warning}`);
        },
      });
      const dir = name.includes('/') || name.includes(path.sep) ? path.dirname(name) : flags.dir;
      await writeClasses(project, change.plan, { ...flags, dir }, path.basename(name));
    });
}

/** A snapshot to plan from must be of the data source's engine. */
async function snapshotFor(project: TypeormProject, file: string): Promise<SchemaSnapshot> {
  const snapshot = await readSnapshotFile(file);
  if (runtimeEngineOf(snapshot.engine.name) !== project.engine) {
    throw new UsageError(`${file} is a ${ENGINE_LABELS[snapshot.engine.name]} snapshot, but the data source is of type "${project.type}": plan from a snapshot of the database the data source points to`);
  }
  return snapshot;
}

async function openProject(flags: TypeormFlags): Promise<TypeormProject> {
  const project = await loadTypeormProject({ dataSource: flags.dataSource });
  info(`data source ${relative(project.dataSourceFile)} (migrations ${project.migrationGlobs.join(', ') || 'given as classes'}, transaction mode ${project.transactionMode})`);
  return project;
}

async function writeClasses(project: TypeormProject, plan: Plan, flags: TypeormFlags, name: string | undefined): Promise<void> {
  const dir = flags.dir ? path.resolve(flags.dir) : project.migrationsDirectory;
  if (!dir) throw new UsageError(`${relative(project.dataSourceFile)} lists its migrations as classes, not a glob: pass --dir <folder> for the new files (and add them to the data source)`);
  const language = flags.outputJs ? 'js' : flags.extension ?? project.language;
  // TypeORM names are PascalCase (AddUserLocale): keep their words apart in the snake-case change name
  const changeName = name?.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  const files = typeormAdapter.emit(plan, { now: nextStamp(dir), name: changeName, language, moduleSystem: moduleSystemOf(dir) });
  const written = await writeMigrationFiles(dir, files);
  reportWritten(files, written, runInstructions(project, plan, files));
}

/** Now, or a second after the newest migration already there, so TypeORM runs the new ones last. */
function nextStamp(dir: string): Date {
  let newest = 0;
  try {
    for (const file of readdirSync(dir)) {
      const stamp = /^(\d{13})-/.exec(file)?.[1];
      if (stamp) newest = Math.max(newest, Number(stamp));
    }
  } catch {
    // no folder yet: nothing to follow
  }
  return new Date(Math.max(Date.now(), newest + 1000));
}

function runInstructions(project: TypeormProject, plan: Plan, files: EmittedFile[]): string[] {
  const ds = relative(project.dataSourceFile);
  const cli = files.some((f) => f.path.endsWith('.ts')) ? 'node --import tsx node_modules/typeorm/cli.js' : 'npx typeorm';
  const lines = [
    `run them with TypeORM: ${cli} migration:run -d ${ds}${project.transactionMode === 'each' ? '' : ' -t each'} (stops at each application deploy;`,
    `confirm a deploy with LIVESHIFT_DEPLOYED=<release>); undo one step with ${cli} migration:revert -d ${ds} -t none.`,
    "Every class sets transaction = false (liveshift opens its own short transactions): TypeORM needs migrationsTransactionMode: 'each'",
    '(or migration:run -t each) to run them, and migration:revert -t none to revert them (it ignores the flag otherwise).',
    `Point of no return: ${plan.pointOfNoReturn ? `step ${plan.pointOfNoReturn.step}` : 'none'}.`,
  ];
  const firstClass = /class (\w+)/.exec(files[0]?.contents ?? '')?.[1] ?? '<Name><ms>';
  if (project.transactionMode === 'all') {
    lines.push(
      '',
      `warning: ${ds} leaves migrationsTransactionMode at "all" (TypeORM's default), so a plain migration:run stops with`,
      `  Migrations "${firstClass}" override the transaction mode, but the global transaction mode is "all"`,
      `  set migrationsTransactionMode: 'each' in the data source, or always run migration:run -t each.`,
    );
  } else if (project.transactionMode === 'each') {
    lines.push('', `note: with migrationsTransactionMode 'each', a plain migration:revert wraps the step in a transaction and liveshift refuses it; add -t none.`);
  }
  return lines;
}

function relative(file: string): string {
  return path.relative(process.cwd(), file) || file;
}
