import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT_BAD_INPUT, LiveshiftError, errorMessage, sessionOverConnection, type DatabaseEngine, type EngineSession } from '@liveshift/runtime';

/**
 * Reads a knexfile the way the knex CLI does: the file named by --knexfile or the first
 * knexfile.{js,cjs,mjs,ts} found from the working directory upwards; a module that exports the
 * configuration, a default export, or a (possibly async) function returning it; the environment
 * from --env, else NODE_ENV, else "development", when the file holds one configuration per
 * environment. Relative migration directories are relative to the knexfile, as for knex (its CLI
 * changes to the knexfile's folder).
 */

export interface KnexProjectOptions {
  knexfile?: string;
  env?: string;
  cwd?: string;
}

export interface KnexProject {
  knexfile: string;
  /** The environment used, or undefined when the knexfile holds a single configuration. */
  environment: string | undefined;
  /** Where new migrations go: the last configured directory, as `knex migrate:make` does. */
  migrationsDirectory: string;
  /** From migrations.extension, else the knexfile's own extension. */
  language: 'js' | 'ts';
  /** The knex client name (pg, postgresql, mysql2, better-sqlite3, ...). */
  client: string;
  /** The engine family the client talks to. */
  engine: DatabaseEngine;
  /** Opens a connection with the knexfile's settings (through the project's own knex) and runs `work` on it as an engine session. */
  withSession<T>(work: (session: EngineSession) => Promise<T>): Promise<T>;
}

/** knex client names per engine family (knex's own aliases included). */
export const KNEX_CLIENTS: Record<DatabaseEngine, readonly string[]> = {
  postgres: ['pg', 'postgres', 'postgresql'],
  mysql: ['mysql', 'mysql2'],
  sqlite: ['better-sqlite3', 'sqlite3', 'sqlite'],
};

export function engineOfKnexClient(client: string): DatabaseEngine | undefined {
  return (Object.keys(KNEX_CLIENTS) as DatabaseEngine[]).find((engine) => KNEX_CLIENTS[engine].includes(client));
}

const KNEXFILE_NAMES = ['knexfile.js', 'knexfile.cjs', 'knexfile.mjs', 'knexfile.ts'];

interface KnexConfig {
  client?: unknown;
  migrations?: { directory?: string | string[]; extension?: string; loadExtensions?: string[] };
  [key: string]: unknown;
}

export async function loadKnexProject(options: KnexProjectOptions = {}): Promise<KnexProject> {
  const cwd = options.cwd ?? process.cwd();
  const knexfile = options.knexfile ? path.resolve(cwd, options.knexfile) : findKnexfile(cwd);
  if (!existsSync(knexfile)) throw new LiveshiftError(`knexfile ${knexfile} does not exist`, EXIT_BAD_INPUT);

  const all = await importKnexfile(knexfile);
  const environment = options.env ?? process.env.NODE_ENV ?? 'development';
  const perEnvironment = typeof all[environment] === 'object' && all[environment] !== null;
  if (!perEnvironment && options.env) {
    throw new LiveshiftError(`${knexfile} has no configuration for environment "${options.env}"`, EXIT_BAD_INPUT);
  }
  const config = (perEnvironment ? all[environment] : all) as KnexConfig;
  const client = typeof config.client === 'string' ? config.client : typeof config.client === 'function' ? (config.client as { name?: string }).name ?? '' : '';
  const engine = engineOfKnexClient(client);
  if (!engine) {
    throw new LiveshiftError(
      `${knexfile}${perEnvironment ? ` (environment "${environment}")` : ''} uses knex client ${JSON.stringify(config.client ?? null)}; ` +
        `liveshift plans for the knex clients ${Object.values(KNEX_CLIENTS).flat().join(', ')}`,
      EXIT_BAD_INPUT,
    );
  }
  const directories = config.migrations?.directory ?? './migrations';
  const directory = Array.isArray(directories) ? directories[directories.length - 1] ?? './migrations' : directories;
  const extension = (config.migrations?.extension ?? path.extname(knexfile).slice(1)).replace(/^\./, '');
  return {
    knexfile,
    environment: perEnvironment ? environment : undefined,
    migrationsDirectory: path.resolve(path.dirname(knexfile), directory),
    language: extension === 'ts' ? 'ts' : 'js',
    client,
    engine,
    withSession: (work) => withKnexSession(knexfile, config, engine, work),
  };
}

function findKnexfile(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of KNEXFILE_NAMES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir) {
      throw new LiveshiftError(`no knexfile found in ${cwd} or above it (looked for ${KNEXFILE_NAMES.join(', ')}); pass --knexfile <path>`, EXIT_BAD_INPUT);
    }
  }
}

async function importKnexfile(knexfile: string): Promise<Record<string, unknown>> {
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(knexfile).href);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new LiveshiftError(
        `cannot load ${knexfile}: Node needs a TypeScript loader for it, e.g. NODE_OPTIONS="--import tsx" liveshift knex make ... (the same loader knex itself needs for .ts migrations)`,
        EXIT_BAD_INPUT,
        { cause: error },
      );
    }
    throw new LiveshiftError(`cannot load ${knexfile}: ${errorMessage(error)}`, EXIT_BAD_INPUT, { cause: error });
  }
  let config = loaded as Record<string, unknown> & { default?: unknown };
  // ESM default export, or CommonJS module.exports seen through import()
  while (config && typeof config === 'object' && 'default' in config && config.default !== undefined) config = config.default as typeof config;
  if (typeof config === 'function') config = await (config as () => unknown)() as typeof config;
  if (typeof config !== 'object' || config === null) {
    throw new LiveshiftError(`${knexfile} does not export a knex configuration (an object, or a function returning one)`, EXIT_BAD_INPUT);
  }
  return config;
}

/** The project's own knex (the one its migrations run with), else the one beside liveshift. */
async function importKnex(knexfile: string): Promise<(config: unknown) => KnexInstance> {
  let specifier = 'knex';
  try {
    specifier = pathToFileURL(createRequire(knexfile).resolve('knex')).href;
  } catch {
    // not installed in the project: fall back to a knex resolvable from here
  }
  try {
    const mod = (await import(specifier)) as { default?: unknown; knex?: unknown };
    const factory = (mod.knex ?? mod.default) as ((config: unknown) => KnexInstance) | undefined;
    if (typeof factory !== 'function') throw new Error('the knex module exports no factory');
    return factory;
  } catch (error) {
    throw new LiveshiftError(`cannot load knex for ${knexfile}: ${errorMessage(error)} (install knex in the project)`, EXIT_BAD_INPUT, { cause: error });
  }
}

interface KnexInstance {
  client: { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<unknown> };
  destroy(): Promise<void>;
}

async function withKnexSession<T>(knexfile: string, config: KnexConfig, engine: DatabaseEngine, work: (session: EngineSession) => Promise<T>): Promise<T> {
  const knex = (await importKnex(knexfile))({ ...config, pool: { min: 0, max: 1 } });
  try {
    const connection = await knex.client.acquireConnection();
    try {
      const session = sessionOverConnection(engine, connection);
      if (!session) throw new LiveshiftError(`liveshift cannot read the schema through knex's ${JSON.stringify(config.client)} connection yet: plan from a snapshot with --snapshot`, EXIT_BAD_INPUT);
      return await work(session);
    } finally {
      await knex.client.releaseConnection(connection);
    }
  } finally {
    await knex.destroy();
  }
}
