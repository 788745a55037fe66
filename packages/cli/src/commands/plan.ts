import { Option, type Command } from 'commander';
import { planChange, renderJson, renderMarkdown, renderText, type Plan } from '@liveshift/core';
import { loadChange, loadSchema } from '../inputs.js';
import { emit, info, stdoutWantsColor } from '../output.js';
import { addPlanningOptions, planOptionsFrom, type PlanningFlags } from '../planning-options.js';

export type PlanFormat = 'md' | 'json' | 'text';

interface PlanFlags extends PlanningFlags {
  file?: string;
  db?: string;
  snapshot?: string;
  format?: PlanFormat;
  out?: string;
}

const EXAMPLES = `
Examples:
  # plan a rename against a snapshot (no database access needed), as a terminal view
  $ liveshift plan "ALTER TABLE users RENAME COLUMN full_name TO display_name" --snapshot schema.json

  # the same against a live database, as markdown for a pull request
  $ liveshift plan "ALTER TABLE users RENAME COLUMN full_name TO display_name" \\
      --db postgres://app@db.internal/app --format md --out plan.md

  # a trigger keeps both columns in sync instead of the application (one deploy fewer)
  $ liveshift plan "ALTER TABLE users RENAME COLUMN full_name TO display_name" --snapshot schema.json --sync trigger

  # existing rows need a value before the column can be NOT NULL
  $ liveshift plan "ALTER TABLE users ALTER COLUMN email SET NOT NULL" --snapshot schema.json --backfill "''"

  # several statements make one plan; JSON is the file \`liveshift apply\` runs
  $ liveshift plan --file change.sql --snapshot schema.json --format json --out plan.json

  # a structured intent file (YAML or JSON): one intent, a list, or { intents: [...] }
  $ cat rename.yaml
  kind: rename_column
  table: users
  from: full_name
  to: display_name
  $ liveshift plan --file rename.yaml --snapshot schema.json

Output: --format text (the default on a terminal), md (the default when piped) or json.
JSON goes to standard output alone; messages go to standard error.
Exit codes: 0 planned, 1 failed (e.g. cannot connect), 2 bad input (unsupported statement,
unknown table or column, invalid intent file or flag).`;

export function registerPlan(program: Command): void {
  const command = program
    .command('plan')
    .summary('turn a schema change into a zero-downtime plan')
    .description(
      'Turn a schema change, written as the naive SQL statement(s) or as a structured intent file, into a plan of ' +
        'numbered, reversible steps with the application deploys sequenced between them. Every step says which ' +
        'lock it takes, for how long, how to check it finished and how to undo it.',
    )
    .argument('[sql]', 'the SQL statement(s) to plan, e.g. "ALTER TABLE users RENAME COLUMN full_name TO display_name"')
    .option('--file <path>', 'read the change from a file: .sql (statements) or .yaml/.yml/.json (intents)')
    .option('--db <url>', 'read the schema from a live database: postgres://user:password@host:port/db')
    .option('--snapshot <file>', 'read the schema from a snapshot file written by `liveshift snapshot`');
  addPlanningOptions(command)
    .addOption(new Option('--format <format>', 'output format (default: text on a terminal, md otherwise)').choices(['md', 'json', 'text']))
    .option('--out <file>', 'write the plan to a file instead of standard output')
    .addHelpText('after', EXAMPLES)
    .action(async (sql: string | undefined, flags: PlanFlags) => {
      const change = await loadChange({ sql, file: flags.file });
      const schema = await loadSchema({ db: flags.db, snapshot: flags.snapshot });
      const plan = await planChange(change, schema, planOptionsFrom(flags));
      const format: PlanFormat = flags.format ?? (process.stdout.isTTY ? 'text' : 'md');
      await emit(renderPlan(plan, format, !flags.out && stdoutWantsColor()), flags.out, `the plan (${format}, ${plan.steps.length} steps)`);
      if (flags.out && format === 'json') info(`run it step by step with: liveshift apply ${flags.out} --db <url> --step 1`);
    });
}

export function renderPlan(plan: Plan, format: PlanFormat, color = false): string {
  switch (format) {
    case 'json':
      return renderJson(plan);
    case 'md':
      return renderMarkdown(plan);
    case 'text':
      return renderText(plan, { color });
  }
}
