import type pg from 'pg';
import { EXIT_FAILED, LiveshiftError } from './errors.js';

/**
 * Two runners applying the same plan at once would run a step twice; a session-level advisory
 * lock keyed by the plan id makes the second one stop instead. It is released with the session,
 * so a killed runner never leaves it behind.
 */
export async function withPlanLock<T>(client: pg.ClientBase, planId: string, work: () => Promise<T>): Promise<T> {
  // 15 hex digits fit a positive bigint
  const key = BigInt(`0x${planId.slice(0, 15)}`).toString();
  const { rows } = await client.query('SELECT pg_try_advisory_lock($1::int8) AS locked', [key]);
  if (!rows[0]?.locked) {
    throw new LiveshiftError(
      `another liveshift run is applying plan ${planId} on this database right now; wait for it to finish`,
      EXIT_FAILED,
    );
  }
  try {
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::int8)', [key]).catch(() => {});
  }
}
