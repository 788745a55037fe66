import { randomInt } from 'node:crypto';
import pg from 'pg';
import { qualify, quoteIdent } from '@liveshift/core';
import { nowMs } from '../measure/clock.js';
import type { QueryKind, QueryRecord } from '../measure/records.js';
import type { ApplicationRelease, ColumnUse, TableApplication } from './application.js';
import { parameterValue } from './column-values.js';

/**
 * The synthetic application: `connections` sessions, each in a loop of point reads by primary
 * key, updates and inserts, written as the currently deployed release writes them. Every query
 * is recorded with its start time, latency and outcome.
 */

export interface WorkloadOptions {
  url: string;
  /** The application's releases (see applicationFromPlan / applicationFromSnapshot). */
  releases: readonly ApplicationRelease[];
  /** The release live at the start; the first of `releases` by default. */
  initialRelease?: string;
  /** Sessions running queries concurrently. Default 4. */
  connections?: number;
  /** Pause between two queries of one session, ms. Default 2. */
  pauseMs?: number;
  /** statement_timeout of the workload's sessions, ms: a query waiting longer fails, as it would in the application. Default 10000. */
  queryTimeoutMs?: number;
  /** Mix of query kinds each session cycles through. Default read, update, read, insert. */
  cycle?: readonly QueryKind[];
  /** application_name of the sessions (pg_stat_activity). Default "liveshift-verify-workload". */
  applicationName?: string;
}

export interface WorkloadHandle {
  /** The release now running. */
  readonly release: string;
  /** Backend pids of the workload's sessions (to tell them apart in pg_stat_activity). */
  readonly pids: readonly number[];
  /**
   * Rolls out `release`: new queries use it; resolves once every query of the previous release
   * has finished, the point at which the operator would confirm the deploy.
   */
  deploy(release: string): Promise<void>;
  /** The records so far (a copy). */
  records(): QueryRecord[];
  /** Stops every session after its current query and returns all records. Safe to call twice. */
  stop(): Promise<QueryRecord[]>;
}

const DEFAULT_CYCLE: readonly QueryKind[] = ['read', 'update', 'read', 'insert'];

interface Session {
  client: pg.Client;
  index: number;
  current: Promise<void> | null;
}

/** Keys of existing rows, and values of foreign-key and CHECK-constrained columns, the queries pick from. */
interface TableSample {
  keys: unknown[][];
  foreignValues: Map<string, unknown[]>;
}

export async function startWorkload(options: WorkloadOptions): Promise<WorkloadHandle> {
  const releases = new Map(options.releases.map((r) => [r.release, r]));
  let release = releases.get(options.initialRelease ?? options.releases[0]?.release ?? '');
  if (!release) throw new Error(`startWorkload: unknown initial release ${options.initialRelease ?? '(none given)'}`);
  const connections = options.connections ?? 4;
  const pauseMs = options.pauseMs ?? 2;
  const cycle = options.cycle?.length ? options.cycle : DEFAULT_CYCLE;
  const records: QueryRecord[] = [];
  const sessions: Session[] = [];
  let running = true;
  // far above the row numbers the scratch seeding used, so synthesised keys and unique values do not collide
  let counter = 1_000_000_000 + randomInt(0, 100_000_000);

  try {
    for (let index = 0; index < connections; index++) {
      const client = new pg.Client({ connectionString: options.url, application_name: options.applicationName ?? 'liveshift-verify-workload' });
      client.on('error', () => {});
      await client.connect();
      await client.query(`SET statement_timeout = ${Math.max(0, Math.floor(options.queryTimeoutMs ?? 10_000))}`);
      sessions.push({ client, index, current: null });
    }
  } catch (error) {
    await Promise.all(sessions.map((s) => s.client.end().catch(() => {})));
    throw error;
  }
  const pids = sessions.map((s) => (s.client as unknown as { processID: number }).processID);
  const samples = new Map<string, TableSample>();
  const sampleOf = async (table: TableApplication): Promise<TableSample> => {
    let sample = samples.get(table.table);
    if (!sample) {
      sample = await sampleTable(sessions[0]!.client, table);
      samples.set(table.table, sample);
    }
    return sample;
  };
  // sample every table of every release up front, so the first queries are not slowed by it
  for (const r of options.releases) for (const t of r.tables) await sampleOf(t).catch(() => undefined);

  const runOne = async (session: Session, kind: QueryKind, table: TableApplication, releaseName: string): Promise<void> => {
    const startedAtMs = nowMs();
    const base = { startedAtMs, kind, table: table.table, release: releaseName, connection: session.index };
    let sample: TableSample;
    try {
      sample = await sampleOf(table);
    } catch (error) {
      // e.g. a table the release expects is not there: the application's query would fail the same way
      records.push({ ...base, latencyMs: nowMs() - startedAtMs, ok: false, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    const n = ++counter;
    const query = buildQuery(kind, table, sample, n);
    if (!query) {
      records.push({ ...base, latencyMs: 0, ok: false, error: `no ${kind} possible on ${table.table}: the table has no rows to address` });
      return;
    }
    base.startedAtMs = nowMs();
    try {
      await session.client.query(query.text, query.values);
      records.push({ ...base, latencyMs: nowMs() - base.startedAtMs, ok: true });
    } catch (error) {
      records.push({ ...base, latencyMs: nowMs() - base.startedAtMs, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  };

  const loop = async (session: Session) => {
    let step = session.index;
    while (running) {
      const current = release!;
      if (current.tables.length === 0) {
        await sleep(20);
        continue;
      }
      const kind = cycle[step % cycle.length]!;
      const table = current.tables[Math.floor(step / cycle.length) % current.tables.length]!;
      step++;
      session.current = runOne(session, kind, table, current.release);
      await session.current;
      session.current = null;
      if (pauseMs > 0) await sleep(pauseMs);
    }
  };
  const loops = sessions.map((s) => loop(s));

  let stopped: Promise<QueryRecord[]> | undefined;
  return {
    get release() {
      return release!.release;
    },
    pids,
    async deploy(name: string) {
      const next = releases.get(name);
      if (!next) throw new Error(`the workload has no release ${name} (it has ${[...releases.keys()].join(', ')})`);
      release = next;
      await Promise.all(sessions.map((s) => s.current));
    },
    records: () => [...records],
    stop() {
      stopped ??= (async () => {
        running = false;
        await Promise.all(loops);
        await Promise.all(sessions.map((s) => s.client.end().catch(() => {})));
        return [...records].sort((a, b) => a.startedAtMs - b.startedAtMs);
      })();
      return stopped;
    },
  };
}

async function sampleTable(client: pg.Client, table: TableApplication): Promise<TableSample> {
  const target = qualify(table.ref);
  const keyList = table.key.map((k) => quoteIdent(k.name)).join(', ');
  const keys = await client.query({ text: `SELECT ${keyList} FROM ${target} ORDER BY random() LIMIT 2000`, rowMode: 'array' });
  const foreignValues = new Map<string, unknown[]>();
  const reused = [...table.inserts, ...table.updates].filter((c) => (c.foreignKey || c.checked) && !foreignValues.has(c.name));
  for (const column of reused) {
    try {
      // as text, cast back to the column type like every other parameter
      const { rows } = await client.query({ text: `SELECT DISTINCT ${quoteIdent(column.name)}::text FROM ${target} WHERE ${quoteIdent(column.name)} IS NOT NULL LIMIT 200`, rowMode: 'array' });
      foreignValues.set(column.name, rows.map((r: unknown[]) => r[0]));
    } catch {
      // a column the plan adds later has no values yet: it gets synthesised ones
    }
  }
  return { keys: keys.rows as unknown[][], foreignValues };
}

/** Foreign keys must point at existing rows; checked columns must pass their CHECK (unique ones cannot repeat a value). */
function reusesValues(column: ColumnUse): boolean {
  return column.foreignKey || (column.checked && !column.unique);
}

function valueFor(column: ColumnUse, n: number, sample: TableSample): unknown {
  // keys and unique columns need values no row has yet: the counter itself (far above seeded ones)
  if (column.unique && column.family === 'integer') return String(n);
  const existing = sample.foreignValues.get(column.name) ?? [];
  if (reusesValues(column)) {
    if (existing.length) return existing[n % existing.length];
    if (column.foreignKey) return null;
  }
  // unique and checked text: an existing value behind a unique prefix passes most format checks (an e-mail stays an e-mail)
  if (column.checked && column.unique && column.family === 'text' && existing.length) return `v${n}.${String(existing[n % existing.length])}`;
  return parameterValue(column.family, n, column.labels);
}

function buildQuery(kind: QueryKind, table: TableApplication, sample: TableSample, n: number): { text: string; values: unknown[] } | undefined {
  const target = qualify(table.ref);
  const pick = () => sample.keys[n % Math.max(1, sample.keys.length)];
  const keyFilter = (offset: number) => table.key.map((k, i) => `${quoteIdent(k.name)} = $${offset + i + 1}`).join(' AND ');
  switch (kind) {
    case 'read': {
      const key = pick();
      if (!key) return undefined;
      return { text: `SELECT ${table.reads.map(quoteIdent).join(', ')} FROM ${target} WHERE ${keyFilter(0)}`, values: key };
    }
    case 'update': {
      const key = pick();
      if (!key) return undefined;
      if (table.updates.length === 0) {
        // nothing but the key to write: still take the row lock an update takes
        return { text: `UPDATE ${target} SET ${quoteIdent(table.key[0]!.name)} = ${quoteIdent(table.key[0]!.name)} WHERE ${keyFilter(0)}`, values: key };
      }
      const set = table.updates.map((c, i) => `${quoteIdent(c.name)} = $${i + 1}::${c.type}`).join(', ');
      return { text: `UPDATE ${target} SET ${set} WHERE ${keyFilter(table.updates.length)}`, values: [...table.updates.map((c) => valueFor(c, n, sample)), ...key] };
    }
    case 'insert': {
      if (table.inserts.length === 0) return { text: `INSERT INTO ${target} DEFAULT VALUES`, values: [] };
      const columns = table.inserts.map((c) => quoteIdent(c.name)).join(', ');
      const params = table.inserts.map((c, i) => `$${i + 1}::${c.type}`).join(', ');
      return { text: `INSERT INTO ${target} (${columns}) VALUES (${params})`, values: table.inserts.map((c) => valueFor(c, n, sample)) };
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
