import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { expect } from 'vitest';
import { applyToSnapshot, releaseIndex, releaseName, type Plan, type SchemaSnapshot } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { comparable } from '../support/schema-compare.js';
import { runNode, scratchProject, TEST_DIR, type ProcessResult, type ScratchProject } from '../support/scratch-project.js';
import type { Workload } from '../support/workload.js';

/** The knex CLI exactly as a project runs it (`npx knex ...`). */
export const KNEX_CLI = path.join(TEST_DIR, 'node_modules/knex/bin/cli.js');

export type KnexProjectStyle = 'cjs' | 'esm' | 'ts';

export interface KnexProject extends ScratchProject {
  /** Environment for every node process in the project: TypeScript needs a loader (tsx), as it does for knex itself. */
  env: Record<string, string>;
}

/** A project with a knexfile for `url`: CommonJS, ES modules, or TypeScript (ES modules run with tsx). */
export function knexProject(url: string, style: KnexProjectStyle): KnexProject {
  const config = `{\n  client: 'pg',\n  connection: ${JSON.stringify(url)},\n  migrations: { directory: './migrations'${style === 'ts' ? ", extension: 'ts'" : ''} },\n}`;
  const knexfile: Record<string, string> =
    style === 'ts'
      ? { 'knexfile.ts': `import type { Knex } from 'knex';\n\nconst config: Knex.Config = ${config};\n\nexport default config;\n` }
      : { 'knexfile.js': style === 'esm' ? `export default ${config};\n` : `module.exports = ${config};\n` };
  const project = scratchProject(`knex-${style}`, {
    'package.json': JSON.stringify({ name: 'app', private: true, ...(style === 'cjs' ? {} : { type: 'module' }) }, null, 2),
    ...knexfile,
  });
  return { ...project, env: style === 'ts' ? { NODE_OPTIONS: '--import tsx' } : {} };
}

export function knex(project: KnexProject, args: string[], deployed?: string): Promise<ProcessResult> {
  return runNode([KNEX_CLI, ...args], { cwd: project.dir, env: { ...project.env, LIVESHIFT_DEPLOYED: deployed } });
}

/** The plan module `liveshift knex make` wrote beside the migrations. */
export async function emittedPlan(project: ScratchProject): Promise<Plan> {
  const folder = path.join(project.dir, 'migrations', 'liveshift');
  const [file] = readdirSync(folder).filter((f) => /\.plan\.[jt]s$/.test(f));
  expect(file, `a plan module in ${folder}`).toBeDefined();
  const mod = (await import(pathToFileURL(path.join(folder, file!)).href)) as { default: Plan };
  return mod.default;
}

export function migrationFiles(project: ScratchProject): string[] {
  return readdirSync(path.join(project.dir, 'migrations')).filter((f) => f.endsWith('.js') || f.endsWith('.ts')).sort();
}

/** What knex has recorded as run, in order. */
export async function executed(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`SELECT name FROM knex_migrations ORDER BY id`).catch(() => ({ rows: [] as { name: string }[] }));
  return rows.map((r) => r.name);
}

/** knex's own bookkeeping tables appear once it runs; the plan is about the application's tables. */
function applicationTable(table: { table: string }): boolean {
  return !/^public\.knex_migrations(_lock)?$/.test(table.table);
}

function output(r: ProcessResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

/**
 * Drives the emitted migrations with the knex CLI the way an operator would, checking after every
 * command what a user checks (the introspected schema against the plan's prediction, knex's own
 * record), while `workload` plays the application and is redeployed at each application step:
 *
 * 1. `migrate:up` one step at a time up to the point of no return; an application step first
 *    refuses without LIVESHIFT_DEPLOYED, then runs once the release is confirmed;
 * 2. `migrate:down` one step at a time back to the start, each restoring the previous schema;
 * 3. `migrate:latest` release by release: it stops at the first step of the next release;
 * 4. past the point of no return, `migrate:down` and `migrate:rollback` refuse and change nothing.
 */
export async function driveWithKnex(args: {
  project: KnexProject;
  client: pg.ClientBase;
  workload: Workload;
  /** Checks on the data once the whole plan is applied (before phase 4 may roll it all back). */
  whenApplied?: () => Promise<void>;
  /** Checks on the data after every knex command: what must hold at any point of the plan. */
  dataHolds?: (after: string) => Promise<void>;
}): Promise<{ plan: Plan }> {
  const { project, client, workload } = args;
  const plan = await emittedPlan(project);
  const files = migrationFiles(project);
  expect(files).toHaveLength(plan.steps.length);
  const check = async (after: string) => args.dataHolds?.(after);
  const schema = async () => comparable(await introspectPostgres(client)).filter(applicationTable);
  const expected = (snapshot: SchemaSnapshot) => comparable(snapshot).filter(applicationTable);

  const snapshots = [await introspectPostgres(client)];
  const reversibleThrough = plan.pointOfNoReturn ? plan.pointOfNoReturn.step - 1 : plan.steps.length;

  // 1. up, one step at a time
  for (const step of plan.steps.slice(0, reversibleThrough)) {
    if (step.kind === 'app') {
      const refused = await knex(project, ['migrate:up']);
      expect(refused.code, `step ${step.n} must wait for its release`).not.toBe(0);
      expect(output(refused)).toContain(`step ${step.n} waits for release ${step.deploy} to be live`);
      expect(output(refused)).toContain(`LIVESHIFT_DEPLOYED=${step.deploy}`);
      expect(await executed(client)).toHaveLength(step.n - 1);
      workload.setRelease(releaseIndex(step.deploy));
    }
    const up = await knex(project, ['migrate:up'], step.deploy);
    expect(up.code, `migrate:up of step ${step.n}: ${output(up)}`).toBe(0);
    expect(await executed(client)).toEqual(files.slice(0, step.n));
    expect(await schema(), `schema after migrate:up of step ${step.n} (${step.title})`).toEqual(expected(applyToSnapshot(snapshots[step.n - 1]!, step)));
    await check(`migrate:up of step ${step.n}`);
    snapshots.push(await introspectPostgres(client));
  }

  // 2. down, one step at a time, in reverse
  for (const step of plan.steps.slice(0, reversibleThrough).reverse()) {
    let release = plan.steps[step.n - 1]!.deploy;
    if (step.rollback.kind === 'deploy') {
      // the older application goes back first; then the operator confirms it
      release = step.rollback.release;
      workload.setRelease(releaseIndex(release));
    }
    const down = await knex(project, ['migrate:down'], release);
    expect(down.code, `migrate:down of step ${step.n}: ${output(down)}`).toBe(0);
    expect(await executed(client)).toEqual(files.slice(0, step.n - 1));
    expect(await schema(), `schema after migrate:down of step ${step.n} (${step.title})`).toEqual(expected(snapshots[step.n - 1]!));
    await check(`migrate:down of step ${step.n}`);
  }
  workload.setRelease(0);

  // 3. latest, release by release
  const lastRelease = Math.max(...plan.steps.map((s) => releaseIndex(s.deploy)));
  for (let r = 0; r <= lastRelease; r++) {
    workload.setRelease(r);
    const latest = await knex(project, ['migrate:latest'], r === 0 ? undefined : releaseName(r));
    const next = plan.steps.find((s) => releaseIndex(s.deploy) > r);
    if (next) {
      expect(latest.code, `migrate:latest at release ${releaseName(r)} stops before step ${next.n}`).not.toBe(0);
      expect(output(latest)).toContain(`step ${next.n} waits for release ${next.deploy}`);
      expect(await executed(client)).toEqual(files.slice(0, next.n - 1));
    } else {
      expect(latest.code, output(latest)).toBe(0);
      expect(await executed(client)).toEqual(files);
    }
  }
  const final = plan.steps.reduce((snap, step) => applyToSnapshot(snap, step), snapshots[0]!);
  expect(await schema(), 'schema after the whole plan').toEqual(expected(final));
  await check('migrate:latest of the whole plan');
  await args.whenApplied?.();

  // 4. past the point of no return nothing goes back
  if (plan.pointOfNoReturn) {
    for (const command of ['migrate:down', 'migrate:rollback']) {
      const refused = await knex(project, [command], releaseName(lastRelease));
      expect(refused.code, `${command} past the point of no return`).not.toBe(0);
      expect(output(refused)).toContain('past the point of no return');
      expect(output(refused)).toContain('restore from a backup');
      expect(await executed(client)).toEqual(files);
      expect(await schema()).toEqual(expected(final));
    }
  } else {
    // rollback --all goes back step by step and stops where the application must be redeployed first
    let release = lastRelease;
    for (let attempt = 0; ; attempt++) {
      const rollback = await knex(project, ['migrate:rollback', '--all'], releaseName(release));
      if (rollback.code === 0) break;
      const older = /needs the application back on release (A(?:\+\d+)?)/.exec(output(rollback))?.[1];
      expect(older, `migrate:rollback --all failed: ${output(rollback)}`).toBeDefined();
      expect(attempt).toBeLessThan(plan.steps.length);
      release = releaseIndex(older!);
      workload.setRelease(release);
    }
    expect(await executed(client)).toEqual([]);
    expect(await schema(), 'schema after migrate:rollback --all').toEqual(expected(snapshots[0]!));
    await check('migrate:rollback --all');
  }
  return { plan };
}
