import pg from 'pg';
import { expect } from 'vitest';

/** One application query: SQL and parameters, built fresh each time (ids vary). */
export interface WorkloadQuery {
  kind: 'read' | 'update' | 'insert';
  build: (randomId: () => number) => { text: string; values: unknown[] };
}

export interface WorkloadStats {
  queries: number;
  failures: { sql: string; error: string; release: number }[];
  maxLatencyMs: number;
  byKind: Record<string, number>;
}

/**
 * A small synthetic application: `clients` connections running point reads, updates and inserts
 * in a loop, as the application version for the current release would. The test switches the
 * release when the plan reaches an application step, like a deploy.
 */
export class Workload {
  private release = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly stats: WorkloadStats = { queries: 0, failures: [], maxLatencyMs: 0, byKind: {} };

  constructor(
    private readonly url: string,
    private readonly queriesFor: (release: number) => WorkloadQuery[],
    private readonly maxId: () => number,
    private readonly clients = 3,
    private readonly pauseMs = 3,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    for (let i = 0; i < this.clients; i++) {
      const client = new pg.Client({ connectionString: this.url, application_name: 'workload' });
      await client.connect();
      this.loops.push(this.loop(client, i));
    }
  }

  /** Deploy: from now on every client runs the given release's queries. */
  setRelease(release: number): void {
    this.release = release;
  }

  async stop(): Promise<WorkloadStats> {
    this.running = false;
    await Promise.all(this.loops);
    return this.stats;
  }

  private async loop(client: pg.Client, seed: number): Promise<void> {
    let n = seed;
    const randomId = () => 1 + Math.floor(Math.random() * this.maxId());
    try {
      while (this.running) {
        const release = this.release;
        const queries = this.queriesFor(release);
        const q = queries[n++ % queries.length]!;
        const { text, values } = q.build(randomId);
        const started = performance.now();
        try {
          await client.query(text, values);
          this.stats.byKind[q.kind] = (this.stats.byKind[q.kind] ?? 0) + 1;
        } catch (e) {
          this.stats.failures.push({ sql: text, error: (e as Error).message, release });
        }
        this.stats.queries++;
        this.stats.maxLatencyMs = Math.max(this.stats.maxLatencyMs, performance.now() - started);
        await new Promise((r) => setTimeout(r, this.pauseMs));
      }
    } finally {
      await client.end();
    }
  }
}

/**
 * Stops the workload and asserts what a user checks: no application query failed and, when
 * `moreThan` is given, that it really ran more than that many queries.
 */
export async function stopExpectingNoFailures(workload: Workload, moreThan?: number): Promise<WorkloadStats> {
  const stats = await workload.stop();
  expect(stats.failures, JSON.stringify(stats.failures.slice(0, 3))).toEqual([]);
  if (moreThan !== undefined) expect(stats.queries).toBeGreaterThan(moreThan);
  return stats;
}
