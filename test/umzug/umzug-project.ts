import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { expect } from 'vitest';
import { applyToSnapshot, releaseIndex, releaseName, type Plan, type SchemaSnapshot } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { liveshift, ROOT, type CliResult } from '../cli/run-cli.js';
import { comparable } from '../support/schema-compare.js';
import { runNode, scratchProject, type ProcessResult, type ScratchProject } from '../support/scratch-project.js';
import type { Workload } from '../support/workload.js';

export interface UmzugProject extends ScratchProject {
  url: string;
  language: 'js' | 'ts';
}

/** An application project with no migrator yet: `liveshift umzug make` writes one. */
export function umzugProject(url: string, options: { moduleSystem: 'cjs' | 'esm'; language?: 'js' | 'ts' }): UmzugProject {
  const language = options.language ?? 'js';
  const project = scratchProject(`umzug-${options.moduleSystem}-${language}`, {
    'package.json': JSON.stringify({ name: 'app', private: true, ...(options.moduleSystem === 'esm' ? { type: 'module' } : {}) }, null, 2),
  });
  return { ...project, url, language };
}

/** `liveshift umzug make <args>` in the project, against its database (DATABASE_URL, as a user sets it). */
export function make(project: UmzugProject, args: string[]): Promise<CliResult> {
  return liveshift(['umzug', 'make', ...args, ...(project.language === 'ts' ? ['-x', 'ts'] : [])], { cwd: project.dir, env: { DATABASE_URL: project.url } });
}

/** The emitted migrator, as its header says to run it: `node migrate ...` or `node --import tsx migrate.ts ...`. */
export function migrate(project: UmzugProject, args: string[], deployed?: string): Promise<ProcessResult> {
  const script = project.language === 'ts' ? ['--import', 'tsx', 'migrate.ts'] : ['migrate'];
  return runNode([...script, ...args], { cwd: project.dir, env: { DATABASE_URL: project.url, LIVESHIFT_DEPLOYED: deployed } });
}

/** The project's TypeScript (migrator, migrations, plan module) as a strict NodeNext project's own type check sees it. */
export function typeCheck(project: UmzugProject): Promise<ProcessResult> {
  const files = readdirSync(project.dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const options = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck'];
  const nodeTypes = ['--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules/@types')];
  return runNode([path.join(ROOT, 'node_modules/typescript/bin/tsc'), ...options, ...nodeTypes, ...files], { cwd: project.dir });
}

/** Names from `migrate executed --json` / `migrate pending --json`: Umzug's own view. */
export async function listed(project: UmzugProject, which: 'executed' | 'pending'): Promise<string[]> {
  const r = await migrate(project, [which, '--json']);
  expect(r.code, `${which} --json: ${output(r)}`).toBe(0);
  return (JSON.parse(r.stdout) as { name: string }[]).map((m) => m.name);
}

/** The plan module `liveshift umzug make` wrote beside the migrations (a TypeScript one is read from its JSON). */
export async function emittedPlan(project: UmzugProject): Promise<Plan> {
  const folder = path.join(project.dir, 'migrations', 'liveshift');
  const [file] = readdirSync(folder).filter((f) => /\.plan\.[jt]s$/.test(f));
  expect(file, `a plan module in ${folder}`).toBeDefined();
  if (file!.endsWith('.ts')) {
    const json = /const plan: Plan = (\{[\s\S]*\});\n/.exec(readFileSync(path.join(folder, file!), 'utf8'))?.[1];
    expect(json, `the plan object in ${file}`).toBeDefined();
    return JSON.parse(json!) as Plan;
  }
  const mod = (await import(pathToFileURL(path.join(folder, file!)).href)) as { default: Plan };
  return mod.default;
}

/** The migration names Umzug records: file names without their extension, in file-name order. */
export function migrationNames(project: UmzugProject): string[] {
  return readdirSync(path.join(project.dir, 'migrations'))
    .filter((f) => /\.[jt]s$/.test(f))
    .sort()
    .map((f) => f.replace(/\.[jt]s$/, ''));
}

/** Umzug's storage and liveshift's state appear once the migrator runs; the plan is about the application's tables. */
function applicationTable(table: { table: string }): boolean {
  return table.table !== 'public.umzug_migrations' && !table.table.startsWith('liveshift.');
}

export function output(r: ProcessResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

/**
 * Drives the emitted migrations with Umzug's CLI (the emitted migrator's `runAsCLI`) the way an
 * operator would, checking after every command what a user checks (the introspected schema
 * against the plan's prediction, `executed`/`pending` as Umzug lists them), while `workload` plays
 * the application and is redeployed at each application step:
 *
 * 1. `up --step 1` one step at a time up to the point of no return; an application step first
 *    refuses without LIVESHIFT_DEPLOYED (pending unchanged), then runs once the release is confirmed;
 * 2. `down --step 1` one step at a time back to zero, each restoring the previous schema;
 * 3. `up` release by release: it stops at the first step of the next release;
 * 4. past the point of no return, `down --step 1` refuses and changes nothing; without one,
 *    `down --to 0` goes back to the start, redeploying the older release where a step needs it.
 */
export async function driveWithUmzug(args: {
  project: UmzugProject;
  client: pg.ClientBase;
  workload: Workload;
  /** Checks on the data once the whole plan is applied. */
  whenApplied?: () => Promise<void>;
}): Promise<{ plan: Plan }> {
  const { project, client, workload } = args;
  const plan = await emittedPlan(project);
  const names = migrationNames(project);
  expect(names).toHaveLength(plan.steps.length);
  expect(await listed(project, 'pending')).toEqual(names);
  const schema = async () => comparable(await introspectPostgres(client)).filter(applicationTable);
  const expected = (snapshot: SchemaSnapshot) => comparable(snapshot).filter(applicationTable);
  const executed = () => listed(project, 'executed');

  const snapshots = [await introspectPostgres(client)];
  const reversibleThrough = plan.pointOfNoReturn ? plan.pointOfNoReturn.step - 1 : plan.steps.length;

  // 1. up, one step at a time
  for (const step of plan.steps.slice(0, reversibleThrough)) {
    if (step.kind === 'app') {
      const refused = await migrate(project, ['up', '--step', '1']);
      expect(refused.code, `step ${step.n} must wait for its release`).not.toBe(0);
      expect(refused.stderr).toContain(`step ${step.n} waits for release ${step.deploy} to be live: ${step.instruction}`);
      expect(refused.stderr).toContain(`LIVESHIFT_DEPLOYED=${step.deploy} node migrate up`);
      expect(refused.stderr, 'a refusal is a message, not a stack trace').not.toMatch(/\n\s+at /);
      expect(await listed(project, 'pending')).toEqual(names.slice(step.n - 1));
      workload.setRelease(releaseIndex(step.deploy));
    }
    const up = await migrate(project, ['up', '--step', '1'], step.deploy);
    expect(up.code, `up --step 1 of step ${step.n}: ${output(up)}`).toBe(0);
    expect(await executed()).toEqual(names.slice(0, step.n));
    expect(await schema(), `schema after up of step ${step.n} (${step.title})`).toEqual(expected(applyToSnapshot(snapshots[step.n - 1]!, step)));
    snapshots.push(await introspectPostgres(client));
  }

  // 2. down, one step at a time, in reverse, to zero
  for (const step of plan.steps.slice(0, reversibleThrough).reverse()) {
    let release = step.deploy;
    if (step.rollback.kind === 'deploy') {
      // the older application goes back first; then the operator confirms it
      release = step.rollback.release;
      workload.setRelease(releaseIndex(release));
    }
    const down = await migrate(project, ['down', '--step', '1'], release);
    expect(down.code, `down --step 1 of step ${step.n}: ${output(down)}`).toBe(0);
    expect(await executed()).toEqual(names.slice(0, step.n - 1));
    expect(await schema(), `schema after down of step ${step.n} (${step.title})`).toEqual(expected(snapshots[step.n - 1]!));
  }
  expect(await listed(project, 'pending')).toEqual(names);
  workload.setRelease(0);

  // 3. up, release by release
  const lastRelease = Math.max(...plan.steps.map((s) => releaseIndex(s.deploy)));
  for (let r = 0; r <= lastRelease; r++) {
    workload.setRelease(r);
    const up = await migrate(project, ['up'], r === 0 ? undefined : releaseName(r));
    const next = plan.steps.find((s) => releaseIndex(s.deploy) > r);
    if (next) {
      expect(up.code, `up at release ${releaseName(r)} stops before step ${next.n}`).not.toBe(0);
      expect(up.stderr).toContain(`step ${next.n} waits for release ${next.deploy}`);
      expect(await executed()).toEqual(names.slice(0, next.n - 1));
    } else {
      expect(up.code, output(up)).toBe(0);
      expect(await executed()).toEqual(names);
    }
  }
  const final = plan.steps.reduce((snap, step) => applyToSnapshot(snap, step), snapshots[0]!);
  expect(await schema(), 'schema after the whole plan').toEqual(expected(final));
  await args.whenApplied?.();

  // 4. past the point of no return nothing goes back; otherwise down --to 0 undoes everything
  if (plan.pointOfNoReturn) {
    const refused = await migrate(project, ['down', '--step', '1'], releaseName(lastRelease));
    expect(refused.code, 'down past the point of no return').not.toBe(0);
    expect(refused.stderr).toContain(`step ${plan.pointOfNoReturn.step} (${plan.steps[plan.pointOfNoReturn.step - 1]!.title}) is past the point of no return`);
    expect(refused.stderr).toContain('only a restore from a backup');
    expect(refused.stderr, 'a refusal is a message, not a stack trace').not.toMatch(/\n\s+at /);
    expect(await executed()).toEqual(names);
    expect(await schema()).toEqual(expected(final));
  } else {
    let release = lastRelease;
    for (let attempt = 0; ; attempt++) {
      const down = await migrate(project, ['down', '--to', '0'], releaseName(release));
      if (down.code === 0) break;
      const older = /needs the application back on release (A(?:\+\d+)?)/.exec(down.stderr)?.[1];
      expect(older, `down --to 0 failed: ${output(down)}`).toBeDefined();
      expect(attempt).toBeLessThan(plan.steps.length);
      release = releaseIndex(older!);
      workload.setRelease(release);
    }
    expect(await executed()).toEqual([]);
    expect(await schema(), 'schema after down --to 0').toEqual(expected(snapshots[0]!));
  }
  return { plan };
}
