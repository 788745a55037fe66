import type pg from 'pg';
import { expect } from 'vitest';
import { applyToSnapshot, releaseIndex, type Plan, type SchemaSnapshot } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import type { Workload } from '../support/workload.js';
import {
  appliedFolders,
  emittedPlan,
  expectedSchema,
  folderStep,
  followInstructions,
  guardInstructions,
  holdFolders,
  INIT_MIGRATION,
  liveshiftIn,
  migrationFolders,
  output,
  prisma,
  prismaRows,
  schemaOf,
  type PrismaProject,
} from './prisma-project.js';

/**
 * Drives the folders `liveshift prisma make` wrote with Prisma's own CLI, the way an operator
 * would, while `workload` plays the application (redeployed when a guard says to), checking after
 * every command what a user checks: the introspected schema against the plan's prediction, the
 * data, and `_prisma_migrations`.
 *
 * 1. one folder at a time (put into the migrations folder, then `prisma migrate deploy`), up to
 *    the point of no return: a guard stops the deploy with the instruction and applies nothing; the
 *    instruction is followed literally (deploy, `liveshift apply`, `prisma migrate resolve`) and the
 *    deploy goes through; `prisma migrate status` is up to date after each;
 * 2. back to the start, step by step in reverse: `liveshift prisma down <folder>` for the folders,
 *    `liveshift apply --rollback` for the steps liveshift ran; `migrate status` then lists the folders
 *    as not applied;
 * 3. everything at once: `prisma migrate deploy` stops at each guard, the operator follows it, until
 *    the whole plan is applied;
 * 4. past the point of no return, `liveshift prisma down` refuses and changes nothing.
 */
export async function driveWithPrisma(args: {
  project: PrismaProject;
  client: pg.ClientBase;
  workload: Workload;
  /** What must hold after every command. */
  dataHolds?: (after: string) => Promise<void>;
  /** Checks once the whole plan is applied. */
  whenApplied?: () => Promise<void>;
}): Promise<{ plan: Plan; folders: string[]; stops: number }> {
  const { project, client, workload } = args;
  const { plan, planFile } = emittedPlan(project);
  const folders = migrationFolders(project).filter((f) => f !== INIT_MIGRATION);
  const stepOf = new Map(folders.map((f) => [f, folderStep(project, f)]));
  const initial = await introspectPostgres(client);
  const after = (n: number): SchemaSnapshot => plan.steps.filter((s) => s.n <= n).reduce((snap, s) => applyToSnapshot(snap, s), initial);
  let done = 0;
  let stops = 0;
  const holds = async (what: string) => {
    expect(await schemaOf(client), `schema after ${what}`).toEqual(expectedSchema(after(done)));
    await args.dataHolds?.(what);
  };
  const afterInstruction = async (command: string) => {
    const through = / apply \S+ --db \S+ --through (\d+)/.exec(command);
    if (through) done = Number(through[1]);
    await holds(command);
  };
  /** A deploy applies every pending folder up to a stop: a folder of step N applied means steps up to N are done. */
  const syncDone = async () => {
    for (const folder of await appliedFolders(client)) {
      const info = stepOf.get(folder);
      if (info && info.role !== 'gate') done = Math.max(done, info.step);
    }
  };
  /** A deploy that stopped at a guard: the instruction, nothing of that folder applied, a failed row for it. */
  const stoppedAtGuard = async (deploy: { code: number | null; stdout: string; stderr: string }) => {
    stops++;
    await syncDone();
    const text = output(deploy);
    expect(text).toContain('liveshift: ');
    const failed = (await prismaRows(client)).filter((r) => !r.finished && !r.rolled_back);
    expect(failed, 'the stop is recorded as a failed migration').toHaveLength(1);
    expect(failed[0]!.logs).toContain('liveshift: ');
    expect(text).toContain(failed[0]!.migration_name);
    await holds(`the stop at ${failed[0]!.migration_name}`);
    const status = await prisma(project, ['migrate', 'status']);
    expect(status.code, 'prisma migrate status while a stop is unresolved').not.toBe(0);
    return guardInstructions(text);
  };

  // 1. one folder at a time, up to the point of no return
  const held = holdFolders(project, folders);
  const limit = plan.pointOfNoReturn?.step ?? Number.POSITIVE_INFINITY;
  const reversible = folders.filter((f) => stepOf.get(f)!.step < limit);
  for (const [i, folder] of reversible.entries()) {
    held.release(folder);
    let deploy = await prisma(project, ['migrate', 'deploy']);
    if (deploy.code !== 0) {
      await followInstructions(project, await stoppedAtGuard(deploy), workload, afterInstruction);
      deploy = await prisma(project, ['migrate', 'deploy']);
    }
    expect(deploy.code, `prisma migrate deploy of ${folder}: ${output(deploy)}`).toBe(0);
    expect(await appliedFolders(client)).toEqual([INIT_MIGRATION, ...reversible.slice(0, i + 1)].sort());
    const { step, role } = stepOf.get(folder)!;
    if (role !== 'gate') done = step;
    await holds(`prisma migrate deploy of ${folder}`);
    if (i === reversible.length - 1) {
      const status = await prisma(project, ['migrate', 'status']);
      expect(status.code, output(status)).toBe(0);
      expect(status.stdout).toContain('Database schema is up to date!');
    }
  }

  // 2. back to the start, in reverse
  const rollbackFolder = (n: number) => folders.find((f) => stepOf.get(f)!.step === n && ['step', 'statement'].includes(stepOf.get(f)!.role));
  if (done > 1 && rollbackFolder(1)) {
    const early = await liveshiftIn(project, ['prisma', 'down', rollbackFolder(1)!]);
    expect(early.code, 'rollbacks go in reverse order').toBe(2);
    expect(early.stderr).toMatch(/roll back steps? [\d, ]+ first/);
    expect(early.stderr).toMatch(/npx liveshift (prisma down|apply) /);
  }
  for (const step of plan.steps.filter((s) => s.n <= done).reverse()) {
    const folder = rollbackFolder(step.n);
    if (folder) {
      const down = await liveshiftIn(project, ['prisma', 'down', folder]);
      expect(down.code, `liveshift prisma down ${folder}: ${down.stderr}`).toBe(0);
      const rows = await prismaRows(client);
      for (const f of folders.filter((x) => stepOf.get(x)!.step === step.n)) {
        expect(rows.filter((r) => r.migration_name === f && !r.rolled_back && r.finished), `${f} marked rolled back`).toEqual([]);
      }
    } else {
      let release: string[] = [];
      if (step.rollback.kind === 'deploy') {
        workload.setRelease(releaseIndex(step.rollback.release));
        release = ['--deployed', step.rollback.release];
      }
      const rollback = await liveshiftIn(project, ['apply', planFile, '--db', project.url, '--rollback', String(step.n), ...release]);
      expect(rollback.code, `liveshift apply --rollback ${step.n}: ${rollback.stderr}`).toBe(0);
    }
    done = step.n - 1;
    await holds(`the rollback of step ${step.n}`);
  }
  expect(await appliedFolders(client)).toEqual([INIT_MIGRATION]);
  if (reversible.length) {
    const status = await prisma(project, ['migrate', 'status']);
    expect(status.code).not.toBe(0);
    expect(status.stdout).toContain('have not yet been applied');
  }
  workload.setRelease(0);

  // 3. everything at once, stopping at each guard
  for (const folder of folders) held.release(folder);
  for (let attempt = 0; ; attempt++) {
    expect(attempt, 'prisma migrate deploy ends').toBeLessThan(folders.length + 2);
    const deploy = await prisma(project, ['migrate', 'deploy']);
    if (deploy.code === 0) break;
    await followInstructions(project, await stoppedAtGuard(deploy), workload, afterInstruction);
  }
  done = plan.steps.length;
  expect(await appliedFolders(client)).toEqual([INIT_MIGRATION, ...folders].sort());
  await holds('the whole plan');
  const status = await prisma(project, ['migrate', 'status']);
  expect(status.code, output(status)).toBe(0);
  expect(status.stdout).toContain('Database schema is up to date!');
  await args.whenApplied?.();

  // 4. past the point of no return nothing goes back
  if (plan.pointOfNoReturn) {
    const before = await prismaRows(client);
    const refused = await liveshiftIn(project, ['prisma', 'down', rollbackFolder(plan.pointOfNoReturn.step)!]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('past the point of no return');
    expect(refused.stderr).toContain('restore from a backup');
    expect(await prismaRows(client)).toEqual(before);
    await holds('the refused rollback');
  }
  return { plan, folders, stops };
}

/**
 * `prisma migrate deploy` until it succeeds, following each guard's instruction as an operator
 * would (deploys switch the workload's release). Returns the folders each stop happened at.
 */
export async function deployThroughGuards(project: PrismaProject, workload: Workload, maxStops = 10): Promise<string[]> {
  const stops: string[] = [];
  for (;;) {
    const deploy = await prisma(project, ['migrate', 'deploy']);
    if (deploy.code === 0) return stops;
    const stop = /^\s+\d+\. npx prisma migrate resolve --rolled-back (\S+)/m.exec(output(deploy));
    expect(stop, `prisma migrate deploy failed without a liveshift guard: ${output(deploy)}`).not.toBeNull();
    stops.push(stop![1]!);
    expect(stops.length, 'prisma migrate deploy ends').toBeLessThanOrEqual(maxStops);
    await followInstructions(project, guardInstructions(output(deploy)), workload);
  }
}
