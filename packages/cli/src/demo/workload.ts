import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { quoteIdent } from '@liveshift/core';
import type { AppVersion } from './app-versions.js';

/**
 * The application under the migration: a few connections in a loop doing point reads by id,
 * updates and inserts, each written the way the currently deployed release writes them.
 */

type QueryKind = 'read' | 'update' | 'insert';

export interface WorkloadStats {
  queries: number;
  byKind: Record<QueryKind, number>;
  failed: number;
  /** Distinct failure messages with their counts. */
  failures: Map<string, number>;
  longestMs: number;
  longestKind: QueryKind | null;
  latencies: number[];
}

function emptyStats(): WorkloadStats {
  return { queries: 0, byKind: { read: 0, update: 0, insert: 0 }, failed: 0, failures: new Map(), longestMs: 0, longestKind: null, latencies: [] };
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds'];
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

export class Workload {
  private version: AppVersion;
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private loops: Promise<void>[] = [];
  readonly total = emptyStats();
  private window = emptyStats();

  constructor(
    private readonly clients: { kind: QueryKind; client: pg.Client }[],
    private readonly table: string,
    private readonly maxId: number,
    initial: AppVersion,
    private readonly pauseMs = 2,
  ) {
    this.version = initial;
  }

  get deployed(): AppVersion {
    return this.version;
  }

  start(): void {
    this.running = true;
    this.loops = this.clients.map(({ kind, client }) => this.loop(kind, client));
  }

  /** Rolls out a release: new queries use it; returns once queries of the old release have drained. */
  async deploy(version: AppVersion): Promise<void> {
    this.version = version;
    await Promise.all([...this.inFlight]);
  }

  /** Stats since the last call (per plan step), then starts a new window. */
  takeWindow(): WorkloadStats {
    const w = this.window;
    this.window = emptyStats();
    return w;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(kind: QueryKind, client: pg.Client): Promise<void> {
    while (this.running) {
      const { text, values } = this.query(kind, this.version);
      const started = performance.now();
      const run = client.query(text, values).then(
        () => this.record(kind, performance.now() - started, null),
        (error: unknown) => this.record(kind, performance.now() - started, error),
      );
      this.inFlight.add(run);
      await run;
      this.inFlight.delete(run);
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  private query(kind: QueryKind, v: AppVersion): { text: string; values: unknown[] } {
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const id = 1 + Math.floor(Math.random() * this.maxId);
    switch (kind) {
      case 'read':
        return { text: `SELECT id, ${quoteIdent(v.reads)} AS name, email FROM ${this.table} WHERE id = $1`, values: [id] };
      case 'update': {
        const set = v.writes.map((c) => `${quoteIdent(c)} = $1`).join(', ');
        return { text: `UPDATE ${this.table} SET ${set} WHERE id = $2`, values: [name, id] };
      }
      case 'insert': {
        const cols = [...v.writes.map(quoteIdent), 'email'].join(', ');
        const params = v.writes.map(() => '$1').join(', ');
        return { text: `INSERT INTO ${this.table} (${cols}) VALUES (${params}, $2)`, values: [name, `demo-${randomUUID()}@example.com`] };
      }
    }
  }

  private record(kind: QueryKind, ms: number, error: unknown): void {
    for (const s of [this.total, this.window]) {
      s.queries++;
      s.byKind[kind]++;
      s.latencies.push(ms);
      if (ms > s.longestMs) {
        s.longestMs = ms;
        s.longestKind = kind;
      }
      if (error) {
        s.failed++;
        const message = `${kind}: ${error instanceof Error ? error.message : String(error)}`;
        s.failures.set(message, (s.failures.get(message) ?? 0) + 1);
      }
    }
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
