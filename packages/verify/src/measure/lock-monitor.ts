import pg from 'pg';
import type { PgLockMode } from '@liveshift/core';
import { nowMs } from './clock.js';
import { documentedMode } from './lock-modes.js';

/**
 * A monitor session that samples, every few milliseconds, which sessions of the database are
 * waiting for a lock (pg_stat_activity, with pg_blocking_pids) and which table locks the plan's
 * runner holds (pg_locks). Sampling sees waits longer than the interval; shorter ones do not
 * matter to an application.
 */

export type SessionRole = 'workload' | 'plan' | 'other';

/** One session waiting for one lock, from the first sample that saw it to the last. */
export interface LockWait {
  pid: number;
  role: SessionRole;
  applicationName: string;
  /** pg_stat_activity.wait_event: "relation" (a table lock), "tuple"/"transactionid" (a row), ... */
  waitEvent: string;
  query: string;
  firstSeenMs: number;
  lastSeenMs: number;
  /** How long the waiting statement had been running at the last sample, by the server's clock (an upper bound of the wait so far). */
  waitedMs: number;
  blockedBy: number[];
  /** The plan's runner was among the blockers. */
  blockedByPlan: boolean;
  /** What the runner was executing when it was first seen blocking this wait (to tell which step caused it). */
  runnerQuery: string | null;
}

/** A table lock the runner held when a sample was taken. */
export interface HeldLockSample {
  atMs: number;
  relation: number;
  mode: PgLockMode;
}

export interface LockMonitorOptions {
  /** Backend pid of the session that runs the plan. */
  runnerPid: number;
  /** Backend pids of the workload's sessions. */
  workloadPids: readonly number[];
  intervalMs?: number;
}

export interface LockObservations {
  waits: LockWait[];
  runnerLocks: HeldLockSample[];
  samples: number;
}

export class LockMonitor {
  private running = true;
  private readonly waits = new Map<string, LockWait>();
  private readonly runnerLocks: HeldLockSample[] = [];
  private samples = 0;
  private loop: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(
    private readonly client: pg.Client,
    private readonly options: LockMonitorOptions,
  ) {}

  static async start(url: string, options: LockMonitorOptions): Promise<LockMonitor> {
    const client = new pg.Client({ connectionString: url, application_name: 'liveshift-verify-monitor' });
    client.on('error', () => {});
    await client.connect();
    const monitor = new LockMonitor(client, options);
    monitor.loop = monitor.run();
    return monitor;
  }

  /** Stops sampling, closes the session, returns everything seen. */
  async stop(): Promise<LockObservations> {
    this.running = false;
    await this.loop;
    await this.client.end().catch(() => {});
    if (this.failure) throw this.failure;
    return { waits: [...this.waits.values()].sort((a, b) => a.firstSeenMs - b.firstSeenMs), runnerLocks: this.runnerLocks, samples: this.samples };
  }

  private async run(): Promise<void> {
    const interval = this.options.intervalMs ?? 10;
    try {
      while (this.running) {
        const started = nowMs();
        await this.sample();
        const spent = nowMs() - started;
        if (spent < interval) await new Promise((r) => setTimeout(r, interval - spent));
      }
    } catch (error) {
      if (this.running) this.failure = error;
    }
  }

  private async sample(): Promise<void> {
    const { runnerPid, workloadPids } = this.options;
    // the runner's statement is read in the same snapshot of pg_stat_activity as the waits, so a
    // wait is tied to the statement that caused it even when the sample comes back late
    const waiting = await this.client.query<{ pid: number; application_name: string; wait_event: string; query: string; query_start: string; waited_ms: number; blockers: number[]; runner_query: string | null }>(
      `SELECT a.pid, a.application_name, a.wait_event, left(a.query, 300) AS query, a.query_start::text AS query_start,
              (extract(epoch FROM clock_timestamp() - a.query_start) * 1000)::float8 AS waited_ms, pg_blocking_pids(a.pid) AS blockers,
              (SELECT left(r.query, 2000) FROM pg_stat_activity r WHERE r.pid = $1) AS runner_query
         FROM pg_stat_activity a
        WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()`,
      [runnerPid],
    );
    const at = nowMs();
    const held = await this.client.query<{ relation: number; mode: string }>(
      `SELECT relation::int AS relation, mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND granted AND relation IS NOT NULL`,
      [runnerPid],
    );
    this.samples++;
    for (const row of held.rows) this.runnerLocks.push({ atMs: at, relation: row.relation, mode: documentedMode(row.mode) });
    for (const row of waiting.rows) {
      // one wait = one pid waiting in one statement
      const key = `${row.pid}@${row.query_start}`;
      const existing = this.waits.get(key);
      const blockers = row.blockers ?? [];
      if (existing) {
        existing.lastSeenMs = at;
        existing.waitedMs = Math.max(existing.waitedMs, Number(row.waited_ms));
        for (const b of blockers) if (!existing.blockedBy.includes(b)) existing.blockedBy.push(b);
        if (blockers.includes(runnerPid)) {
          existing.blockedByPlan = true;
          existing.runnerQuery ??= row.runner_query;
        }
        continue;
      }
      this.waits.set(key, {
        pid: row.pid,
        role: row.pid === runnerPid ? 'plan' : workloadPids.includes(row.pid) ? 'workload' : 'other',
        applicationName: row.application_name,
        waitEvent: row.wait_event,
        query: row.query,
        firstSeenMs: at,
        lastSeenMs: at,
        waitedMs: Number(row.waited_ms),
        blockedBy: [...blockers],
        blockedByPlan: blockers.includes(runnerPid),
        runnerQuery: blockers.includes(runnerPid) ? row.runner_query : null,
      });
    }
  }
}

/** How long a wait lasted as far as the samples tell: the server's account of the statement's run time, or the span it was seen for. */
export function lockWaitMs(wait: LockWait): number {
  return Math.max(wait.waitedMs, wait.lastSeenMs - wait.firstSeenMs);
}
