import { describe, expect, it } from 'vitest';
import { planChange } from '../planner.js';
import { planViolations } from './invariants.js';
import { loadParser } from '../input/pg-parser.js';
import { snapshotOf } from '../intents/fixtures.test-support.js';
import type { Plan } from './types.js';

const options = { smallTableBytes: 8 * 1024 * 1024 };

async function renamePlan(): Promise<Plan> {
  await loadParser();
  return planChange({ sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name' }, snapshotOf(180004), { sync: 'trigger' });
}

describe('plan invariants', () => {
  it('a planned plan has none', async () => {
    expect(planViolations(await renamePlan(), options)).toEqual([]);
  });

  it('non_transactional_statement_in_transactional_step', async () => {
    const plan = await renamePlan();
    plan.steps[0]!.sql = ['CREATE INDEX CONCURRENTLY i ON public.users (email)'];
    expect(planViolations(plan, options).join('\n')).toMatch(/step 1 .*cannot run in a transaction/);
  });

  it('two_lock_taking_statements_in_one_step (function DDL does not count)', async () => {
    const plan = await renamePlan();
    expect(plan.steps[1]!.sql).toHaveLength(2); // CREATE FUNCTION + CREATE TRIGGER is fine
    plan.steps[0]!.sql.push('ALTER TABLE public.users ADD COLUMN other int');
    expect(planViolations(plan, options).join('\n')).toMatch(/step 1 .*2 lock-taking DDL statements/);
  });

  it('strong_lock_during_scan_of_a_large_table', async () => {
    const plan = await renamePlan();
    plan.steps[0]!.lock = { ...plan.steps[0]!.lock, duration: 'scan' };
    expect(planViolations(plan, options).join('\n')).toMatch(/holds ACCESS EXCLUSIVE \(blocks writes\) during a scan of public.users/);
  });

  it('step_needing_a_newer_server', async () => {
    const plan = await renamePlan();
    plan.steps[0]!.sql = ['ALTER TABLE public.users DETACH PARTITION public.p CONCURRENTLY'];
    plan.steps[0]!.transactional = false;
    plan.engine = { ...plan.engine, versionNum: 120022, version: '12.22' };
    expect(planViolations(plan, options).join('\n')).toMatch(/needs server_version_num 140000/);
  });

  it('irreversible_step_without_what_is_lost, and a point of no return that is not the first irreversible step', async () => {
    const plan = await renamePlan();
    plan.steps[0]!.rollback = { kind: 'irreversible', reason: 'x', dataLost: '' };
    const problems = planViolations(plan, options).join('\n');
    expect(problems).toMatch(/must say why and what data is lost/);
    expect(problems).toMatch(/point of no return must be the first irreversible step/);
  });

  it('lock_taking_ddl_without_timeouts and app steps with SQL', async () => {
    const plan = await renamePlan();
    plan.steps[0]!.timeouts = null;
    const app = plan.steps.find((s) => s.kind === 'app')!;
    app.sql = ['SELECT 1'];
    const problems = planViolations(plan, options).join('\n');
    expect(problems).toMatch(/step 1 .*without a lock wait budget/);
    expect(problems).toMatch(/an application step carries no SQL/);
  });
});
