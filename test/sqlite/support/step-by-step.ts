import { expect } from 'vitest';
import { applyToSnapshot, releaseIndex, type Plan, type Step } from '@liveshift/core';
import { applyPlan, introspectSqlite, rollbackPlanStep, type ApplyOptions, type EngineSession } from '@liveshift/runtime';
import type Database from 'better-sqlite3';
import { comparable } from '../../support/schema-compare.js';

/**
 * Runs a SQLite plan one step at a time as an operator would and checks what a user would: the
 * introspected schema equals applyToSnapshot's prediction after every step, and before the point of
 * no return every SQL rollback restores the previous schema (then the step is applied again).
 */
export async function runSqliteStepByStep(args: {
  session: EngineSession & { db: Database.Database };
  plan: Plan;
  /** Called before an application step runs: the test "deploys" that release. */
  onRelease?: (release: number) => void | Promise<void>;
  /** Called inside each write transaction of a step, the write lock held. */
  observe?: (step: Step, db: Database.Database) => Promise<void>;
}): Promise<{ rolledBack: number[] }> {
  const { session, plan } = args;
  const db = session.db;
  const quiet = { log: () => {}, onProgress: false as const };
  const rolledBack: number[] = [];
  for (const step of plan.steps) {
    const deployed = step.deploy;
    if (step.kind === 'app') {
      await args.onRelease?.(releaseIndex(step.deploy));
      const r = await applyPlan(session, plan, { step: step.n, deployed, ...quiet });
      expect(r.ran).toEqual([step.n]);
      continue;
    }
    const before = introspectSqlite(db);
    // the runner hands each engine's own connection to the observer: a better-sqlite3 Database here
    const observe = args.observe as unknown as ApplyOptions['observe'];
    const r = await applyPlan(session, plan, { step: step.n, deployed, ...quiet, observe });
    expect(r.ran, `step ${step.n} ran`).toEqual([step.n]);
    const expected = applyToSnapshot(before, step);
    expect(comparable(introspectSqlite(db)), `schema after step ${step.n} (${step.title})`).toEqual(comparable(expected));
    const beforePonr = !plan.pointOfNoReturn || step.n < plan.pointOfNoReturn.step;
    if (beforePonr && step.rollback.kind === 'sql') {
      const rb = await rollbackPlanStep(session, plan, step.n, { deployed, log: () => {} });
      expect(rb.rolledBack, `rollback of step ${step.n}`).toBe(true);
      expect(comparable(introspectSqlite(db)), `schema after rolling back step ${step.n}`).toEqual(comparable(before));
      await applyPlan(session, plan, { step: step.n, deployed, ...quiet });
      expect(comparable(introspectSqlite(db)), `schema after re-applying step ${step.n}`).toEqual(comparable(expected));
      rolledBack.push(step.n);
    }
  }
  return { rolledBack };
}
