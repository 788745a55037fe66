import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import type { Plan, Step } from '../../plan/types.js';
import { sqliteStepStatementProblems } from './invariants.js';
import { sqliteSnapshot } from './fixtures.test-support.js';

async function rebuildPlan(): Promise<{ plan: Plan; step: Step }> {
  const plan = await planChange({ sql: 'ALTER TABLE orders ADD CHECK (qty > 0)' }, sqliteSnapshot(3045001));
  return { plan, step: plan.steps[1]! };
}

describe('SQLite step invariants', () => {
  it('a planned rebuild passes', async () => {
    const { plan, step } = await rebuildPlan();
    expect(sqliteStepStatementProblems(step, plan, 'step 2')).toEqual([]);
  });

  it('the rebuild marked transactional: its BEGIN/COMMIT and PRAGMA foreign_keys are flagged', async () => {
    const { plan, step } = await rebuildPlan();
    const problems = sqliteStepStatementProblems({ ...step, transactional: true }, plan, 'step 2');
    expect(problems.join('\n')).toMatch(/PRAGMA foreign_keys = OFF" controls the transaction/);
    expect(problems.join('\n')).toMatch(/"BEGIN IMMEDIATE" controls the transaction/);
  });

  it('foreign keys off without PRAGMA foreign_key_check before COMMIT is flagged', async () => {
    const { plan, step } = await rebuildPlan();
    const problems = sqliteStepStatementProblems({ ...step, sql: step.sql.filter((s) => s !== 'PRAGMA foreign_key_check') }, plan, 'step 2');
    expect(problems).toEqual([expect.stringMatching(/foreign_key_check does not run before COMMIT/)]);
  });

  it('DROP COLUMN planned for 3.34 is flagged as needing 3.35.0', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users DROP COLUMN email' }, sqliteSnapshot(3045001));
    const old = { ...plan, engine: { ...plan.engine, version: '3.34.1', versionNum: 3034001 } };
    expect(sqliteStepStatementProblems(plan.steps[1]!, old, 'step 2')).toEqual([expect.stringMatching(/DROP COLUMN.*needs SQLite 3\.35\.0, target is 3\.34\.1/)]);
  });

  it('a write step without a busy_timeout budget is flagged', async () => {
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN nickname text' }, sqliteSnapshot(3045001));
    expect(sqliteStepStatementProblems({ ...plan.steps[0]!, timeouts: null }, plan, 'step 1')).toEqual([expect.stringMatching(/busy_timeout budget/)]);
  });

  it('versions before 3.25 are refused; newer than checked is a warning', async () => {
    await expect(planChange({ sql: 'ALTER TABLE users ADD COLUMN x text' }, sqliteSnapshot(3024000))).rejects.toThrow(/SQLite 3\.24\.0 is not supported: liveshift plans for SQLite 3\.25\.0 and later/);
    const plan = await planChange({ sql: 'ALTER TABLE users ADD COLUMN x text' }, sqliteSnapshot(3060000));
    expect(plan.warnings).toEqual([expect.stringMatching(/newer than the versions/)]);
  });
});
