import pg from 'pg';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError, errorMessage } from './errors.js';

/** The engine family a URL names; MySQL and MariaDB share one (the server says which it is). */
export type DatabaseEngine = 'postgres' | 'mysql' | 'sqlite';

export interface DatabaseTarget {
  engine: DatabaseEngine;
  url: string;
}

/** Engines whose runtime is written (each has an opener in connect-session.ts): their schemes are accepted. */
const RUNTIME_ENGINES = new Set<DatabaseEngine>(['postgres', 'mysql', 'sqlite']);

const SCHEMES: Record<string, { engine: DatabaseEngine; label: string; form: string }> = {
  'postgres:': { engine: 'postgres', label: 'PostgreSQL', form: 'postgres://user@host:5432/db' },
  'postgresql:': { engine: 'postgres', label: 'PostgreSQL', form: 'postgresql://user@host:5432/db' },
  'mysql:': { engine: 'mysql', label: 'MySQL', form: 'mysql://user@host:3306/db' },
  'mariadb:': { engine: 'mysql', label: 'MariaDB', form: 'mariadb://user@host:3306/db' },
  'sqlite:': { engine: 'sqlite', label: 'SQLite', form: 'sqlite:path/to/file.db' },
};

/** "postgres:// or postgresql://" — the schemes of the engines the runtime can run. */
function supportedSchemes(): string {
  const schemes = Object.entries(SCHEMES)
    .filter(([, s]) => RUNTIME_ENGINES.has(s.engine))
    .map(([scheme, s]) => (s.engine === 'sqlite' ? scheme : `${scheme}//`));
  return schemes.length > 1 ? `${schemes.slice(0, -1).join(', ')} or ${schemes[schemes.length - 1]}` : schemes[0]!;
}

/** Validates a `--db` URL and says which engine it targets. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url.trim())?.[1]?.toLowerCase();
  const known = scheme ? SCHEMES[scheme] : undefined;
  if (!known) {
    throw new LiveshiftError(`unsupported database URL ${redactUrl(url)}: expected ${supportedSchemes()}`, EXIT_BAD_INPUT);
  }
  if (!RUNTIME_ENGINES.has(known.engine)) {
    throw new LiveshiftError(
      `${known.label} (${scheme}//) is not supported yet; the runtime connects to ${supportedSchemes()}`,
      EXIT_BAD_INPUT,
    );
  }
  if (known.engine !== 'sqlite') {
    try {
      new URL(url);
    } catch {
      throw new LiveshiftError(`${redactUrl(url)} is not a valid ${known.label} connection URL (expected ${known.form})`, EXIT_BAD_INPUT);
    }
  } else if (!url.trim().slice(scheme!.length)) {
    throw new LiveshiftError(`${url} names no SQLite file (expected ${known.form})`, EXIT_BAD_INPUT);
  }
  return { engine: known.engine, url };
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
  const target = parseDatabaseUrl(url);
  if (target.engine !== 'postgres') {
    throw new LiveshiftError(`connect() opens PostgreSQL connections; ${redactUrl(url)} is ${target.engine}: use connectSession()`, EXIT_BAD_INPUT);
  }
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
