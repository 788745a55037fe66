import { expect } from 'vitest';
import { planChange, type PgLockMode, type Plan, type PlanInput, type PlanOptions, type Step } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import type { TestDatabase } from './postgres.js';
import { SEED_ROWS } from './seed.js';
import { runStepByStep, type StepReport } from './step-by-step.js';
import { Workload, type WorkloadQuery } from './workload.js';

/** Options that force the full online recipe on a test-sized table, with room for lock observation. */
export const LARGE_TABLE_OPTIONS: PlanOptions = { smallTableBytes: 0, batchSize: 3000, pauseMs: 0, lockTimeoutMs: 5000 };

/** The default application: point reads, updates of email, inserts — none touching the changed column. */
export const plainApplication: WorkloadQuery[] = [
  { kind: 'read', build: (id) => ({ text: 'SELECT * FROM users WHERE id = $1', values: [id()] }) },
  { kind: 'update', build: (id) => ({ text: 'UPDATE users SET email = email WHERE id = $1', values: [id()] }) },
  { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name, email) VALUES ('newcomer', 'new@example.com')`, values: [] }) },
];

/** The application of a shop: reads and inserts orders for existing users, touches users. */
export const ordersApplication: WorkloadQuery[] = [
  { kind: 'read', build: (id) => ({ text: 'SELECT * FROM orders WHERE user_id = $1', values: [id()] }) },
  { kind: 'insert', build: (id) => ({ text: 'INSERT INTO orders (user_id, total) VALUES ($1, 1)', values: [id()] }) },
  { kind: 'update', build: (id) => ({ text: 'UPDATE users SET email = email WHERE id = $1', values: [id()] }) },
];

/**
 * Plans `input` against the live database, then runs the plan step by step while the
 * application workload runs, and asserts no workload query failed.
 */
/** Like plainApplication, but every inserted email is new (for unique indexes on email). */
export const uniqueEmailApplication: WorkloadQuery[] = [
  plainApplication[0]!,
  plainApplication[1]!,
  { kind: 'insert', build: () => ({ text: `INSERT INTO users (full_name, email) VALUES ('newcomer', md5(random()::text) || '@example.com')`, values: [] }) },
];

export async function planAndRunUnderTraffic(
  db: TestDatabase,
  input: PlanInput,
  options: {
    plan?: PlanOptions;
    application?: (release: number) => WorkloadQuery[];
    blockingSql?: string;
    /** See runStepByStep: locks on tables a step's claim does not list. */
    locksBeyondClaim?: (step: Step) => Partial<Record<string, PgLockMode>>;
  } = {},
): Promise<{ plan: Plan; reports: StepReport[] }> {
  const client = await db.client();
  const plan = await planChange(input, await introspectPostgres(client), { ...LARGE_TABLE_OPTIONS, ...options.plan });
  const workload = new Workload(db.url, options.application ?? (() => plainApplication), () => SEED_ROWS);
  await workload.start();
  let reports: StepReport[];
  let stats;
  try {
    reports = await runStepByStep({
      url: db.url,
      plan,
      blockingSql: options.blockingSql ?? 'UPDATE users SET email = email WHERE id = 1',
      onRelease: (r) => workload.setRelease(r),
      locksBeyondClaim: options.locksBeyondClaim,
    });
  } finally {
    stats = await workload.stop();
  }
  expect(stats.failures, JSON.stringify(stats.failures.slice(0, 3))).toEqual([]);
  expect(stats.queries).toBeGreaterThan(20);
  return { plan, reports };
}
