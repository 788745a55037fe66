import { performance } from 'node:perf_hooks';
import { planChange, type Plan, type PlanOptions, type SchemaSnapshot } from '@liveshift/core';
import { applyPlan, connect, introspectPostgres } from '@liveshift/runtime';
import type pg from 'pg';
import { application, naiveVersions, planVersions, sameQueries, type AppVersion } from './application.js';
import type { BenchCase } from './cases/index.js';
import type { BenchDatabases } from './databases.js';
import { summarize, type WorkloadSummary } from './measure.js';
import { TABLE } from './table.js';
import { startWorkload, type RunningWorkload } from './workload.js';

/** One way of making the change (the naive statement or the plan), as the application saw it. */
export interface VariantResult {
  /** From sending the change until it was done and the application that goes with it was live (the plan: every step). */
  totalMs: number;
  workload: WorkloadSummary;
  /** The schema once the change was done (introspected). */
  schema: SchemaSnapshot;
}

export interface CaseResult {
  case: string;
  title: string;
  rows: number;
  naive: VariantResult;
  plan: VariantResult & { steps: number; plan: Plan };
  /** How long the long transaction held the table after the change arrived (lock-queue case only). */
  blockerHoldMs?: number;
}

export interface RunCaseOptions {
  /** Options for planChange (e.g. smallTableBytes: 0 to get the online recipe on a tiny table). */
  planOptions?: PlanOptions;
  /** Lock-queue case: how long the long transaction keeps the table after the change arrives. Default 10 s. */
  blockerHoldMs?: number;
  /** Workload connections and think time. */
  connections?: number;
  pauseMs?: number;
  /** The application runs this long before the change and after it. Default 500 ms. */
  settleMs?: number;
  /**
   * A deploy is not instant: a new application version is live this long after it is asked for
   * (the naive statement: after the statement commits; the plan: before its release is confirmed).
   * Only counts where the application's queries change (the rename). Default 1000 ms.
   */
  deployLagMs?: number;
  log?: (message: string) => void;
}

/**
 * One case at one table size: the naive statement on a fresh copy of the seeded table under the
 * workload, then the plan, step by step through the runtime, on another fresh copy under the
 * same workload (the application deployed at each release the plan asks for).
 */
export async function runCase(databases: BenchDatabases, benchCase: BenchCase, rows: number, options: RunCaseOptions = {}): Promise<CaseResult> {
  const log = options.log ?? (() => {});
  const blockerHoldMs = benchCase.longTransaction ? (options.blockerHoldMs ?? 10_000) : undefined;
  const deployLagMs = options.deployLagMs ?? 1000;
  const deploy = async (workload: RunningWorkload, from: AppVersion, to: AppVersion) => {
    if (sameQueries(from, to)) return;
    await sleep(deployLagMs);
    workload.deploy(application(to, benchCase.column, rows));
  };

  log(`${benchCase.name} @ ${rows.toLocaleString('en-US')} rows: naive statement`);
  const naive = await inFreshCopy(databases, rows, async (url, client) => {
    const versions = naiveVersions(benchCase.column);
    return underWorkload(url, application(versions.before, benchCase.column, rows), options, blockerHoldMs, async (workload) => {
      await client.query(benchCase.naiveSql);
      // the new application is deployed as soon as the statement commits; until it is live, the old one runs
      await deploy(workload, versions.before, versions.after);
    }).then(async (measured) => ({ ...measured, schema: await introspectPostgres(client) }));
  });

  log(`${benchCase.name} @ ${rows.toLocaleString('en-US')} rows: liveshift plan`);
  const plan = await inFreshCopy(databases, rows, async (url, client) => {
    const planned = await planChange(benchCase.planInput, await introspectPostgres(client), options.planOptions ?? {});
    const versions = planVersions(planned, benchCase.column);
    const versionAt = (release: string) => {
      const version = versions.get(release);
      if (!version) throw new Error(`internal error: the plan has no release ${release}`);
      return version;
    };
    const first = versionAt(planned.releases[0]?.release ?? 'A');
    const measured = await underWorkload(url, application(first, benchCase.column, rows), options, blockerHoldMs, async (workload) => {
      let live = first;
      for (const step of planned.steps) {
        // an application step is a deploy: the bench deploys that release and confirms it once it is live
        if (step.kind === 'app') {
          await deploy(workload, live, versionAt(step.deploy));
          live = versionAt(step.deploy);
        }
        const result = await applyPlan(client, planned, { step: step.n, deployed: step.deploy, log: () => {}, onProgress: false });
        if (result.waitingFor) throw new Error(`internal error: step ${step.n} still waits for release ${result.waitingFor.release}`);
      }
    });
    return { ...measured, schema: await introspectPostgres(client), steps: planned.steps.length, plan: planned };
  });

  return { case: benchCase.name, title: benchCase.title, rows, naive, plan, ...(blockerHoldMs !== undefined ? { blockerHoldMs } : {}) };
}

async function inFreshCopy<T>(databases: BenchDatabases, rows: number, body: (url: string, client: pg.Client) => Promise<T>): Promise<T> {
  const database = await databases.copyOfSeeded(rows);
  try {
    const client = await connect(database.url);
    try {
      return await body(database.url, client);
    } finally {
      await client.end().catch(() => {});
    }
  } finally {
    await database.drop();
  }
}

/**
 * Starts the application, lets it settle, makes the change (with a long transaction holding the
 * table when `blockerHoldMs` is set), lets it run on, stops it, and summarises the queries sent
 * while the change ran.
 */
async function underWorkload(
  url: string,
  app: Parameters<typeof startWorkload>[0]['application'],
  options: RunCaseOptions,
  blockerHoldMs: number | undefined,
  change: (workload: RunningWorkload) => Promise<void>,
): Promise<{ totalMs: number; workload: WorkloadSummary }> {
  const settleMs = options.settleMs ?? 500;
  const workload = await startWorkload({ url, application: app, connections: options.connections, pauseMs: options.pauseMs });
  let blocker: LongTransaction | undefined;
  try {
    await sleep(settleMs);
    if (blockerHoldMs !== undefined) blocker = await LongTransaction.open(url);
    const started = performance.now();
    blocker?.commitAfter(blockerHoldMs!);
    await change(workload);
    const finished = performance.now();
    await blocker?.committed;
    await sleep(settleMs);
    const records = await workload.stop();
    return { totalMs: finished - started, workload: summarize(records, started, finished) };
  } finally {
    await blocker?.close();
    await workload.stop();
  }
}

/** A transaction that read the table and stays open, holding ACCESS SHARE on it, like a slow report. */
class LongTransaction {
  committed: Promise<void> = Promise.resolve();

  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<LongTransaction> {
    const client = await connect(url);
    await client.query('BEGIN');
    await client.query(`SELECT count(*) FROM ${TABLE} WHERE id <= 10`);
    return new LongTransaction(client);
  }

  commitAfter(ms: number): void {
    this.committed = sleep(ms).then(async () => {
      await this.client.query('COMMIT');
    });
  }

  async close(): Promise<void> {
    await this.committed.catch(() => {});
    await this.client.end().catch(() => {});
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
