import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { planChange, SNAPSHOT_FORMAT, type Plan, type PlanOptions, type SchemaSnapshot } from '@liveshift/core';
import { EXIT_BAD_INPUT, EXIT_FAILED, LiveshiftError, introspectPostgres, redactUrl, sqlState } from '@liveshift/runtime';
import { prismaAdapter } from './adapter.js';
import { lockfileProvider, migrationLockContents, MIGRATION_LOCK_FILE } from './lockfile.js';
import { loadPrismaProject, migrationFolders, nextStamp, type PrismaProject } from './project.js';
import { schemaChange, schemaDeclarations, type DmmfModel } from './schema-change.js';
import { writeAllOrNothing } from './write.js';

/**
 * The generator's work (`generator liveshift { provider = "liveshift-prisma" }`, run by
 * `prisma generate`): compare schema.prisma with the schema the migrations folder produces and
 * write the safe folders for the difference.
 *
 * - The difference is Prisma's own: `prisma migrate diff --from-migrations <dir> --to-schema
 *   <schema> --script`, run with the project's Prisma CLI (so with whatever schema engine the
 *   project runs). It replays the folders on a shadow database, so it sees exactly what they
 *   produce — hand-written SQL included — and it is empty once the folders for a change are
 *   written, so running `prisma generate` again writes nothing.
 * - Renames and backfills are declared in schema.prisma (see schema-change.ts).
 * - The schema is read with @prisma/internals' getDMMF (WebAssembly; no engine binary).
 * - The plan needs table facts (sizes decide between the online recipe and a one-statement change
 *   on a small table): a `liveshift snapshot` of production named by `snapshot` in the generator
 *   block, else the project's database, which must then be at the state the migrations produce.
 */

export type GeneratorConfig = Record<string, string | string[] | undefined>;

export interface SafeMigrationsOptions {
  /** The schema file (options.schemaPath of the generator). */
  schemaPath: string;
  /** The schema text (options.datamodel). */
  datamodel: string;
  /** The generator block's settings: snapshot, smallTableBytes, batchSize, lockTimeout, sync, name, config. */
  config?: GeneratorConfig;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Lines for the user; the generator prints them on standard output (standard error carries Prisma's protocol). */
  log?: (line: string) => void;
  now?: Date;
}

export interface SafeMigrationsResult {
  plan?: Plan;
  written: string[];
  message: string;
}

export async function generateSafeMigrations(options: SafeMigrationsOptions): Promise<SafeMigrationsResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const env = options.env ?? process.env;
  const config = options.config ?? {};
  const project = await loadPrismaProject({ cwd: options.cwd, config: setting(config, 'config'), schema: options.schemaPath, env });
  const written: string[] = [];

  // Prisma's differ needs the lockfile to know the provider; write it as Prisma would
  const lock = path.join(project.migrationsDir, MIGRATION_LOCK_FILE);
  if (existsSync(lock)) {
    const provider = lockfileProvider(readFileSync(lock, 'utf8'));
    if (provider !== 'postgresql') throw new LiveshiftError(`${lock} says provider = ${JSON.stringify(provider ?? null)}; liveshift writes PostgreSQL migrations`, EXIT_BAD_INPUT);
  } else if (migrationFolders(project.migrationsDir).length > 0) {
    written.push(...(await writeAllOrNothing(project.migrationsDir, [{ path: MIGRATION_LOCK_FILE, contents: migrationLockContents() }])));
  }

  const diff = await prismaMigrateDiff(project, options.schemaPath, setting(config, 'config'), env);
  if (!hasStatements(diff)) {
    const message = `liveshift: schema.prisma and ${rel(project, project.migrationsDir)} agree; no migration to write`;
    log(message);
    return { written, message };
  }
  // loaded here, not at startup: @prisma/internals is large, and the CLI imports this package
  const { default: internals } = await import('@prisma/internals');
  const dmmf = await internals.getDMMF({ datamodel: options.datamodel });
  const declarations = schemaDeclarations(dmmf.datamodel.models as unknown as DmmfModel[]);
  const snapshot = await planningSnapshot(project, config, env, log);
  const change = await schemaChange(diff, declarations, snapshot);
  for (const warning of change.warnings) log(`liveshift: warning: ${warning}`);
  const plan = await planChange({ intents: change.intents }, snapshot, planOptions(config));

  const files = prismaAdapter.emit(plan, {
    now: options.now ?? nextStamp(project.migrationsDir),
    name: setting(config, 'name'),
    migrationsPath: rel(project, project.migrationsDir),
  });
  written.push(...(await writeAllOrNothing(project.migrationsDir, files)));
  const folders = [...new Set(files.filter((f) => f.path.includes('/')).map((f) => f.path.split('/')[0]!))];
  const runbook = files.find((f) => f.path.endsWith('.liveshift.md'))!.path;
  const lines = [
    `liveshift: schema.prisma differs from what ${rel(project, project.migrationsDir)} produces; wrote ${folders.length} safe migration folder(s) for it:`,
    ...(change.renamed.length ? [`  renames (declared with @liveshift.renamedFrom): ${change.renamed.join(', ')}`] : []),
    ...folders.map((f) => `  ${f}`),
    `  what to run when: ${rel(project, path.join(project.migrationsDir, runbook))}`,
    'Deploy with npx prisma migrate deploy; where it stops, its error says what to run.',
  ];
  lines.forEach((line) => log(line));
  return { plan, written, message: lines[0]! };
}

function setting(config: GeneratorConfig, key: string): string | undefined {
  const value = config[key];
  return Array.isArray(value) ? value[0] : value;
}

function planOptions(config: GeneratorConfig): PlanOptions {
  const options: PlanOptions = {};
  const number = (key: string) => {
    const value = setting(config, key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new LiveshiftError(`generator liveshift: ${key} = "${value}" is not a whole number`, EXIT_BAD_INPUT);
    return Number(value);
  };
  const sync = setting(config, 'sync');
  if (sync !== undefined) {
    if (sync !== 'app' && sync !== 'trigger') throw new LiveshiftError(`generator liveshift: sync = "${sync}": expected "app" or "trigger"`, EXIT_BAD_INPUT);
    options.sync = sync;
  }
  const batchSize = number('batchSize');
  if (batchSize !== undefined) options.batchSize = batchSize;
  const lockTimeout = number('lockTimeout');
  if (lockTimeout !== undefined) options.lockTimeoutMs = lockTimeout;
  const small = number('smallTableBytes');
  if (small !== undefined) options.smallTableBytes = small;
  return options;
}

function rel(project: PrismaProject, p: string): string {
  return path.relative(project.root, p).split(path.sep).join('/') || '.';
}

function hasStatements(sql: string): boolean {
  return sql.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--'));
}

/** Prisma's own diff, through the project's Prisma CLI. */
async function prismaMigrateDiff(project: PrismaProject, schemaPath: string, configFile: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  let cli: string;
  try {
    cli = createRequire(path.join(project.root, 'package.json')).resolve('prisma/build/index.js');
  } catch {
    throw new LiveshiftError(`cannot find the prisma CLI from ${project.root}: install prisma in the project`, EXIT_BAD_INPUT);
  }
  const args = [cli, 'migrate', 'diff', '--from-migrations', project.migrationsDir, '--to-schema', schemaPath, '--script', ...(configFile ? ['--config', configFile] : [])];
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: project.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  if (result.code !== 0) {
    throw new LiveshiftError(`prisma migrate diff --from-migrations failed (exit code ${result.code}):\n${result.stderr.trim() || result.stdout.trim()}`, EXIT_FAILED);
  }
  return result.stdout;
}

/** The facts to plan with: the snapshot the generator block names, else the project's database. */
async function planningSnapshot(project: PrismaProject, config: GeneratorConfig, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<SchemaSnapshot> {
  const file = setting(config, 'snapshot');
  if (file) {
    const full = path.resolve(project.root, file);
    if (!existsSync(full)) throw new LiveshiftError(`generator liveshift: snapshot ${file} does not exist (write one with liveshift snapshot --db <url> --out ${file})`, EXIT_BAD_INPUT);
    const snapshot = JSON.parse(readFileSync(full, 'utf8')) as SchemaSnapshot;
    if (snapshot?.format !== SNAPSHOT_FORMAT) throw new LiveshiftError(`generator liveshift: ${file} is not a liveshift snapshot`, EXIT_BAD_INPUT);
    log(`liveshift: planning with the table facts of ${file}`);
    return snapshot;
  }
  const url = project.databaseUrl ?? env.DATABASE_URL;
  if (!url) {
    throw new LiveshiftError('liveshift needs table facts to plan: set datasource.url in prisma.config.ts, or snapshot = "<file>" in the generator block', EXIT_BAD_INPUT);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const pending = await pendingFolders(client, migrationFolders(project.migrationsDir));
    if (pending.length) {
      throw new LiveshiftError(
        `the database at ${redactUrl(url)} is not at the state the migrations produce (not applied: ${pending.join(', ')}); ` +
          'liveshift plans against that state: apply them first (npx prisma migrate deploy), or name a snapshot in the generator block (snapshot = "<file>")',
        EXIT_BAD_INPUT,
      );
    }
    log(`liveshift: planning with the table facts of ${redactUrl(url)}`);
    return await introspectPostgres(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function pendingFolders(client: pg.Client, folders: string[]): Promise<string[]> {
  try {
    const { rows } = await client.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
    const applied = new Set(rows.map((r) => r.migration_name));
    return folders.filter((f) => !applied.has(f));
  } catch (error) {
    if (sqlState(error) === '42P01') return folders;
    throw error;
  }
}
