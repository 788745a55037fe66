import { cpus } from 'node:os';
import { measureBackfillThroughput, type BackfillThroughputResult } from './backfill-throughput.js';
import type { BenchCase } from './cases/index.js';
import { BenchDatabases } from './databases.js';
import { writeReport, type BenchReport, type WrittenReport } from './report.js';
import { runCase, type CaseResult, type RunCaseOptions } from './run-case.js';

export interface BenchOptions {
  /** A superuser connection to the server's `postgres` database. */
  adminUrl: string;
  serverVersion: string;
  cases: readonly BenchCase[];
  /** Table sizes in rows. */
  sizes: readonly number[];
  /** Where the report files go. */
  outDir: string;
  run?: RunCaseOptions;
  /** Measure backfill throughput at each size too. Default true. */
  backfill?: boolean;
  log?: (message: string) => void;
}

export const DEFAULT_CONNECTIONS = 4;
export const DEFAULT_PAUSE_MS = 5;
export const DEFAULT_DEPLOY_LAG_MS = 1000;
export const DEFAULT_BLOCKER_HOLD_MS = 10_000;

/** Every case at every size, then backfill throughput at every size; writes and returns the report. */
export async function runBench(options: BenchOptions): Promise<BenchReport & WrittenReport> {
  const log = options.log ?? (() => {});
  const run: RunCaseOptions = {
    connections: DEFAULT_CONNECTIONS,
    pauseMs: DEFAULT_PAUSE_MS,
    deployLagMs: DEFAULT_DEPLOY_LAG_MS,
    blockerHoldMs: DEFAULT_BLOCKER_HOLD_MS,
    log,
    ...options.run,
  };
  const startedAt = new Date();
  const databases = new BenchDatabases(options.adminUrl, log);
  const cases: CaseResult[] = [];
  const backfill: BackfillThroughputResult[] = [];
  try {
    for (const rows of options.sizes) {
      for (const benchCase of options.cases) cases.push(await runCase(databases, benchCase, rows, run));
      if (options.backfill !== false) {
        backfill.push(
          await measureBackfillThroughput(databases, rows, { planOptions: run.planOptions, connections: run.connections, pauseMs: run.pauseMs, log }),
        );
      }
      // a size's template is not needed once its runs are done; large ones take disk space
      await databases.dropTemplates();
    }
  } finally {
    await databases.dropTemplates();
  }
  const report: BenchReport = {
    context: {
      startedAt,
      serverVersion: options.serverVersion,
      cpus: cpus().length,
      node: process.versions.node,
      connections: run.connections!,
      pauseMs: run.pauseMs!,
      deployLagMs: run.deployLagMs!,
      blockerHoldMs: run.blockerHoldMs!,
    },
    cases: sortedForReport(cases, options.cases),
    backfill,
  };
  return { ...report, ...(await writeReport(report, options.outDir)) };
}

/** Case by case, each case's sizes together, in the order the cases were given. */
function sortedForReport(results: CaseResult[], cases: readonly BenchCase[]): CaseResult[] {
  const order = new Map(cases.map((c, i) => [c.name, i]));
  return [...results].sort((a, b) => order.get(a.case)! - order.get(b.case)! || a.rows - b.rows);
}
