import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Plan } from '@liveshift/core';
import { sqlState } from './errors.js';

/**
 * Progress of a plan, kept in the target database itself so that any runner (the CLI, a
 * framework's migration file, another machine) sees the same state, and so a backfill's cursor
 * commits in the same transaction as the batch it describes.
 */

export const STATE_SCHEMA = 'liveshift';

export type StepStatus = 'running' | 'done' | 'rolled_back';

/** Where a keyset backfill stands: the last key it finished, and what it has covered so far. */
export interface BackfillCursor {
  /** Key of the last row of the last committed batch (as text), or null before the first batch. */
  after: string[] | null;
  rowsScanned: number;
  rowsUpdated: number;
  batches: number;
}

export interface StepState {
  step: number;
  status: StepStatus;
  cursor: BackfillCursor | null;
  /** The largest key when the backfill started ([] for an empty table), or null if not captured yet. */
  upperKey: string[] | null;
  updatedAt: Date;
}

type Queryable = Pick<pg.Client, 'query'>;

/** A stable id for a plan: the first 16 hex chars of sha256 over its JSON. */
export function planId(plan: Plan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
}

export async function ensureStateTable(client: Queryable): Promise<void> {
  try {
    await createStateTable(client);
  } catch (error) {
    // two runners creating it at the same instant: IF NOT EXISTS is not atomic, the loser sees a
    // duplicate; the objects exist now
    if (!['23505', '42P06', '42P07'].includes(sqlState(error) ?? '')) throw error;
  }
}

/** The state table's DDL: run by ensureStateTable, and written as is into emitted migration files (Prisma folders). */
export const STATE_TABLE_DDL: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${STATE_SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.step_state (
  plan_id text NOT NULL,
  step int NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'done', 'rolled_back')),
  cursor jsonb,
  upper_key jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_id, step)
)`,
];

async function createStateTable(client: Queryable): Promise<void> {
  for (const statement of STATE_TABLE_DDL) await client.query(statement);
}

export async function readStepStates(client: Queryable, id: string): Promise<Map<number, StepState>> {
  const { rows } = await client.query(
    `SELECT step, status, cursor, upper_key, updated_at FROM ${STATE_SCHEMA}.step_state WHERE plan_id = $1 ORDER BY step`,
    [id],
  );
  return new Map(
    rows.map((row) => [
      row.step as number,
      {
        step: row.step,
        status: row.status,
        cursor: row.cursor,
        upperKey: row.upper_key,
        updatedAt: row.updated_at,
      } satisfies StepState,
    ]),
  );
}

/**
 * Records that a step has started. A fresh start clears any cursor left by a run that was rolled
 * back; resuming an interrupted run keeps it.
 */
export async function markStepRunning(client: Queryable, id: string, step: number, fresh: boolean): Promise<void> {
  await client.query(
    `INSERT INTO ${STATE_SCHEMA}.step_state (plan_id, step, status, cursor, upper_key, updated_at)
     VALUES ($1, $2, 'running', NULL, NULL, now())
     ON CONFLICT (plan_id, step) DO UPDATE SET status = 'running', updated_at = now(),
       cursor = CASE WHEN $3 THEN NULL ELSE ${STATE_SCHEMA}.step_state.cursor END,
       upper_key = CASE WHEN $3 THEN NULL ELSE ${STATE_SCHEMA}.step_state.upper_key END`,
    [id, step, fresh],
  );
}

export async function markStepDone(client: Queryable, id: string, step: number): Promise<void> {
  await setStatus(client, id, step, 'done');
}

export async function markStepRolledBack(client: Queryable, id: string, step: number): Promise<void> {
  await setStatus(client, id, step, 'rolled_back');
}

async function setStatus(client: Queryable, id: string, step: number, status: StepStatus): Promise<void> {
  await client.query(
    `INSERT INTO ${STATE_SCHEMA}.step_state (plan_id, step, status, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (plan_id, step) DO UPDATE SET status = EXCLUDED.status, updated_at = now()`,
    [id, step, status],
  );
}

/** Called inside a batch's transaction, so the cursor moves if and only if the batch commits. */
export async function saveBackfillCursor(client: Queryable, id: string, step: number, cursor: BackfillCursor): Promise<void> {
  await client.query(
    `UPDATE ${STATE_SCHEMA}.step_state SET cursor = $3::jsonb, updated_at = now() WHERE plan_id = $1 AND step = $2`,
    [id, step, JSON.stringify(cursor)],
  );
}

export async function saveBackfillUpperKey(client: Queryable, id: string, step: number, upperKey: string[]): Promise<void> {
  await client.query(
    `UPDATE ${STATE_SCHEMA}.step_state SET upper_key = $3::jsonb, updated_at = now() WHERE plan_id = $1 AND step = $2`,
    [id, step, JSON.stringify(upperKey)],
  );
}
