import type pg from 'pg';
import { ENGINE_LABELS, PLAN_FORMAT, type EngineInfo, type Plan, type Step } from '@liveshift/core';
import { isEngineSession, type EngineSession, type SessionStepContext } from './engine-session.js';
import { EXIT_BAD_INPUT, LiveshiftError } from './errors.js';
import type { BackfillProgressCallback } from './postgres/backfill.js';
import { postgresSession } from './postgres/session.js';
import { createBackfillProgressReporter } from './progress.js';
import { confirmedRelease, releaseGate, waitingMessage, type WaitingForRelease } from './release-gate.js';
import { rollbackWaitingMessage, stepLabel } from './rollback.js';
import { planId as computePlanId, type StepState } from './state.js';

/**
 * Runs a plan's steps in order against one database, recording progress there (DESIGN §8). The
 * rules (order, releases, interruption, rollback order) are engine-neutral; each engine's session
 * runs the statements. A pg client is accepted as is and seen as a PostgreSQL session.
 */

/** A database to run a plan on: an engine session, or a pg client (PostgreSQL). */
export type PlanTarget = EngineSession | pg.ClientBase;

function sessionOf(target: PlanTarget): EngineSession {
  return isEngineSession(target) ? target : postgresSession(target);
}

export interface ApplyOptions {
  /** Run only this step; every earlier step must be done. */
  step?: number;
  /** Run every step not done yet, up to and including this one. Default: the last step. */
  through?: number;
  /** The release the operator confirms is live; LIVESHIFT_DEPLOYED when omitted. */
  deployed?: string;
  /** Messages for the operator (standard error by default). */
  log?: (message: string) => void;
  /** Backfill progress; a bar or periodic lines on standard error by default, false for none. */
  onProgress?: BackfillProgressCallback | false;
  /**
   * Called inside a transactional step's transaction, locks still held (tests read pg_locks), with
   * the engine's connection: a pg client on PostgreSQL, the session's own connection elsewhere.
   */
  observe?: (step: Step, client: pg.ClientBase) => Promise<void>;
  /** Environment to read LIVESHIFT_DEPLOYED from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Log the "waits for release" message (default); false when the caller reports `waitingFor` itself. */
  logWaiting?: boolean;
}

export interface ApplyResult {
  planId: string;
  /** Steps completed by this run, in order. */
  ran: number[];
  /** Steps that were already done. */
  skipped: number[];
  /** Set when the run stopped at a step whose release is not confirmed live (exit 3). */
  waitingFor?: WaitingForRelease;
}

export interface RollbackOptions {
  deployed?: string;
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
  /** As for ApplyOptions: false when the caller reports `waitingFor` itself. */
  logWaiting?: boolean;
}

export interface RollbackResult {
  planId: string;
  step: number;
  /** False when the step was not applied, or when it waits for an older release to be redeployed. */
  rolledBack: boolean;
  message: string;
  waitingFor?: WaitingForRelease;
}

const writeToStderr = (message: string) => process.stderr.write(`${message}\n`);

export async function applyPlan(target: PlanTarget, plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
  const session = sessionOf(target);
  validatePlan(plan, session);
  const log = options.log ?? writeToStderr;
  const onProgress = options.onProgress === false ? undefined : (options.onProgress ?? createBackfillProgressReporter());
  const deployed = confirmedRelease(options.deployed, options.env);
  const targets = selectSteps(plan, options);
  const id = computePlanId(plan);

  await session.ensureStateTable();
  return session.withPlanLock(id, async () => {
    checkServerVersion(await session.serverInfo(), plan, log);
    const states = await session.readStepStates(id);
    const result: ApplyResult = { planId: id, ran: [], skipped: [] };

    if (options.step !== undefined && states.get(options.step)?.status !== 'done') {
      const missing = plan.steps.filter((s) => s.n < options.step! && states.get(s.n)?.status !== 'done').map((s) => s.n);
      if (missing.length > 0) {
        throw new LiveshiftError(
          `step ${options.step} cannot run yet: step${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not done; ` +
            `steps run in order (use --through ${options.step} to run them all)`,
          EXIT_BAD_INPUT,
          { step: options.step },
        );
      }
    }

    for (const step of targets) {
      const state = states.get(step.n);
      if (state?.status === 'done') {
        log(`step ${step.n} already done`);
        result.skipped.push(step.n);
        continue;
      }
      const waitingFor = releaseGate(step, deployed);
      if (waitingFor) {
        if (options.logWaiting !== false) log(waitingMessage(waitingFor));
        return { ...result, waitingFor };
      }
      if (step.kind === 'app') {
        log(`${stepLabel(step)}: release ${step.deploy} confirmed live (${deployed}): ${step.instruction}`);
        await session.markStepDone(id, step.n);
        result.ran.push(step.n);
        continue;
      }
      // the observer gets the engine's own connection: a pg client on PostgreSQL
      const observe = options.observe as SessionStepContext['observe'];
      await runDatabaseStep(session, step, state, id, { log, onProgress, observe });
      result.ran.push(step.n);
    }
    return result;
  });
}

async function runDatabaseStep(
  session: EngineSession,
  step: Step,
  state: StepState | undefined,
  id: string,
  context: Omit<SessionStepContext, 'planId' | 'resumeFrom'>,
): Promise<void> {
  const label = stepLabel(step);
  const interrupted = state?.status === 'running';
  // an interrupted DDL step may have committed before the runner died: its checkpoint tells
  // (backfills resume from their cursor instead, without a possibly slow checkpoint scan)
  if (interrupted && !step.backfill && step.checkpoint && (await session.checkpointMet(step.checkpoint))) {
    context.log(`${label}: an earlier run was interrupted after the change took effect (checkpoint holds); marking it done`);
    await session.markStepDone(id, step.n);
    return;
  }
  context.log(`${label}: ${interrupted ? 'running again after an interrupted run' : 'running'}`);
  await session.markStepRunning(id, step.n, !interrupted);
  await session.executeDatabaseStep(step, {
    planId: id,
    log: context.log,
    onProgress: context.onProgress,
    observe: context.observe,
    resumeFrom: interrupted ? { cursor: state.cursor, upperKey: state.upperKey } : { cursor: null, upperKey: null },
  });
  await session.markStepDone(id, step.n);
  context.log(`${label}: done`);
}

/**
 * Undoes step `n`. Rollbacks go in reverse order: a step cannot be rolled back while a later step
 * is applied (or interrupted half-way).
 */
export async function rollbackPlanStep(target: PlanTarget, plan: Plan, n: number, options: RollbackOptions = {}): Promise<RollbackResult> {
  const session = sessionOf(target);
  validatePlan(plan, session);
  const log = options.log ?? writeToStderr;
  const deployed = confirmedRelease(options.deployed, options.env);
  const step = plan.steps.find((s) => s.n === n);
  if (!step) throw new LiveshiftError(`the plan has no step ${n} (steps 1 to ${plan.steps.length})`, EXIT_BAD_INPUT);
  const id = computePlanId(plan);

  await session.ensureStateTable();
  return session.withPlanLock(id, async () => {
    const states = await session.readStepStates(id);
    const applied = (s: number) => {
      const status = states.get(s)?.status;
      return status === 'done' || status === 'running';
    };
    const later = plan.steps.filter((s) => s.n > n && applied(s.n)).map((s) => s.n).reverse();
    if (later.length > 0) {
      throw new LiveshiftError(
        `step ${n} cannot be rolled back yet: roll back step${later.length > 1 ? 's' : ''} ${later.join(', ')} first (rollbacks go in reverse order)`,
        EXIT_BAD_INPUT,
        { step: n },
      );
    }
    if (!applied(n)) {
      const message = `step ${n} is not applied (${states.get(n)?.status === 'rolled_back' ? 'already rolled back' : 'never run'}); nothing to roll back`;
      log(message);
      return { planId: id, step: n, rolledBack: false, message };
    }
    const outcome = await session.executeRollback(step, { deployed, log });
    if (!outcome.rolledBack) {
      const message = rollbackWaitingMessage(outcome.waitingFor);
      if (options.logWaiting !== false) log(message);
      return { planId: id, step: n, rolledBack: false, message, waitingFor: outcome.waitingFor };
    }
    await session.markStepRolledBack(id, n);
    return { planId: id, step: n, rolledBack: true, message: outcome.message };
  });
}

/** MySQL and MariaDB plans differ (gates, syntax): each runs only on its own flavour. */
function validatePlan(plan: Plan, session: EngineSession): void {
  if (plan?.format !== PLAN_FORMAT || !Array.isArray(plan.steps)) {
    throw new LiveshiftError(`not a liveshift plan (expected "format": "${PLAN_FORMAT}")`, EXIT_BAD_INPUT);
  }
  const planned = plan.engine?.name;
  const family = (name: string | undefined) => (name === 'mariadb' ? 'mysql' : name);
  if (family(planned) !== family(session.engine)) {
    throw new LiveshiftError(
      `this plan was made for ${ENGINE_LABELS[planned] ?? String(planned)} but the database is ${ENGINE_LABELS[session.engine]}; make the plan against this database`,
      EXIT_BAD_INPUT,
    );
  }
  plan.steps.forEach((step, i) => {
    if (step.n !== i + 1) throw new LiveshiftError(`invalid plan: step at position ${i + 1} is numbered ${step.n}; steps must be numbered 1, 2, 3, ...`, EXIT_BAD_INPUT);
  });
}

function selectSteps(plan: Plan, options: ApplyOptions): Step[] {
  const last = plan.steps.length;
  const check = (value: number, flag: string) => {
    if (!Number.isInteger(value) || value < 1 || value > last) {
      throw new LiveshiftError(`${flag} ${value}: the plan has steps 1 to ${last}`, EXIT_BAD_INPUT);
    }
  };
  if (options.step !== undefined && options.through !== undefined) {
    throw new LiveshiftError('use either --step N (one step) or --through N (up to N), not both', EXIT_BAD_INPUT);
  }
  if (options.step !== undefined) {
    check(options.step, '--step');
    return plan.steps.filter((s) => s.n === options.step);
  }
  const through = options.through ?? last;
  if (options.through !== undefined) check(through, '--through');
  return plan.steps.filter((s) => s.n <= through);
}

/**
 * A plan relies on the behaviour of the version it was made for; an older server may lack it.
 * Compared by major version on PostgreSQL (minor releases keep behaviour), by the full version
 * number elsewhere (MySQL changes DDL behaviour in minor releases: 8.0.12, 8.0.29).
 */
function checkServerVersion(server: EngineInfo, plan: Plan, log: (message: string) => void): void {
  const label = ENGINE_LABELS[server.name];
  if (server.name !== plan.engine.name) {
    throw new LiveshiftError(
      `this plan was made for ${ENGINE_LABELS[plan.engine.name]} ${plan.engine.version} but the server is ${label} ${server.version}; make the plan against this server`,
      EXIT_BAD_INPUT,
    );
  }
  const major = (versionNum: number) => (server.name === 'postgres' ? Math.floor(versionNum / 10000) : versionNum);
  if (major(server.versionNum) < major(plan.engine.versionNum)) {
    throw new LiveshiftError(
      `this plan was made for ${label} ${plan.engine.version} but the server runs ${server.version}: ` +
        'its steps may rely on behaviour this version lacks; make the plan again against this server',
      EXIT_BAD_INPUT,
    );
  }
  if (major(server.versionNum) > major(plan.engine.versionNum)) {
    log(`note: this plan was made for ${label} ${plan.engine.version}; the server runs ${server.version}`);
  }
}
