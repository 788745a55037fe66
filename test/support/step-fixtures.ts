import { PLAN_FORMAT, PLAN_VERSION, type EngineInfo, type Plan, type Step, type Timeouts } from '@liveshift/core';

/**
 * Hand-written plans for runtime tests: the runtime executes whatever a plan says, so its tests
 * pin behaviour with small literal steps rather than depending on the planner's recipes.
 */

/** Short waits so tests that hit lock timeouts finish in seconds. */
export const FAST_TIMEOUTS: Timeouts = {
  lockTimeoutMs: 300,
  retries: 30,
  initialBackoffMs: 100,
  maxBackoffMs: 400,
  statementTimeoutMs: 0,
};

/** A transactional DDL step holding ACCESS EXCLUSIVE briefly on `table`; override what differs. */
export function ddlStep(n: number, table: string, sql: string[], overrides: Partial<Step> = {}): Step {
  return {
    n,
    title: `ddl ${n}`,
    kind: 'ddl',
    deploy: 'A',
    instruction: '',
    sql,
    transactional: true,
    lock: { mode: 'ACCESS EXCLUSIVE', tables: [table], blocksReads: true, blocksWrites: true, duration: 'brief' },
    timeouts: FAST_TIMEOUTS,
    checkpoint: null,
    rollback: { kind: 'none', reason: 'test step' },
    caveats: [],
    changes: [],
    ...overrides,
  };
}

export function appStep(n: number, deploy: string, instruction: string): Step {
  return {
    n,
    title: `deploy ${deploy}`,
    kind: 'app',
    deploy,
    instruction,
    sql: [],
    transactional: false,
    lock: { mode: 'none', tables: [], blocksReads: false, blocksWrites: false, duration: 'brief' },
    timeouts: null,
    checkpoint: null,
    rollback: { kind: 'deploy', release: 'A', instruction: 'deploy the previous release back' },
    caveats: [],
    changes: [],
  };
}

export function planOf(engine: EngineInfo, steps: Step[]): Plan {
  return {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    intents: [],
    engine,
    tables: [],
    steps,
    releases: [],
    lastReversibleStep: null,
    pointOfNoReturn: null,
    warnings: [],
  };
}

/** Collects log lines so a test can assert what the operator was told. */
export function collectLog(): { lines: string[]; log: (message: string) => void; text(): string } {
  const lines: string[] = [];
  return { lines, log: (message) => lines.push(message), text: () => lines.join('\n') };
}
