import { planChange, snapshotsAfterSteps, type Plan, type PlanOptions, type SchemaSnapshot } from '@liveshift/core';
import { applyPlan, connect, introspectPostgres } from '@liveshift/runtime';
import {
  applicationFromPlan,
  nowMs,
  startWorkload,
  touchedTables,
  windowLabel,
  type ApplicationRelease,
  type StepWindow,
  type WorkloadHandle,
} from '@liveshift/verify';
import type pg from 'pg';
import { AFTER, naiveReleases, queriesDiffer } from './application.js';
import type { BenchCase } from './cases/index.js';
import type { BenchDatabases } from './databases.js';
import { summarizeChange, type ChangeSummary } from './measure.js';
import { TABLE } from './table.js';

/** One way of making the change (the naive statement or the plan), as the application saw it. */
export interface VariantResult {
  /** From sending the change until it was done and the application that goes with it was live (the plan: every step). */
  totalMs: number;
  workload: ChangeSummary;
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
  /** Workload sessions and the pause between two queries of one session. */
  connections?: number;
  pauseMs?: number;
  /** The application runs this long before the change and after it. Default 500 ms. */
  settleMs?: number;
  /**
   * A deploy is not instant: a new application version is live this long after it is asked for
   * (the naive statement: after the statement commits; the plan: before its release is confirmed).
   * Only where the application's queries change. Default 1000 ms.
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
  const size = rows.toLocaleString('en-US');

  log(`${benchCase.name} @ ${size} rows: naive statement`);
  const naive = await inFreshCopy(databases, rows, async (url, client) => {
    const before = await introspectPostgres(client);
    // the plan is made only to know the tables involved and the schema the statement leads to
    const plan = await planChange(benchCase.planInput, before, options.planOptions ?? {});
    const releases = naiveReleases(before, finalSchema(before, plan), touchedTables(plan));
    const measured = await underWorkload(url, releases, options, blockerHoldMs, async (workload, windows) => {
      const started = nowMs();
      await client.query(benchCase.naiveSql);
      // the new application is deployed as soon as the statement commits; until it is live, the old one runs
      if (releases.length > 1) {
        await sleep(deployLagMs);
        await workload.deploy(AFTER);
      }
      windows.push({ label: 'naive statement', step: null, phase: 'apply', startedAtMs: started, endedAtMs: nowMs() });
    });
    return { ...measured, schema: await introspectPostgres(client) };
  });

  log(`${benchCase.name} @ ${size} rows: liveshift plan`);
  const plan = await inFreshCopy(databases, rows, async (url, client) => {
    const before = await introspectPostgres(client);
    const planned = await planChange(benchCase.planInput, before, options.planOptions ?? {});
    const releases = applicationFromPlan(planned, before);
    const byName = new Map(releases.map((r) => [r.release, r]));
    const measured = await underWorkload(url, releases, options, blockerHoldMs, async (workload, windows) => {
      let live = releases[0]!;
      for (const step of planned.steps) {
        const started = nowMs();
        // an application step is a deploy: the bench rolls that release out and confirms it once it is live
        const next = step.kind === 'app' ? byName.get(step.deploy) : undefined;
        if (next) {
          if (queriesDiffer(live, next)) await sleep(deployLagMs);
          await workload.deploy(next.release);
          live = next;
        }
        const result = await applyPlan(client, planned, { step: step.n, deployed: step.deploy, log: () => {}, onProgress: false });
        if (result.waitingFor) throw new Error(`internal error: step ${step.n} still waits for release ${result.waitingFor.release}`);
        windows.push({ label: windowLabel(step.n, 'apply'), step: step.n, phase: 'apply', startedAtMs: started, endedAtMs: nowMs() });
      }
    });
    return { ...measured, schema: await introspectPostgres(client), steps: planned.steps.length, plan: planned };
  });

  return { case: benchCase.name, title: benchCase.title, rows, naive, plan, ...(blockerHoldMs !== undefined ? { blockerHoldMs } : {}) };
}

/** The schema the plan leads to: the intended one, which the naive statement reaches in one go. */
function finalSchema(before: SchemaSnapshot, plan: Plan): SchemaSnapshot {
  const after = snapshotsAfterSteps(before, plan.steps);
  return after[after.length - 1] ?? before;
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
 * Starts the application, lets it settle (the baseline), makes the change (with a long
 * transaction holding the table when `blockerHoldMs` is set) while `change` records its windows,
 * lets the application run on, stops it, and summarises what its queries went through.
 */
async function underWorkload(
  url: string,
  releases: ApplicationRelease[],
  options: RunCaseOptions,
  blockerHoldMs: number | undefined,
  change: (workload: WorkloadHandle, windows: StepWindow[]) => Promise<void>,
): Promise<{ totalMs: number; workload: ChangeSummary }> {
  const settleMs = options.settleMs ?? 500;
  // no statement_timeout: a query stuck behind the change is measured for as long as it waits
  const workload = await startWorkload({ url, releases, connections: options.connections, pauseMs: options.pauseMs, queryTimeoutMs: 0 });
  let blocker: LongTransaction | undefined;
  try {
    const baselineStart = nowMs();
    await sleep(settleMs);
    if (blockerHoldMs !== undefined) blocker = await LongTransaction.open(url);
    const started = nowMs();
    const windows: StepWindow[] = [{ label: 'baseline', step: null, phase: 'baseline', startedAtMs: baselineStart, endedAtMs: started }];
    blocker?.commitAfter(blockerHoldMs!);
    await change(workload, windows);
    const finished = nowMs();
    await blocker?.committed;
    await sleep(settleMs);
    const records = await workload.stop();
    windows.push({ label: 'after', step: null, phase: 'after', startedAtMs: finished, endedAtMs: nowMs() });
    return { totalMs: finished - started, workload: summarizeChange(records, windows) };
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
