import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PlanningError } from '../errors.js';
import { parsePlanJson, planJsonSchema } from './schema.js';

const fixture = readFileSync(new URL('../render/testdata/rename-plan.json', import.meta.url), 'utf8');

/** The fixture with one edit applied, as plan-file text. */
function edited(edit: (plan: any) => void): string {
  const plan = JSON.parse(fixture);
  edit(plan);
  return JSON.stringify(plan);
}

function errorOf(text: string): PlanningError {
  try {
    parsePlanJson(text, 'plan.json');
  } catch (e) {
    expect(e).toBeInstanceOf(PlanningError);
    return e as PlanningError;
  }
  throw new Error('expected parsePlanJson to throw');
}

describe('parsePlanJson', () => {
  it('reads a valid plan', () => {
    const plan = parsePlanJson(fixture);
    expect(plan.steps).toHaveLength(6);
    expect(plan.pointOfNoReturn?.step).toBe(6);
  });

  it('names the field and the reason for a bad lock mode', () => {
    const e = errorOf(edited((p) => (p.steps[2].lock.mode = 'SUPER EXCLUSIVE')));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('plan.json is not a valid plan');
    expect(e.message).toMatch(/steps\[2\]\.lock\.mode: .*"ACCESS EXCLUSIVE"/);
  });

  it('names a missing rollback', () => {
    expect(errorOf(edited((p) => delete p.steps[0].rollback)).message).toContain('steps[0].rollback:');
  });

  it('reports the field inside the rollback variant that got furthest', () => {
    expect(errorOf(edited((p) => (p.steps[5].rollback.dataLost = ''))).message).toContain('steps[5].rollback.dataLost: must not be empty');
  });

  it('rejects unknown fields (typos in hand-edited plans)', () => {
    expect(errorOf(edited((p) => (p.steps[0].transactonal = true))).message).toMatch(/steps\[0\]: Unrecognized key: "transactonal"/);
  });

  it('rejects a bad intent inside the plan', () => {
    expect(errorOf(edited((p) => (p.intents[0].to = ''))).message).toContain('intents[0].to: must not be empty');
  });

  it('checks step numbering, releases and the point of no return', () => {
    expect(errorOf(edited((p) => (p.steps[1].n = 7))).message).toContain('steps[1].n: steps are numbered 1, 2, 3, ... in order; expected 2, found 7');
    expect(errorOf(edited((p) => (p.steps[0].deploy = 'A+9'))).message).toContain('steps[0].deploy: release A+9 is not listed in releases');
    expect(errorOf(edited((p) => (p.steps[0].deploy = 'B'))).message).toContain('steps[0].deploy: must be a release name');
    expect(errorOf(edited((p) => (p.pointOfNoReturn.step = 5))).message).toContain('pointOfNoReturn.step: step 5 is the point of no return but its rollback is "deploy"');
    expect(errorOf(edited((p) => (p.steps[1].sql = ['SELECT 1']))).message).toContain('steps[1].sql: an app step carries no SQL');
    expect(errorOf(edited((p) => (p.pointOfNoReturn = null))).message).toContain('pointOfNoReturn: step 6 is irreversible, so the plan has a point of no return');
    expect(
      errorOf(edited((p) => (p.steps[0].rollback = { kind: 'irreversible', reason: 'x', dataLost: 'y' }))).message,
    ).toContain('pointOfNoReturn.step: step 1 is irreversible already; the point of no return is the first irreversible step');
  });

  it('says plainly when the file is not JSON, not a plan, or from a newer liveshift', () => {
    expect(errorOf('{ nope').message).toMatch(/^plan\.json is not valid JSON: /);
    expect(errorOf('{"format":"liveshift.snapshot","version":1}').message).toBe('plan.json is not a liveshift plan: "format" is "liveshift.snapshot", expected "liveshift.plan"');
    expect(errorOf(edited((p) => (p.version = 2))).message).toContain('uses plan format version 2; this liveshift reads version 1');
  });
});

describe('planJsonSchema', () => {
  it('matches the committed docs/plan.schema.json (regenerate: pnpm build && node packages/core/scripts/write-plan-schema.mjs)', () => {
    const committed = readFileSync(new URL('../../../../docs/plan.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
  });

  it('describes the format, the version and the step fields', () => {
    const schema = planJsonSchema() as any;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties.format.const).toBe('liveshift.plan');
    expect(schema.properties.version.const).toBe(1);
    expect(Object.keys(schema.properties.steps.items.properties)).toEqual(
      expect.arrayContaining(['n', 'title', 'kind', 'deploy', 'sql', 'transactional', 'lock', 'timeouts', 'checkpoint', 'rollback', 'caveats', 'changes']),
    );
  });
});
