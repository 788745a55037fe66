import { performance } from 'node:perf_hooks';
import { planChange, type PlanOptions } from '@liveshift/core';
import { applyPlan, connect, introspectPostgres } from '@liveshift/runtime';
import type pg from 'pg';
import { applicationFromPlan, applicationFromSnapshot, startWorkload, type ApplicationRelease } from '@liveshift/verify';
import type { BenchDatabases } from './databases.js';
import { TABLE } from './table.js';

/**
 * Backfill speed of the plan's keyset-batched backfill (the rename's copy of full_name into
 * display_name, run by the runtime) against one UPDATE of the same rows on the same table and
 * server: the practical ceiling, since one statement pays no per-batch round trips or commits.
 * Both with the application running and without it.
 */

export interface ThroughputMeasurement {
  rows: number;
  ms: number;
  rowsPerSecond: number;
}

export interface BackfillThroughputResult {
  rows: number;
  batchSize: number;
  single: ThroughputMeasurement;
  batched: ThroughputMeasurement;
  singleUnderWorkload: ThroughputMeasurement;
  batchedUnderWorkload: ThroughputMeasurement;
}

export interface BackfillThroughputOptions {
  /** Plan options; the batch size comes from here. The pause between batches is 0 unless set: it is throttling on purpose, not speed. */
  planOptions?: PlanOptions;
  connections?: number;
  pauseMs?: number;
  log?: (message: string) => void;
}

const RENAME = 'ALTER TABLE accounts RENAME COLUMN full_name TO display_name';

export async function measureBackfillThroughput(databases: BenchDatabases, rows: number, options: BackfillThroughputOptions = {}): Promise<BackfillThroughputResult> {
  const log = options.log ?? (() => {});
  const planOptions: PlanOptions = { pauseMs: 0, ...options.planOptions };
  let batchSize = 0;

  const single = async (withWorkload: boolean) =>
    inFreshCopy(databases, rows, async (client, url) => {
      await client.query(`ALTER TABLE ${TABLE} ADD COLUMN display_name text`);
      // the application writes both columns, as the plan's dual-write release does
      const dualWrite = applicationFromSnapshot(await introspectPostgres(client), [`public.${TABLE}`]);
      return whileApplicationRuns(url, withWorkload ? dualWrite : undefined, options, async () => {
        const started = performance.now();
        const result = await client.query(`UPDATE ${TABLE} SET display_name = full_name WHERE display_name IS DISTINCT FROM full_name`);
        return measurement(result.rowCount ?? 0, performance.now() - started);
      });
    });

  const batched = async (withWorkload: boolean) =>
    inFreshCopy(databases, rows, async (client, url) => {
      const before = await introspectPostgres(client);
      const plan = await planChange({ sql: RENAME }, before, planOptions);
      const backfillStep = plan.steps.find((s) => s.kind === 'backfill' && s.backfill);
      if (!backfillStep?.backfill) throw new Error('internal error: the rename plan has no backfill step');
      batchSize = backfillStep.backfill.batchSize;
      const quiet = { log: () => {}, onProgress: false as const };
      // the steps before the backfill: add the column, the dual-write release
      for (const step of plan.steps.filter((s) => s.n < backfillStep.n)) await applyPlan(client, plan, { step: step.n, deployed: step.deploy, ...quiet });
      const dualWrite = applicationFromPlan(plan, before).filter((r) => r.deployedAtStep !== null && r.deployedAtStep < backfillStep.n).pop();
      if (!dualWrite) throw new Error('internal error: the rename plan deploys no release before its backfill');
      return whileApplicationRuns(url, withWorkload ? dualWrite : undefined, options, async () => {
        let updated = 0;
        const started = performance.now();
        await applyPlan(client, plan, {
          step: backfillStep.n,
          deployed: backfillStep.deploy,
          ...quiet,
          onProgress: (progress) => {
            updated = progress.updated;
          },
        });
        return measurement(updated, performance.now() - started);
      });
    });

  log(`backfill throughput @ ${rows.toLocaleString('en-US')} rows: single UPDATE`);
  const singleQuiet = await single(false);
  log(`backfill throughput @ ${rows.toLocaleString('en-US')} rows: batched backfill`);
  const batchedQuiet = await batched(false);
  log(`backfill throughput @ ${rows.toLocaleString('en-US')} rows: single UPDATE under the workload`);
  const singleBusy = await single(true);
  log(`backfill throughput @ ${rows.toLocaleString('en-US')} rows: batched backfill under the workload`);
  const batchedBusy = await batched(true);
  return { rows, batchSize, single: singleQuiet, batched: batchedQuiet, singleUnderWorkload: singleBusy, batchedUnderWorkload: batchedBusy };
}

function measurement(rows: number, ms: number): ThroughputMeasurement {
  return { rows, ms, rowsPerSecond: ms > 0 ? (rows * 1000) / ms : 0 };
}

async function inFreshCopy<T>(databases: BenchDatabases, rows: number, body: (client: pg.Client, url: string) => Promise<T>): Promise<T> {
  const database = await databases.copyOfSeeded(rows);
  try {
    const client = await connect(database.url);
    try {
      return await body(client, database.url);
    } finally {
      await client.end().catch(() => {});
    }
  } finally {
    await database.drop();
  }
}

/** Runs `measure` while `release` of the application runs on the same table (when given). */
async function whileApplicationRuns<T>(url: string, release: ApplicationRelease | undefined, options: BackfillThroughputOptions, measure: () => Promise<T>): Promise<T> {
  if (!release) return measure();
  const workload = await startWorkload({ url, releases: [release], connections: options.connections, pauseMs: options.pauseMs, queryTimeoutMs: 0 });
  try {
    return await measure();
  } finally {
    await workload.stop();
  }
}
