import pg from 'pg';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError, errorMessage } from './errors.js';

export type DatabaseEngine = 'postgres';

export interface DatabaseTarget {
  engine: DatabaseEngine;
  url: string;
}

const SUPPORTED_SCHEMES = 'postgres:// or postgresql://';

/** Schemes DESIGN §8 reserves for engines whose runtime is not written yet. */
const FUTURE_ENGINES: Record<string, string> = {
  'mysql:': 'MySQL',
  'mariadb:': 'MariaDB',
  'sqlite:': 'SQLite',
};

/** Validates a `--db` URL and says which engine it targets. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url.trim())?.[1]?.toLowerCase();
  if (scheme === 'postgres:' || scheme === 'postgresql:') {
    try {
      new URL(url);
    } catch {
      throw new LiveshiftError(`${redactUrl(url)} is not a valid PostgreSQL connection URL`, EXIT_BAD_INPUT);
    }
    return { engine: 'postgres', url };
  }
  const future = scheme ? FUTURE_ENGINES[scheme] : undefined;
  if (future) {
    throw new LiveshiftError(
      `${future} (${scheme}//) is not supported yet; the runtime currently connects to PostgreSQL only: use ${SUPPORTED_SCHEMES}`,
      EXIT_BAD_INPUT,
    );
  }
  throw new LiveshiftError(
    `unsupported database URL ${redactUrl(url)}: expected ${SUPPORTED_SCHEMES}`,
    EXIT_BAD_INPUT,
  );
}

/** The URL with any password replaced by `***`, safe to print or write to a file. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // not a URL we can parse: still hide anything that looks like user:password@ or password=
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@').replace(/(password=)[^&\s]*/gi, '$1***');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (key.toLowerCase() === 'password') parsed.searchParams.set(key, '***');
  }
  // URL serialisation percent-encodes the asterisks in the query; keep them readable
  return parsed.toString().replace(/%2A%2A%2A/g, '***');
}

/**
 * A connected pg.Client with application_name=liveshift, so the operator can see liveshift's
 * sessions in pg_stat_activity.
 */
export async function connect(url: string): Promise<pg.Client> {
  parseDatabaseUrl(url);
  const client = new pg.Client({ connectionString: url, application_name: 'liveshift' });
  // A backend terminated while idle emits 'error'; unhandled, it would crash the process.
  // The next query on the client fails with a clear error instead.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new LiveshiftError(`could not connect to ${redactUrl(url)}: ${errorMessage(error)}`, EXIT_FAILED, {
      cause: error,
    });
  }
  return client;
}
