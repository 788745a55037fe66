import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** A fresh SQLite file in its own temp directory; `cleanup` removes the directory. */
export function scratchDatabase(setup: string, journal: 'wal' | 'delete' = 'wal'): { path: string; url: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'liveshift-sqlite-'));
  const path = join(dir, 'app.db');
  const db = new Database(path);
  db.pragma(`journal_mode = ${journal}`);
  db.exec(setup);
  db.close();
  return { path, url: `sqlite:${path}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every row of a table, by rowid, as JSON: equal before and after a change that must keep the data. */
export function tableRows(path: string, sql: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return JSON.stringify(db.prepare(sql).all());
  } finally {
    db.close();
  }
}

export interface WorkloadStatements {
  /** Run with one parameter: a key from 1 to `keys`. */
  reads: string[];
  /** Every `?` gets the same key. */
  writes: string[];
  keys: number;
}

export interface Workload {
  reads(): number;
  writes(): number;
  failures(): number;
  /** The application moves to another release: other statements from now on (resolves once the worker runs them). */
  release(statements: WorkloadStatements): Promise<void>;
  /** Stops the worker; resolves with the first failures' messages. */
  stop(): Promise<string[]>;
}

/**
 * The application's traffic on a second connection (its own thread), with a generous busy_timeout
 * as an application would set; resolves once it is reading and writing.
 */
export async function startWorkload(path: string, statements: WorkloadStatements, busyTimeoutMs = 10_000): Promise<Workload> {
  const buffer = new SharedArrayBuffer(16);
  const counters = new Int32Array(buffer);
  const worker = new Worker(new URL('./workload-worker.mjs', import.meta.url), { workerData: { path, busyTimeoutMs, counters: buffer, statements } });
  let released: (() => void) | undefined;
  const done = new Promise<string[]>((resolve, reject) => {
    worker.on('message', (m: { type: string; failures: string[] }) => {
      if (m.type === 'done') resolve(m.failures);
      if (m.type === 'released') released?.();
    });
    worker.on('error', reject);
  });
  const started = Date.now();
  while ((statements.reads.length > 0 && Atomics.load(counters, 0) < 20) || (statements.writes.length > 0 && Atomics.load(counters, 1) < 2)) {
    if (Date.now() - started > 10_000) throw new Error('the workload did not start within 10 s');
    await sleep(10);
  }
  return {
    reads: () => Atomics.load(counters, 0),
    writes: () => Atomics.load(counters, 1),
    failures: () => Atomics.load(counters, 2),
    release: (next) =>
      new Promise<void>((resolve) => {
        released = resolve;
        worker.postMessage({ type: 'release', statements: next });
      }),
    async stop() {
      Atomics.store(counters, 3, 1);
      const failures = await done;
      await worker.terminate();
      return failures;
    },
  };
}

/** Another connection holding the write lock for `holdMs` (then it commits); resolves once it holds it. */
export async function holdWriteLock(path: string, sql: string, holdMs: number): Promise<{ committed: Promise<number> }> {
  const worker = new Worker(new URL('./blocker-worker.mjs', import.meta.url), { workerData: { path, sql, holdMs } });
  let committed!: (at: number) => void;
  const committedAt = new Promise<number>((resolve) => (committed = resolve));
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { type: string; at?: number }) => {
      if (m.type === 'holding') resolve();
      if (m.type === 'committed') committed(m.at!);
    });
    worker.on('error', reject);
  });
  return { committed: committedAt.finally(() => worker.terminate()) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
