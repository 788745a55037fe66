import type { PlanInput, PlanOptions } from '../planner.js';
import type { Intent } from './types.js';

/** The shape of an intent's catalog entry (`<intent>/catalog.ts`) and the tables its examples start from. */

export interface IntentExample {
  /** What the example shows, e.g. "a NOT NULL column filled by a backfill". */
  title: string;
  /** Statements that create and seed the tables on an empty database (see usersSetup). */
  setup: string[];
  change: PlanInput;
  /** Planning options; examples force the online recipe with smallTableBytes: 0 unless they show the small-table path. */
  options?: PlanOptions;
  /**
   * A statement a second session runs and holds while a step that runs outside a transaction
   * executes, so the step waits with its table lock held and the lock can be observed: an UPDATE
   * of one row the step must touch (e.g. a row whose value the backfill changes).
   */
  blockingSql: string;
  /** Oldest server (server_version_num) the example applies to; older ones refuse it. */
  minVersionNum?: number;
  /**
   * The application's queries while the plan runs, `$1` being a random id from 1 to EXAMPLE_ROWS;
   * the same at every step, so they must work before, during and after the change. Default:
   * DEFAULT_TRAFFIC (point reads and updates of users); [] for none.
   */
  traffic?: string[];
}

/** Point reads and no-op updates of users by id: valid through every change that keeps users and its id. */
export const DEFAULT_TRAFFIC = ['SELECT * FROM users WHERE id = $1', 'UPDATE users SET created_at = created_at WHERE id = $1'];

export interface IntentCatalogEntry {
  kind: Intent['kind'];
  /** "Add a foreign key" */
  title: string;
  /** What the plan does and why, in two or three sentences. */
  summary: string;
  /** Version-dependent behaviour, one sentence each, naming the versions. */
  versions: string[];
  examples: IntentExample[];
}

/** Rows the catalog examples seed: enough for real scans, fast on every major. */
export const EXAMPLE_ROWS = 20_000;

/** The users table every example starts from: every tenth email is NULL, full_name is nullable. */
export function usersSetup(options: { fullNameNotNull?: boolean } = {}): string[] {
  return [
    `CREATE TABLE users (
      id bigserial PRIMARY KEY,
      full_name text${options.fullNameNotNull ? ' NOT NULL' : ''},
      email text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `INSERT INTO users (full_name, email)
     SELECT 'user ' || g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'u' || g || '@example.com' END FROM generate_series(1, ${EXAMPLE_ROWS}) AS g`,
    'ANALYZE users',
  ];
}

/** An orders table referencing users (without the foreign key), indexed on user_id. */
export function ordersSetup(): string[] {
  return [
    `CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint, amount int NOT NULL DEFAULT 0)`,
    `INSERT INTO orders (user_id, amount) SELECT 1 + g % ${EXAMPLE_ROWS}, g % 100 FROM generate_series(1, ${EXAMPLE_ROWS}) AS g`,
    'CREATE INDEX orders_user_id_idx ON orders (user_id)',
    'ANALYZE orders',
  ];
}

/** Online recipes on example-sized tables (which are below the small-table threshold). */
export const ONLINE: PlanOptions = { smallTableBytes: 0, batchSize: 3000, pauseMs: 0, lockTimeoutMs: 5000 };

/** Blocks a step that must update or scan users, by holding a row lock on row 1 (or the given row). */
export function blockUsersRow(id = 1): string {
  return `UPDATE users SET email = email WHERE id = ${id}`;
}
