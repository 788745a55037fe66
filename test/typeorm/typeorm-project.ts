import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { expect } from 'vitest';
import { applyToSnapshot, releaseIndex, releaseName, type Plan, type SchemaSnapshot } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { comparable } from '../support/schema-compare.js';
import { runNode, scratchProject, TEST_DIR, type ProcessResult, type ScratchProject } from '../support/scratch-project.js';
import type { Workload } from '../support/workload.js';

/** The TypeORM CLI exactly as a project runs it (`npx typeorm ...`). */
export const TYPEORM_CLI = path.join(TEST_DIR, 'node_modules/typeorm/cli.js');

export type TypeormProjectStyle = 'cjs' | 'esm' | 'ts';

export interface TypeormProject extends ScratchProject {
  /** The data source file, relative to the project: what `-d` names. */
  dataSource: string;
  /** Environment for every node process in the project: TypeScript needs a loader (tsx). */
  env: Record<string, string>;
  extension: 'js' | 'ts';
}

export interface DataSourceSettings {
  /** `migrationsTransactionMode`; omitted to leave TypeORM's default ("all"). */
  transactionMode?: 'all' | 'each' | 'none';
  /** Source of an `entities` array expression, with the declarations it needs placed before the data source. */
  entities?: { declarations: string; list: string };
  /** The migrations glob (default `migrations/*.<ext>`). */
  migrations?: string;
}

/**
 * A project with a TypeORM data source for `url`: CommonJS, ES modules, or TypeScript (ES
 * modules, run with tsx). Entities, when any, are EntitySchema objects: tsx (esbuild) emits no
 * decorator metadata, so decorated classes would need explicit column types anyway.
 */
export function typeormProject(url: string, style: TypeormProjectStyle, settings: DataSourceSettings = { transactionMode: 'each' }): TypeormProject {
  const extension = style === 'ts' ? 'ts' : 'js';
  const options = [
    `  type: 'postgres',`,
    `  url: ${JSON.stringify(url)},`,
    settings.entities ? `  entities: ${settings.entities.list},` : undefined,
    `  migrations: [${JSON.stringify(settings.migrations ?? `migrations/*.${extension}`)}],`,
    settings.transactionMode ? `  migrationsTransactionMode: '${settings.transactionMode}',` : undefined,
  ].filter((line) => line !== undefined);
  const body = `${settings.entities?.declarations ?? ''}\n${style === 'cjs' ? 'module.exports = ' : 'export default '}new DataSource({\n${options.join('\n')}\n});\n`;
  const imports = style === 'cjs' ? "const { DataSource, EntitySchema } = require('typeorm');\n" : "import { DataSource, EntitySchema } from 'typeorm';\n";
  const dataSource = `data-source.${extension}`;
  const project = scratchProject(`typeorm-${style}`, {
    'package.json': JSON.stringify({ name: 'app', private: true, ...(style === 'cjs' ? {} : { type: 'module' }) }, null, 2),
    [dataSource]: imports + body,
  });
  return { ...project, dataSource, extension, env: style === 'ts' ? { NODE_OPTIONS: '--import tsx' } : {} };
}

/** `npx typeorm <command> -d <data source> <args>`, with LIVESHIFT_DEPLOYED when a release is confirmed. */
export function typeorm(project: TypeormProject, command: string, args: string[] = [], deployed?: string): Promise<ProcessResult> {
  return runNode([TYPEORM_CLI, command, '-d', project.dataSource, ...args], { cwd: project.dir, env: { ...project.env, LIVESHIFT_DEPLOYED: deployed } });
}

/** The plan module liveshift wrote beside the migrations. */
export async function emittedPlan(project: ScratchProject): Promise<Plan> {
  const folder = path.join(project.dir, 'migrations', 'liveshift');
  const [file] = readdirSync(folder).filter((f) => /\.plan\.[jt]s$/.test(f));
  expect(file, `a plan module in ${folder}`).toBeDefined();
  const mod = (await import(pathToFileURL(path.join(folder, file!)).href)) as { default: Plan };
  return mod.default;
}

export function migrationFiles(project: ScratchProject, folder = 'migrations'): string[] {
  const dir = path.join(project.dir, folder);
  return existsSync(dir) ? readdirSync(dir).filter((f) => /\.[jt]s$/.test(f)).sort() : [];
}

/** `1767225660000-AddLocale.ts` → `AddLocale1767225660000`: the class name `typeorm migration:create` gives that file. */
export function classNameOf(file: string): string {
  const match = /^(\d{13})-(\w+)\.[jt]s$/.exec(file);
  expect(match, `${file} is named <13-digit ms>-<Name>.<ext>`).not.toBeNull();
  return `${match![2]}${match![1]}`;
}

/** What TypeORM has recorded as run (its migrations table), in order: class names. */
export async function executed(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string; timestamp: string }>(`SELECT name, timestamp::text FROM migrations ORDER BY id`).catch(() => ({ rows: [] as { name: string; timestamp: string }[] }));
  // the timestamp column holds the name's last 13 characters, as TypeORM parses them
  for (const row of rows) expect(row.timestamp).toBe(row.name.slice(-13));
  return rows.map((r) => r.name);
}

/** `migration:show`: the class names marked [X] (run) and [ ] (pending). */
export async function shown(project: TypeormProject): Promise<{ run: string[]; pending: string[] }> {
  const show = await typeorm(project, 'migration:show');
  expect(show.code, output(show)).toBe(0);
  const run = [...show.stdout.matchAll(/^\[X\] \d+ (\w+)$/gm)].map((m) => m[1]!);
  const pending = [...show.stdout.matchAll(/^\[ \] (\w+)$/gm)].map((m) => m[1]!);
  return { run, pending };
}

/** TypeORM's own bookkeeping table appears once it runs; the plan is about the application's tables. */
function applicationTable(table: { table: string }): boolean {
  return table.table !== 'public.migrations';
}

export function output(r: ProcessResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

/**
 * Drives the emitted classes with the TypeORM CLI the way an operator would, checking after every
 * command what a user checks (the introspected schema against the plan's prediction, TypeORM's
 * migrations table and migration:show), while `workload` plays the application and is redeployed
 * at each application step. TypeORM's migration:run runs every pending migration, so one step at
 * a time means one class at a time in the migrations folder: the others wait in held/ (outside
 * the glob), as if each had been written, committed and deployed on its own.
 *
 * 1. `migration:run` with one more class each time up to the point of no return; an application
 *    step first refuses without LIVESHIFT_DEPLOYED, then runs once the release is confirmed;
 * 2. `migration:revert` one step at a time back to the start: a plain revert (TypeORM opens a
 *    transaction in mode 'each') is refused with the `-t none` instruction and changes nothing;
 *    `-t none` restores the previous schema;
 * 3. `migration:run` over all classes release by release: it stops at the first step of the next release;
 * 4. past the point of no return, `migration:revert -t none` refuses and changes nothing; without
 *    one, every step is reverted again.
 */
export async function driveWithTypeorm(args: {
  project: TypeormProject;
  client: pg.ClientBase;
  workload: Workload;
  whenApplied?: () => Promise<void>;
  dataHolds?: (after: string) => Promise<void>;
  /** Checks once phase 4 ends with every step reverted (or nothing reverted past the point of no return). */
  whenDone?: () => Promise<void>;
}): Promise<{ plan: Plan; classes: string[] }> {
  const { project, client, workload } = args;
  const plan = await emittedPlan(project);
  const files = migrationFiles(project);
  expect(files).toHaveLength(plan.steps.length);
  const classes = files.map(classNameOf);
  const check = async (after: string) => args.dataHolds?.(after);
  const schema = async () => comparable(await introspectPostgres(client)).filter(applicationTable);
  const expected = (snapshot: SchemaSnapshot) => comparable(snapshot).filter(applicationTable);
  const held = path.join(project.dir, 'held');
  mkdirSync(held);
  for (const file of files) renameSync(path.join(project.dir, 'migrations', file), path.join(held, file));

  const snapshots = [await introspectPostgres(client)];
  const reversibleThrough = plan.pointOfNoReturn ? plan.pointOfNoReturn.step - 1 : plan.steps.length;

  // 1. run, one class at a time
  for (const step of plan.steps.slice(0, reversibleThrough)) {
    const file = files[step.n - 1]!;
    renameSync(path.join(held, file), path.join(project.dir, 'migrations', file));
    expect(await shown(project)).toEqual({ run: classes.slice(0, step.n - 1), pending: [classes[step.n - 1]] });
    if (step.kind === 'app') {
      const refused = await typeorm(project, 'migration:run');
      expect(refused.code, `step ${step.n} must wait for its release`).not.toBe(0);
      expect(output(refused)).toContain(`step ${step.n} waits for release ${step.deploy} to be live`);
      expect(output(refused)).toContain(`LIVESHIFT_DEPLOYED=${step.deploy} npx typeorm migration:run -d ${project.dataSource}`);
      expect(await executed(client)).toEqual(classes.slice(0, step.n - 1));
      workload.setRelease(releaseIndex(step.deploy));
    }
    const run = await typeorm(project, 'migration:run', [], step.deploy);
    expect(run.code, `migration:run of step ${step.n}: ${output(run)}`).toBe(0);
    expect(await executed(client)).toEqual(classes.slice(0, step.n));
    expect(await shown(project)).toEqual({ run: classes.slice(0, step.n), pending: [] });
    expect(await schema(), `schema after migration:run of step ${step.n} (${step.title})`).toEqual(expected(applyToSnapshot(snapshots[step.n - 1]!, step)));
    await check(`migration:run of step ${step.n}`);
    snapshots.push(await introspectPostgres(client));
  }
  for (const file of files.slice(reversibleThrough)) renameSync(path.join(held, file), path.join(project.dir, 'migrations', file));

  // 2. revert, one step at a time, in reverse
  for (const step of plan.steps.slice(0, reversibleThrough).reverse()) {
    let release = plan.steps[step.n - 1]!.deploy;
    if (step.rollback.kind === 'deploy') {
      // the older application goes back first; then the operator confirms it
      release = step.rollback.release;
      workload.setRelease(releaseIndex(release));
    }
    if (step.n === reversibleThrough) {
      // TypeORM's revert opens a transaction whatever the class says, unless -t none
      const wrapped = await typeorm(project, 'migration:revert', [], release);
      expect(wrapped.code, 'a plain migration:revert of a liveshift step').not.toBe(0);
      expect(output(wrapped)).toContain(`TypeORM opened a transaction around the rollback of liveshift step ${step.n}`);
      expect(output(wrapped)).toContain(`npx typeorm migration:revert -d ${project.dataSource} -t none`);
      expect(await executed(client)).toEqual(classes.slice(0, step.n));
      expect(await schema()).toEqual(expected(snapshots[step.n]!));
    }
    const revert = await typeorm(project, 'migration:revert', ['-t', 'none'], release);
    expect(revert.code, `migration:revert of step ${step.n}: ${output(revert)}`).toBe(0);
    expect(await executed(client)).toEqual(classes.slice(0, step.n - 1));
    expect(await schema(), `schema after migration:revert of step ${step.n} (${step.title})`).toEqual(expected(snapshots[step.n - 1]!));
    await check(`migration:revert of step ${step.n}`);
  }
  workload.setRelease(0);

  // 3. run all, release by release
  const lastRelease = Math.max(...plan.steps.map((s) => releaseIndex(s.deploy)));
  for (let r = 0; r <= lastRelease; r++) {
    workload.setRelease(r);
    const run = await typeorm(project, 'migration:run', [], r === 0 ? undefined : releaseName(r));
    const next = plan.steps.find((s) => releaseIndex(s.deploy) > r);
    if (next) {
      expect(run.code, `migration:run at release ${releaseName(r)} stops before step ${next.n}`).not.toBe(0);
      expect(output(run)).toContain(`step ${next.n} waits for release ${next.deploy}`);
      expect(await executed(client)).toEqual(classes.slice(0, next.n - 1));
    } else {
      expect(run.code, output(run)).toBe(0);
      expect(await executed(client)).toEqual(classes);
    }
  }
  const final = plan.steps.reduce((snap, step) => applyToSnapshot(snap, step), snapshots[0]!);
  expect(await schema(), 'schema after the whole plan').toEqual(expected(final));
  expect(await shown(project)).toEqual({ run: classes, pending: [] });
  await check('migration:run of the whole plan');
  await args.whenApplied?.();

  // 4. past the point of no return nothing goes back
  if (plan.pointOfNoReturn) {
    const refused = await typeorm(project, 'migration:revert', ['-t', 'none'], releaseName(lastRelease));
    expect(refused.code, 'migration:revert past the point of no return').not.toBe(0);
    expect(output(refused)).toContain('past the point of no return');
    expect(output(refused)).toContain('restore from a backup');
    expect(await executed(client)).toEqual(classes);
    expect(await schema()).toEqual(expected(final));
  } else {
    let release = lastRelease;
    for (const step of [...plan.steps].reverse()) {
      if (step.rollback.kind === 'deploy') {
        release = releaseIndex(step.rollback.release);
        workload.setRelease(release);
      }
      const revert = await typeorm(project, 'migration:revert', ['-t', 'none'], releaseName(release));
      expect(revert.code, `migration:revert of step ${step.n} after the whole plan: ${output(revert)}`).toBe(0);
      expect(await executed(client)).toEqual(classes.slice(0, step.n - 1));
    }
    expect(await schema(), 'schema after reverting every step').toEqual(expected(snapshots[0]!));
    await check('migration:revert of every step');
  }
  await args.whenDone?.();
  return { plan, classes };
}
