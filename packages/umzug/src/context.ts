import type pg from 'pg';
import { EXIT_BAD_INPUT, LiveshiftError, connect } from '@liveshift/runtime';

/**
 * The Umzug context liveshift's migrations run with: a connected `pg` client, passed as the
 * context itself (`context: client`, as in Umzug's raw-SQL examples) or as `{ client }` (for a
 * context that carries more). One client is one session, so the runtime's own transactions, SET
 * and CREATE INDEX CONCURRENTLY behave as they do under `liveshift apply`.
 */
export type UmzugContext = pg.ClientBase | { client: pg.ClientBase };

/** The pg client in a context, or a clear error when the migrator passes something else. */
export function clientOf(context: unknown): pg.ClientBase {
  if (isClient(context)) return context;
  const inner = typeof context === 'object' && context !== null ? (context as { client?: unknown }).client : undefined;
  if (isClient(inner)) return inner;
  throw new LiveshiftError(
    'liveshift migrations need a connected pg client as the Umzug context (context: client, or context: { client }); ' +
      `this migrator passes ${describe(context)}. See the migrate file liveshift umzug make writes.`,
    EXIT_BAD_INPUT,
  );
}

function isClient(value: unknown): value is pg.ClientBase {
  return typeof value === 'object' && value !== null && typeof (value as { query?: unknown }).query === 'function' && !('totalCount' in value);
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'totalCount' in value) return 'a pg Pool (liveshift needs one session: pass await pool.connect())';
  if (typeof value === 'object' && value !== null) return `an object with keys ${JSON.stringify(Object.keys(value))}`;
  return String(value);
}

/**
 * The migrator's context factory: a pg client connected to `url` (DATABASE_URL by default), one per
 * Umzug command; the migrator closes it in `afterCommand`. The password is never printed.
 */
export async function connectDatabase(url: string | undefined = process.env.DATABASE_URL): Promise<pg.Client> {
  if (!url?.trim()) {
    throw new LiveshiftError(
      'DATABASE_URL is not set: the migrator connects to the PostgreSQL database it names, e.g. DATABASE_URL=postgres://app@localhost:5432/app node migrate up',
      EXIT_BAD_INPUT,
    );
  }
  return connect(url);
}
