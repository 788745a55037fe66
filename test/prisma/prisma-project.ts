import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { expect } from 'vitest';
import { parsePlanJson, releaseIndex, type Plan, type SchemaSnapshot } from '@liveshift/core';
import { introspectPostgres } from '@liveshift/runtime';
import { liveshift, type CliResult } from '../cli/run-cli.js';
import { comparable } from '../support/schema-compare.js';
import { runNode, scratchProject, TEST_DIR, type ProcessResult, type ScratchProject } from '../support/scratch-project.js';
import type { Workload } from '../support/workload.js';

/**
 * Prisma 7 projects for tests, run by Prisma's own CLI. Its native schema engine cannot be
 * downloaded here; PRISMA_SCHEMA_ENGINE_BINARY points the CLI at schema-engine-shim.mjs, which
 * serves it with Prisma's engine compiled to WebAssembly (see the shim's header).
 */

export const PRISMA_CLI = path.join(TEST_DIR, 'node_modules/prisma/build/index.js');
export const SCHEMA_ENGINE_SHIM = path.join(TEST_DIR, 'prisma/schema-engine-shim.mjs');
export const MIGRATIONS = 'prisma/migrations';
export const INIT_MIGRATION = '20200101000000_init';

export interface PrismaProject extends ScratchProject {
  url: string;
  migrationsDir: string;
  /** What every process in the project gets: the database URL, the engine, the project's bin folder. */
  env: Record<string, string>;
}

/** The environment `npx prisma` would give a project here, with the engine the tests can run. */
export function prismaEnv(url: string): Record<string, string> {
  return {
    DATABASE_URL: url,
    PRISMA_SCHEMA_ENGINE_BINARY: SCHEMA_ENGINE_SHIM,
    // no update check over the network, no telemetry
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PATH: `${path.join(TEST_DIR, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
}

const CONFIG = `import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL! },
});
`;

/**
 * A project whose history starts with `init` (the tables as they are): `baseline` records it as
 * applied the way Prisma's docs baseline an existing database (`migrate resolve --applied`).
 */
export function prismaProject(url: string, options: { init: string; schema: string; extraFiles?: Record<string, string> }): PrismaProject {
  const project = scratchProject('prisma', {
    'package.json': JSON.stringify({ name: 'app', private: true, type: 'module' }, null, 2),
    'prisma.config.ts': CONFIG,
    'prisma/schema.prisma': options.schema,
    [`${MIGRATIONS}/${INIT_MIGRATION}/migration.sql`]: options.init,
    ...options.extraFiles,
  });
  return { ...project, url, migrationsDir: path.join(project.dir, MIGRATIONS), env: prismaEnv(url) };
}

export function prisma(project: PrismaProject, args: string[]): Promise<ProcessResult> {
  return runNode([PRISMA_CLI, ...args], { cwd: project.dir, env: project.env });
}

export function liveshiftIn(project: PrismaProject, args: string[]): Promise<CliResult> {
  return liveshift(args, { cwd: project.dir, env: project.env });
}

export function output(r: ProcessResult): string {
  return `${r.stdout}\n${r.stderr}`;
}

export async function baseline(project: PrismaProject): Promise<void> {
  const resolved = await prisma(project, ['migrate', 'resolve', '--applied', INIT_MIGRATION]);
  expect(resolved.code, output(resolved)).toBe(0);
}

export interface PrismaRow {
  migration_name: string;
  finished: boolean;
  rolled_back: boolean;
  logs: string | null;
}

/** `_prisma_migrations`, oldest first. */
export async function prismaRows(client: pg.ClientBase): Promise<PrismaRow[]> {
  const { rows } = await client.query<PrismaRow>(
    `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back, logs FROM _prisma_migrations ORDER BY started_at, migration_name`,
  );
  return rows;
}

/** The folders Prisma counts as applied: a finished row not rolled back. */
export async function appliedFolders(client: pg.ClientBase): Promise<string[]> {
  return (await prismaRows(client)).filter((r) => r.finished && !r.rolled_back).map((r) => r.migration_name).sort();
}

export function migrationFolders(project: PrismaProject, dir = project.migrationsDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

export function emittedPlan(project: PrismaProject): { plan: Plan; planFile: string } {
  const [file] = readdirSync(project.migrationsDir).filter((f) => f.endsWith('.liveshift.json'));
  expect(file, 'the plan beside the migrations').toBeDefined();
  return { plan: parsePlanJson(readFileSync(path.join(project.migrationsDir, file!), 'utf8')), planFile: `${MIGRATIONS}/${file}` };
}

/** The step a liveshift folder runs, from its header. */
export function folderStep(project: PrismaProject, folder: string, dir = project.migrationsDir): { step: number; role: string } {
  const m = /^-- liveshift-folder: plan=\S+ step=(\d+) role=(\w+)$/m.exec(readFileSync(path.join(dir, folder, 'migration.sql'), 'utf8'));
  expect(m, `${folder} has a liveshift header`).not.toBeNull();
  return { step: Number(m![1]), role: m![2]! };
}

/** Prisma's and liveshift's own tables appear once they run; the plan is about the application's tables. */
function applicationTable(table: { table: string }): boolean {
  return table.table !== 'public._prisma_migrations';
}

export async function schemaOf(client: pg.ClientBase) {
  return comparable(await introspectPostgres(client)).filter(applicationTable);
}

export function expectedSchema(snapshot: SchemaSnapshot) {
  return comparable(snapshot).filter(applicationTable);
}

/**
 * The commands a guard's message tells the operator to run ("  2. npx liveshift apply ..."), in
 * order; "deploy release A+1 ..." lines are application deploys.
 */
export function guardInstructions(text: string): string[] {
  const start = text.indexOf('liveshift: ');
  expect(start, `a liveshift guard message in: ${text}`).toBeGreaterThanOrEqual(0);
  return [...text.slice(start).matchAll(/^\s+\d+\. (.+)$/gm)].map((m) => m[1]!.trim());
}

/**
 * Does what a guard's message says, as an operator would: deploys the release (the workload
 * switches to it), runs the liveshift and prisma commands it names. The URL is the project's.
 */
export async function followInstructions(project: PrismaProject, instructions: string[], workload: Workload, after?: (command: string) => Promise<void>): Promise<void> {
  for (const instruction of instructions) {
    const deploy = /^deploy release (A(?:\+\d+)?) /.exec(instruction);
    if (deploy) {
      workload.setRelease(releaseIndex(deploy[1]!));
      continue;
    }
    if (instruction.startsWith('npx ')) {
      const args = instruction.replace(/\s+\(this .*\)$/, '').split(/\s+/).slice(1).map((a) => (a === '"$DATABASE_URL"' ? project.url : a));
      const [tool, ...rest] = args;
      if (tool === 'prisma' && rest[0] === 'migrate' && rest[1] === 'deploy') return; // the caller deploys and checks
      const result = tool === 'prisma' ? await prisma(project, rest) : await liveshiftIn(project, rest);
      expect(result.code, `${instruction}: ${output(result)}`).toBe(0);
      await after?.(instruction);
      continue;
    }
    // "step 3 belongs to release A+2 ...: wait until ...": nothing to run
  }
}

/** Emitted folders moved aside, to be put back one at a time (Prisma has no "deploy up to X"). */
export function holdFolders(project: PrismaProject, folders: string[]): { release(folder: string): void } {
  const holding = path.join(project.dir, 'held-migrations');
  mkdirSync(holding, { recursive: true });
  for (const folder of folders) renameSync(path.join(project.migrationsDir, folder), path.join(holding, folder));
  return {
    release(folder: string) {
      if (existsSync(path.join(project.migrationsDir, folder))) return;
      cpSync(path.join(holding, folder), path.join(project.migrationsDir, folder), { recursive: true });
    },
  };
}

/** The users table as seedUsers creates it, as the project's first migration (baselined). */
export function usersInit(fullNameNotNull: boolean): string {
  return `CREATE TABLE "users" (
    "id" BIGSERIAL NOT NULL,
    "full_name" TEXT${fullNameNotNull ? ' NOT NULL' : ''},
    "email" TEXT,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);
`;
}

export const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';
