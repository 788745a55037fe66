import type pg from 'pg';
import { normalizeSnapshot, type Plan, type PgLockMode, type SchemaSnapshot, type Step } from '@liveshift/core';
import { applyPlan, connect, evaluateCheckpoint, introspectPostgres, rollbackPlanStep } from '@liveshift/runtime';
import { nowMs } from '../measure/clock.js';
import { strongest } from '../measure/lock-modes.js';
import { checkLockClaim, ownTableLocks, relationOids, sampledTableLocks, type LockClaimCheck, type ObservationMethod } from '../measure/lock-claims.js';
import { startLockProbe } from '../measure/lock-probe.js';
import { LockMonitor, lockWaitMs, type LockWait } from '../measure/lock-monitor.js';
import { windowLabel, type QueryRecord, type StepWindow, type WindowPhase } from '../measure/records.js';
import { summarise, type WorkloadSummary } from '../measure/summary.js';
import { applicationFromPlan, describeRelease, touchedTables } from '../workload/application.js';
import { startWorkload, type WorkloadHandle } from '../workload/workload.js';
import { tableShapes } from './schema-shape.js';

/**
 * Runs a plan step by step on a database while the synthetic application works on it, the way
 * an operator would: deploys each application release when its step comes, confirms it, checks
 * every checkpoint, rolls back each step before the point of no return and applies it again.
 * Records every query, every lock wait and the time of every phase.
 */

export interface VerifyPlanOptions {
  /** The database the plan runs on (a scratch database: the plan really runs). */
  url: string;
  plan: Plan;
  /** The schema of that database before the plan. */
  before: SchemaSnapshot;
  connections?: number;
  pauseMs?: number;
  /** The workload's statement_timeout, ms. */
  queryTimeoutMs?: number;
  /** Traffic measured before the first step, as the baseline. Default 1000 ms. */
  baselineMs?: number;
  /** Traffic measured after the last step. Default 500 ms. */
  tailMs?: number;
  /** Roll back and re-apply each step before the point of no return. Default true. */
  rollbacks?: boolean;
  monitorIntervalMs?: number;
  /** Progress messages (standard error in the CLI). */
  log?: (message: string) => void;
  /** Called before each phase of each step starts (tests open a blocking transaction here). */
  beforePhase?: (step: Step, phase: Exclude<WindowPhase, 'baseline' | 'after'>, context: { url: string }) => void | Promise<void>;
}

export interface PhaseResult {
  phase: 'apply' | 'rollback' | 'reapply';
  startedAtMs: number;
  durationMs: number;
  ok: boolean;
  error?: string;
}

export interface CheckpointCheck {
  phase: 'apply' | 'reapply';
  description: string;
  expected: string;
  actual: string;
  met: boolean;
}

export interface StepResult {
  n: number;
  title: string;
  kind: Step['kind'];
  deploy: string;
  transactional: boolean;
  phases: PhaseResult[];
  checkpoints: CheckpointCheck[];
  /** What happened to the rollback: done, or why it was not run. */
  rollback: { ran: boolean; restoredSchema: boolean | null; reason: string };
  lockClaim: LockClaimCheck;
  /** Workload queries that waited for a lock while this step ran (first apply). */
  workloadLockWaits: { count: number; longestMs: number; blockedByPlan: number };
}

export interface VerifyResult {
  plan: { intents: unknown[]; engine: string; steps: number; pointOfNoReturn: number | null };
  /** Every step ran (and every rollback before the point of no return was re-applied). */
  completed: boolean;
  error?: { step: number | null; phase: string; message: string };
  releases: { release: string; deployedAtStep: number | null; application: string }[];
  steps: StepResult[];
  summary: WorkloadSummary;
  lockWaits: LockWait[];
  windows: StepWindow[];
  records: QueryRecord[];
  /** ok: no workload query failed, every step ran, every checkpoint was met, no lock claim was violated. */
  verdict: { ok: boolean; problems: string[] };
  startedAtMs: number;
  endedAtMs: number;
  settings: { connections: number; queryTimeoutMs: number; rollbacks: boolean };
}

function mergeStrongest(a: Map<string, PgLockMode>, b: Map<string, PgLockMode> | null): Map<string, PgLockMode> {
  const out = new Map(a);
  for (const [table, mode] of b ?? []) out.set(table, strongest([mode, ...(out.has(table) ? [out.get(table)!] : [])])!);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

interface StepTracking {
  step: Step;
  oids: Map<string, number>;
  method: ObservationMethod;
  inTransaction: Map<string, PgLockMode> | null;
  probed: Map<string, PgLockMode> | null;
  applyWindow: StepWindow | null;
}

export async function verifyPlan(options: VerifyPlanOptions): Promise<VerifyResult> {
  const { plan, url } = options;
  const log = options.log ?? (() => {});
  const connections = options.connections ?? 4;
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  const rollbacks = options.rollbacks ?? true;
  const startedAtMs = nowMs();
  const releases = applicationFromPlan(plan, options.before);
  const tables = touchedTables(plan);

  const runner = await connect(url);
  let workload: WorkloadHandle | undefined;
  let monitor: LockMonitor | undefined;
  const windows: StepWindow[] = [];
  const tracking: StepTracking[] = [];
  const results = new Map<number, Omit<StepResult, 'lockClaim' | 'workloadLockWaits'>>();
  let failure: VerifyResult['error'];
  let records: QueryRecord[] = [];
  let lockWaits: LockWait[] = [];
  let runnerLocks: Awaited<ReturnType<LockMonitor['stop']>>['runnerLocks'] = [];
  try {
    const runnerPid = (await runner.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    for (const r of releases) log(`release ${r.release}${r.deployedAtStep ? ` (step ${r.deployedAtStep})` : ''}: ${describeRelease(r) || 'no table it can query'}`);
    const baselineStart = nowMs();
    workload = await startWorkload({ url, releases, connections, pauseMs: options.pauseMs, queryTimeoutMs });
    monitor = await LockMonitor.start(url, { runnerPid, workloadPids: workload.pids, intervalMs: options.monitorIntervalMs });
    log(`the application runs on ${connections} connections; measuring a baseline...`);
    await sleep(options.baselineMs ?? 1000);
    windows.push({ label: 'baseline', step: null, phase: 'baseline', startedAtMs: baselineStart, endedAtMs: nowMs() });

    const quiet = { log: (m: string) => log(`  ${m}`), onProgress: false as const };
    const ponr = plan.pointOfNoReturn?.step ?? Number.POSITIVE_INFINITY;
    const running = workload;

    const phase = async (step: Step, name: 'apply' | 'rollback' | 'reapply', run: () => Promise<void>): Promise<PhaseResult> => {
      await options.beforePhase?.(step, name, { url });
      const window: StepWindow = { label: windowLabel(step.n, name), step: step.n, phase: name, startedAtMs: nowMs(), endedAtMs: 0 };
      let outcome: PhaseResult;
      try {
        await run();
        window.endedAtMs = nowMs();
        outcome = { phase: name, startedAtMs: window.startedAtMs, durationMs: window.endedAtMs - window.startedAtMs, ok: true };
      } catch (error) {
        window.endedAtMs = nowMs();
        outcome = { phase: name, startedAtMs: window.startedAtMs, durationMs: window.endedAtMs - window.startedAtMs, ok: false, error: messageOf(error) };
      }
      windows.push(window);
      if (name === 'apply') tracking.find((t) => t.step === step)!.applyWindow = window;
      return outcome;
    };
    const deployIfApp = async (step: Step, release: string) => {
      if (step.kind === 'app' && releases.some((r) => r.release === release)) {
        log(`  deploying release ${release} to the application and waiting for the old release's queries to finish`);
        await running.deploy(release);
      }
    };
    const checkpoint = async (step: Step, name: 'apply' | 'reapply'): Promise<CheckpointCheck | null> => {
      if (!step.checkpoint) return null;
      const result = await evaluateCheckpoint(runner, step.checkpoint);
      return { phase: name, description: step.checkpoint.description, expected: String(step.checkpoint.expected), actual: result.actual, met: result.met };
    };

    for (const step of plan.steps) {
      log(`step ${step.n}/${plan.steps.length} [${step.kind}, release ${step.deploy}]: ${step.title}`);
      const oids = await relationOids(runner, [...step.lock.tables, ...(step.lock.alsoLocks ?? []).map((a) => a.table)]);
      const track: StepTracking = { step, oids, method: step.sql.length === 0 ? 'none' : step.transactional ? 'in-transaction' : 'sampled', inTransaction: null, probed: null, applyWindow: null };
      tracking.push(track);
      const result: Omit<StepResult, 'lockClaim' | 'workloadLockWaits'> = {
        n: step.n,
        title: step.title,
        kind: step.kind,
        deploy: step.deploy,
        transactional: step.transactional,
        phases: [],
        checkpoints: [],
        rollback: { ran: false, restoredSchema: null, reason: '' },
      };
      results.set(step.n, result);
      const before = rollbacks ? await introspectPostgres(runner) : undefined;

      const apply = () =>
        applyPlan(runner, plan, {
          step: step.n,
          deployed: step.deploy,
          ...quiet,
          observe: async (_s, client: pg.ClientBase) => {
            track.inTransaction = await ownTableLocks(client, oids);
          },
        }).then((r) => {
          if (r.waitingFor) throw new Error(`step ${step.n} still waits for release ${r.waitingFor.release}`);
        });

      const applied = await phase(step, 'apply', async () => {
        await deployIfApp(step, step.deploy);
        if (track.method !== 'sampled') return apply();
        // the snapshot the probe holds must never push the step into its lock_timeout
        const maxHoldMs = Math.min(500, Math.floor((step.timeouts?.lockTimeoutMs ?? 2000) / 4));
        const probe = await startLockProbe(url, runnerPid, oids, { maxHoldMs });
        try {
          await apply();
        } finally {
          track.probed = await probe.stop();
        }
      });
      result.phases.push(applied);
      if (!applied.ok) {
        failure = { step: step.n, phase: 'apply', message: applied.error! };
        log(`  ✗ ${applied.error}`);
        break;
      }
      const check = await checkpoint(step, 'apply');
      if (check) result.checkpoints.push(check);
      log(`  done in ${Math.round(applied.durationMs)} ms${check ? `; checkpoint ${check.met ? 'met' : 'NOT met'} (${check.actual})` : ''}`);

      if (!rollbacks) {
        result.rollback.reason = 'rollbacks not requested';
        continue;
      }
      if (step.n >= ponr || step.rollback.kind === 'irreversible') {
        result.rollback.reason = step.n >= ponr ? 'at or after the point of no return' : 'irreversible';
        continue;
      }
      const previousRelease = step.rollback.kind === 'deploy' ? step.rollback.release : step.deploy;
      const rolledBack = await phase(step, 'rollback', async () => {
        await deployIfApp(step, previousRelease);
        const r = await rollbackPlanStep(runner, plan, step.n, { deployed: previousRelease, log: quiet.log });
        if (!r.rolledBack) throw new Error(r.message);
      });
      result.phases.push(rolledBack);
      if (!rolledBack.ok) {
        failure = { step: step.n, phase: 'rollback', message: rolledBack.error! };
        log(`  ✗ rollback: ${rolledBack.error}`);
        break;
      }
      const restored = before ? tableShapes(normalizeSnapshot(await introspectPostgres(runner)), tables) === tableShapes(normalizeSnapshot(before), tables) : null;
      const reapplied = await phase(step, 'reapply', async () => {
        await deployIfApp(step, step.deploy);
        await apply();
      });
      result.phases.push(reapplied);
      result.rollback = { ran: true, restoredSchema: restored, reason: restored === false ? 'the rollback did not restore the schema the step started from' : 'rolled back and re-applied' };
      log(`  rolled back in ${Math.round(rolledBack.durationMs)} ms${restored === false ? ' (schema NOT restored)' : ''}, re-applied in ${Math.round(reapplied.durationMs)} ms`);
      if (!reapplied.ok) {
        failure = { step: step.n, phase: 're-apply', message: reapplied.error! };
        log(`  ✗ re-apply: ${reapplied.error}`);
        break;
      }
      const recheck = await checkpoint(step, 'reapply');
      if (recheck) result.checkpoints.push(recheck);
    }

    const tailStart = nowMs();
    await sleep(options.tailMs ?? 500);
    windows.push({ label: 'after', step: null, phase: 'after', startedAtMs: tailStart, endedAtMs: nowMs() });
  } catch (error) {
    failure ??= { step: null, phase: 'setup', message: messageOf(error) };
  } finally {
    records = (await workload?.stop()) ?? [];
    if (monitor) {
      const observed = await monitor.stop().catch(() => ({ waits: [], runnerLocks: [], samples: 0 }));
      lockWaits = observed.waits;
      runnerLocks = observed.runnerLocks;
    }
    await runner.end().catch(() => {});
  }

  const steps: StepResult[] = [...results.values()].map((r) => {
    const track = tracking.find((t) => t.step.n === r.n)!;
    const window = track.applyWindow;
    const during = window ? lockWaits.filter((w) => w.firstSeenMs <= window.endedAtMs && w.lastSeenMs >= window.startedAtMs) : [];
    const observed =
      track.method === 'in-transaction' && track.inTransaction
        ? track.inTransaction
        : window
          ? mergeStrongest(sampledTableLocks(runnerLocks, track.oids, window.startedAtMs, window.endedAtMs), track.probed)
          : new Map<string, PgLockMode>();
    const method: ObservationMethod = track.method === 'in-transaction' && !track.inTransaction ? 'sampled' : track.method;
    const workloadWaits = during.filter((w) => w.role === 'workload');
    return {
      ...r,
      lockClaim: checkLockClaim(track.step, observed, method, lockWaits),
      workloadLockWaits: {
        count: workloadWaits.length,
        longestMs: workloadWaits.reduce((m, w) => Math.max(m, lockWaitMs(w)), 0),
        blockedByPlan: workloadWaits.filter((w) => w.blockedByPlan).length,
      },
    };
  });

  const summary = summarise(records, windows);
  const problems: string[] = [];
  if (failure) problems.push(`${failure.step ? `step ${failure.step} ${failure.phase}` : failure.phase} failed: ${failure.message}`);
  if (summary.total.failed > 0) problems.push(`${summary.total.failed} of ${summary.total.queries} application queries failed`);
  for (const s of steps) {
    if (s.lockClaim.verdict === 'violated') problems.push(`step ${s.n}: lock claim did not hold: ${s.lockClaim.reasons.join('; ')}`);
    for (const c of s.checkpoints) if (!c.met) problems.push(`step ${s.n}: checkpoint not met after ${c.phase} (${c.description}: expected ${c.expected}, got ${c.actual})`);
    if (s.rollback.restoredSchema === false) problems.push(`step ${s.n}: ${s.rollback.reason}`);
  }
  if (summary.total.queries === 0) problems.push('the application ran no queries: nothing was measured');

  return {
    plan: {
      intents: plan.intents,
      engine: `${plan.engine.name} ${plan.engine.version}`,
      steps: plan.steps.length,
      pointOfNoReturn: plan.pointOfNoReturn?.step ?? null,
    },
    completed: !failure && steps.length === plan.steps.length,
    ...(failure ? { error: failure } : {}),
    releases: releases.map((r) => ({ release: r.release, deployedAtStep: r.deployedAtStep, application: describeRelease(r) })),
    steps,
    summary,
    lockWaits,
    windows: [...windows].sort((a, b) => a.startedAtMs - b.startedAtMs),
    records,
    verdict: { ok: problems.length === 0, problems },
    startedAtMs,
    endedAtMs: nowMs(),
    settings: { connections, queryTimeoutMs, rollbacks },
  };
}
