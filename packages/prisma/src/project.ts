import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { EXIT_BAD_INPUT, LiveshiftError, errorMessage } from '@liveshift/runtime';

/**
 * Where a Prisma 7 project keeps things, found the way Prisma's CLI finds them: prisma.config.ts
 * (loaded with Prisma's own loader, @prisma/config) for the schema, the migrations folder and the
 * database URL; without one, the schema at prisma/schema.prisma (or schema.prisma) with its
 * migrations beside it, and DATABASE_URL.
 */

export interface PrismaProjectOptions {
  cwd?: string;
  /** --config: a prisma.config.ts elsewhere. */
  config?: string;
  /** --schema: the schema file or folder, when there is no config (or to override it). */
  schema?: string;
  env?: NodeJS.ProcessEnv;
}

export interface PrismaProject {
  /** The project folder: the config file's folder, else the working directory. Commands run from here. */
  root: string;
  configFile: string | null;
  /** The schema file, or the folder of a multi-file schema. */
  schemaPath: string;
  migrationsDir: string;
  /** datasource.url of the config, else DATABASE_URL; undefined when neither is set. */
  databaseUrl: string | undefined;
  /** Where the URL came from, for messages (never the URL itself). */
  databaseUrlSource: string | undefined;
}

const DEFAULT_SCHEMAS = ['prisma/schema.prisma', 'schema.prisma', 'prisma/schema'];

export async function loadPrismaProject(options: PrismaProjectOptions = {}): Promise<PrismaProject> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  // loaded on use: the CLI imports this package for every command
  const { loadConfigFromFile } = await import('@prisma/config');
  const loaded = await loadConfigFromFile({ configRoot: cwd, ...(options.config ? { configFile: path.resolve(cwd, options.config) } : {}) });
  if (loaded.error) {
    const where = loaded.resolvedPath ?? options.config ?? 'prisma.config.ts';
    if (loaded.error._tag === 'ConfigFileNotFound') throw new LiveshiftError(`the Prisma config ${where} does not exist`, EXIT_BAD_INPUT);
    throw new LiveshiftError(`cannot load the Prisma config ${where}: ${errorMessage(loaded.error.error)}`, EXIT_BAD_INPUT, { cause: loaded.error.error });
  }
  const configFile = loaded.resolvedPath;
  const root = configFile ? path.dirname(configFile) : cwd;
  const config = loaded.config;

  let schemaPath: string | undefined;
  if (options.schema) schemaPath = path.resolve(cwd, options.schema);
  else if (config.schema) schemaPath = path.resolve(root, config.schema);
  else schemaPath = DEFAULT_SCHEMAS.map((s) => path.join(root, s)).find((s) => existsSync(s));
  if (!schemaPath || !existsSync(schemaPath)) {
    throw new LiveshiftError(
      `no Prisma schema found${schemaPath ? ` at ${schemaPath}` : ` in ${root} (looked for ${DEFAULT_SCHEMAS.join(', ')})`}; pass --schema <path> or set schema in prisma.config.ts`,
      EXIT_BAD_INPUT,
    );
  }
  const schemaDir = statSync(schemaPath).isDirectory() ? schemaPath : path.dirname(schemaPath);
  const migrationsDir = config.migrations?.path ? path.resolve(root, config.migrations.path) : path.join(schemaDir, 'migrations');

  const fromConfig = config.datasource?.url;
  const databaseUrl = fromConfig || env.DATABASE_URL || undefined;
  const databaseUrlSource = fromConfig ? `datasource.url in ${path.basename(configFile ?? 'prisma.config.ts')}` : env.DATABASE_URL ? 'DATABASE_URL' : undefined;
  return { root, configFile, schemaPath, migrationsDir, databaseUrl, databaseUrlSource };
}

/** The migration folders (`<14 digits>_<name>`), sorted as Prisma sorts them. */
export function migrationFolders(migrationsDir: string): string[] {
  if (!existsSync(migrationsDir)) return [];
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
}

/**
 * The time to stamp new folders from: now, or one second after the latest existing folder when
 * that one is stamped later (clock skew, a folder from the future), so new folders sort last.
 */
export function nextStamp(migrationsDir: string, now = new Date()): Date {
  const stamps = migrationFolders(migrationsDir)
    .map((name) => /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})_/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  const latest = Math.max(-Infinity, ...stamps);
  const floor = Math.floor(now.getTime() / 1000) * 1000;
  return new Date(Math.max(floor, latest + 1000));
}
