import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApply } from './commands/apply.js';
import { registerDemo } from './commands/demo.js';
import { registerKnex } from './commands/knex.js';
import { registerPlan } from './commands/plan.js';
import { registerPrisma } from './commands/prisma.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerTypeorm } from './commands/typeorm.js';
import { registerUmzug } from './commands/umzug.js';
import { registerVerify } from './commands/verify.js';
import { EXIT_BAD_INPUT, EXIT_OK, describeError, exitCodeOf } from './errors.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const OVERVIEW = `
Examples:
  $ liveshift demo                      # see it work: a real PostgreSQL 18, 1M rows, live traffic
  $ liveshift snapshot --db postgres://app@db/app --out schema.json
  $ liveshift plan "ALTER TABLE users RENAME COLUMN full_name TO display_name" --snapshot schema.json
  $ liveshift plan "ALTER TABLE users RENAME COLUMN full_name TO display_name" --snapshot schema.json \\
      --format json --out plan.json
  $ liveshift verify "ALTER TABLE users RENAME COLUMN full_name TO display_name" --html report.html   # run it under traffic first
  $ liveshift apply plan.json --db postgres://app@db/app --step 1
  $ liveshift apply plan.json --db postgres://app@db/app --through 4 --deployed A+1
  $ liveshift knex make "ALTER TABLE users RENAME COLUMN full_name TO display_name"   # then npx knex migrate:latest
  $ liveshift umzug make "ALTER TABLE users RENAME COLUMN full_name TO display_name"  # then node migrate up
  $ liveshift prisma make "ALTER TABLE users RENAME COLUMN full_name TO display_name" # then npx prisma migrate deploy
  $ liveshift typeorm make "ALTER TABLE users RENAME COLUMN full_name TO display_name" -d src/data-source.ts
  $ liveshift typeorm generate AddUserLocale -d src/data-source.ts  # migration:generate, as safe steps

Run liveshift <command> --help for each command's options and examples.
Exit codes: 0 done, 1 failed, 2 bad input, 3 waiting for a release to be confirmed.`;

export function createProgram(): Command {
  const program = new Command();
  program
    .name('liveshift')
    .description(
      'Turn a schema change into a zero-downtime plan: numbered, reversible steps that are safe under live ' +
        'traffic, with the application deploys sequenced between them.',
    )
    .version(pkg.version, '-V, --version', 'print the liveshift version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(add --help for usage and examples)')
    .configureOutput({
      // "error: unknown option '--x'" → "liveshift: unknown option '--x'"
      outputError: (text, write) => write(`liveshift: ${text.replace(/^error: /, '')}`),
    })
    .exitOverride()
    .addHelpText('after', OVERVIEW);
  // settings above are inherited by the subcommands created below
  registerPlan(program);
  registerSnapshot(program);
  registerApply(program);
  registerDemo(program);
  registerVerify(program);
  registerKnex(program);
  registerUmzug(program);
  registerPrisma(program);
  registerTypeorm(program);
  const withHelp = (c: Command): void => {
    c.helpOption('-h, --help', 'show help');
    c.commands.forEach(withHelp);
  };
  program.commands.forEach(withHelp);
  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function runCli(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? EXIT_OK : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed help, the version, or the usage error
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(`liveshift: ${describeError(error)}\n`);
    return exitCodeOf(error);
  }
}
