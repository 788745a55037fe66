import { performance } from 'node:perf_hooks';
import pg from 'pg';

/**
 * The application the benchmark keeps running while a schema change happens: a few connections,
 * each in a loop running the next query the current application version asks for, one at a time,
 * recording when each query started, how long it took and whether it failed.
 *
 * The runner only depends on this small contract (start → switch queries → stop → records), so
 * another workload implementation can stand in for this one.
 */

export type QueryKind = 'read' | 'update' | 'insert';

/** One application query, built fresh each time (ids and values vary). */
export interface ApplicationQuery {
  kind: QueryKind;
  text: string;
  values: unknown[];
}

/** The application as deployed: which query to run next on connection `connection`. */
export type Application = (connection: number, sequence: number) => ApplicationQuery;

/** What the measurement needs from every query the workload ran. */
export interface QueryRecord {
  /** performance.now() when the query was sent. */
  startedAtMs: number;
  latencyMs: number;
  ok: boolean;
  kind: QueryKind;
  /** The server's message, for failed queries. */
  error?: string;
}

export interface RunningWorkload {
  /** A deploy: from now on every connection runs this application's queries. */
  deploy(application: Application): void;
  /** Stops after each connection's query in flight completes; returns every record, in completion order. */
  stop(): Promise<QueryRecord[]>;
}

export interface WorkloadOptions {
  url: string;
  application: Application;
  /** Concurrent application connections. Default 4. */
  connections?: number;
  /** Think time between two queries of one connection, ms. Default 5. */
  pauseMs?: number;
}

export async function startWorkload(options: WorkloadOptions): Promise<RunningWorkload> {
  const connections = options.connections ?? 4;
  const pauseMs = options.pauseMs ?? 5;
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < connections; i++) {
      const client = new pg.Client({ connectionString: options.url, application_name: 'liveshift-bench-workload' });
      // an error event on an idle client would otherwise crash the process; the query itself reports it
      client.on('error', () => {});
      await client.connect();
      clients.push(client);
    }
  } catch (error) {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    throw error;
  }

  let application = options.application;
  let running = true;
  const records: QueryRecord[] = [];

  const loop = async (client: pg.Client, connection: number) => {
    for (let sequence = 0; running; sequence++) {
      const query = application(connection, sequence);
      const startedAtMs = performance.now();
      try {
        await client.query(query.text, query.values);
        records.push({ startedAtMs, latencyMs: performance.now() - startedAtMs, ok: true, kind: query.kind });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        records.push({ startedAtMs, latencyMs: performance.now() - startedAtMs, ok: false, kind: query.kind, error: message });
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const loops = clients.map((client, i) => loop(client, i));

  let stopped: Promise<QueryRecord[]> | undefined;
  return {
    deploy(next) {
      application = next;
    },
    stop() {
      stopped ??= (async () => {
        running = false;
        await Promise.all(loops);
        await Promise.all(clients.map((c) => c.end().catch(() => {})));
        return records;
      })();
      return stopped;
    },
  };
}
