import type { EngineSession } from './engine-session.js';
import { connect, parseDatabaseUrl, type DatabaseEngine } from './connect.js';
import { postgresSession } from './postgres/session.js';

/** How each engine opens a session from a `--db` URL; the session owns (and closes) its connection. */
const OPENERS: Partial<Record<DatabaseEngine, (url: string) => Promise<EngineSession>>> = {
  postgres: async (url) => postgresSession(await connect(url), { owned: true }),
};

/**
 * Opens a session on the database a `--db` URL names (DESIGN §8: postgres://, mysql://,
 * mariadb://, sqlite:<path>). Bad or unsupported URLs are bad input (exit 2); an unreachable
 * server is a failure (exit 1); the password is never part of a message.
 */
export async function connectSession(url: string): Promise<EngineSession> {
  const target = parseDatabaseUrl(url);
  const open = OPENERS[target.engine];
  if (!open) throw new Error(`internal error: no session opener for ${target.engine}`);
  return open(url);
}
