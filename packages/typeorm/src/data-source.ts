import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXIT_BAD_INPUT, LiveshiftError, errorMessage, sessionOverConnection, type DatabaseEngine, type EngineSession } from '@liveshift/runtime';

/**
 * Reads a TypeORM data source file the way the TypeORM CLI does (`-d <path>`, resolved from the
 * working directory): through the project's own TypeORM (`CommandUtils.loadDataSource`), so the
 * rules are TypeORM's — the default export, or the single exported DataSource (which may be a
 * Promise). TypeScript files load through tsx when the project (or liveshift) has it.
 * Migration globs are relative to the working directory, as TypeORM resolves them.
 */

export interface TypeormProjectOptions {
  dataSource: string;
  cwd?: string;
}

/** The parts of a TypeORM DataSource this reads; TypeORM 1.x's DataSource has them. */
export interface DataSourceLike {
  readonly options: {
    readonly type?: unknown;
    readonly migrations?: readonly unknown[] | Record<string, unknown>;
    readonly migrationsTransactionMode?: 'all' | 'each' | 'none';
    readonly migrationsTableName?: string;
    readonly database?: unknown;
  };
  setOptions(options: Record<string, unknown>): unknown;
  initialize(): Promise<unknown>;
  destroy(): Promise<void>;
  readonly isInitialized: boolean;
  createQueryRunner(): { connect(): Promise<unknown>; release(): Promise<void> };
  readonly driver: { createSchemaBuilder(): { log(): Promise<{ upQueries: SchemaQuery[]; downQueries: SchemaQuery[] }> } };
}

/** One statement of TypeORM's schema diff (its `Query`). */
export interface SchemaQuery {
  query: string;
  parameters?: unknown[];
}

export interface TypeormProject {
  dataSourceFile: string;
  /** Where new migrations go: the folder the first migrations glob points to; undefined when migrations are given as classes only. */
  migrationsDirectory: string | undefined;
  /** The glob(s) as configured, for messages. */
  migrationGlobs: string[];
  /** From the glob's extension (`*.ts` / `*.js`), else the data source file's own. */
  language: 'js' | 'ts';
  /** `migrationsTransactionMode` as configured (TypeORM's default is "all"). */
  transactionMode: 'all' | 'each' | 'none';
  /** The engine family the data source's driver talks to. */
  engine: DatabaseEngine;
  /** The data source's `type`. */
  type: string;
  /**
   * Runs `work` on the initialized data source (schema sync, migrationsRun and dropSchema forced
   * off, as TypeORM's CLI does) and a session over its query runner's connection, then closes it.
   */
  withDataSource<T>(work: (dataSource: DataSourceLike, session: EngineSession) => Promise<T>): Promise<T>;
}

/**
 * TypeORM data source types liveshift runs on, per engine family. TypeORM's `sqlite` type drives
 * the `sqlite3` package, whose connection liveshift's SQLite runtime (better-sqlite3) cannot use.
 */
export const TYPEORM_TYPES: Record<DatabaseEngine, readonly string[]> = {
  postgres: ['postgres'],
  mysql: ['mysql', 'mariadb'],
  sqlite: ['better-sqlite3'],
};

export function engineOfTypeormType(type: unknown): DatabaseEngine | undefined {
  return (Object.keys(TYPEORM_TYPES) as DatabaseEngine[]).find((engine) => TYPEORM_TYPES[engine].includes(String(type)));
}

const TYPESCRIPT = /\.[cm]?ts$/;

export async function loadTypeormProject(options: TypeormProjectOptions): Promise<TypeormProject> {
  const cwd = options.cwd ?? process.cwd();
  const dataSourceFile = path.resolve(cwd, options.dataSource);
  if (!existsSync(dataSourceFile)) throw new LiveshiftError(`data source file ${dataSourceFile} does not exist`, EXIT_BAD_INPUT);
  const typeorm = await projectModule(dataSourceFile, 'typeorm/commands/CommandUtils.js');
  if (!typeorm) throw new LiveshiftError(`cannot load TypeORM for ${dataSourceFile}: install typeorm in the project`, EXIT_BAD_INPUT);
  const { CommandUtils } = (await import(typeorm)) as { CommandUtils: { loadDataSource(file: string): Promise<DataSourceLike> } };
  if (TYPESCRIPT.test(dataSourceFile)) await registerTsx(dataSourceFile);

  let dataSource: DataSourceLike;
  try {
    dataSource = await CommandUtils.loadDataSource(dataSourceFile);
  } catch (error) {
    const unknownExtension = /ERR_UNKNOWN_FILE_EXTENSION|Unknown file extension/.test(`${(error as { cause?: { code?: string } }).cause?.code ?? ''} ${errorMessage(error)}`);
    throw new LiveshiftError(
      unknownExtension
        ? `cannot load ${dataSourceFile}: Node needs a TypeScript loader for it; install tsx in the project, or run NODE_OPTIONS="--import tsx" liveshift typeorm ...`
        : `cannot load the data source: ${errorMessage(error)}`,
      EXIT_BAD_INPUT,
      { cause: error },
    );
  }
  const engine = engineOfTypeormType(dataSource.options.type);
  if (!engine) {
    throw new LiveshiftError(
      `${dataSourceFile} is a TypeORM data source of type ${JSON.stringify(dataSource.options.type ?? null)}; liveshift plans for the types ` +
        `${Object.values(TYPEORM_TYPES).flat().map((t) => `"${t}"`).join(', ')}${dataSource.options.type === 'sqlite' ? ' (for SQLite, use type "better-sqlite3")' : ''}`,
      EXIT_BAD_INPUT,
    );
  }
  const migrations = dataSource.options.migrations;
  const migrationGlobs = (Array.isArray(migrations) ? migrations : Object.values(migrations ?? {})).filter((m): m is string => typeof m === 'string');
  const firstGlob = migrationGlobs[0];
  const globExtension = firstGlob ? /\.\{?([a-z,]+)\}?$/.exec(firstGlob)?.[1] ?? '' : '';
  const language = globExtension === 'ts' ? 'ts' : globExtension === 'js' ? 'js' : TYPESCRIPT.test(dataSourceFile) ? 'ts' : 'js';
  return {
    dataSourceFile,
    migrationsDirectory: firstGlob === undefined ? undefined : path.resolve(cwd, staticPrefix(firstGlob)),
    migrationGlobs,
    language,
    transactionMode: dataSource.options.migrationsTransactionMode ?? 'all',
    engine,
    type: String(dataSource.options.type),
    withDataSource: (work) => withDataSource(dataSource, engine, work),
  };
}

/** `src/migrations/*.ts` → `src/migrations`; `db/**\/*.{js,ts}` → `db`; `*.js` → `.`. */
export function staticPrefix(glob: string): string {
  const parts = glob.split(/[\\/]/);
  const fixed: string[] = [];
  for (const part of parts) {
    if (/[*?[\]{}()!]/.test(part)) break;
    fixed.push(part);
  }
  // no wildcard at all: a folder (`dist/migrations/`), or one migration file whose folder it is
  if (fixed.length === parts.length && /\.[cm]?[jt]s$/.test(fixed[fixed.length - 1] ?? '')) fixed.pop();
  return fixed.join('/').replace(/(.)\/+$/, '$1') || '.';
}

async function withDataSource<T>(dataSource: DataSourceLike, engine: DatabaseEngine, work: (dataSource: DataSourceLike, session: EngineSession) => Promise<T>): Promise<T> {
  // as TypeORM's own migration commands do: never synchronize or drop the schema while reading it
  dataSource.setOptions({ synchronize: false, migrationsRun: false, dropSchema: false, logging: false });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new LiveshiftError(`cannot connect with the data source: ${errorMessage(error)}`, EXIT_BAD_INPUT, { cause: error });
  }
  try {
    const queryRunner = dataSource.createQueryRunner();
    try {
      const session = sessionOverConnection(engine, await queryRunner.connect());
      if (!session) throw new LiveshiftError(`TypeORM's ${String(dataSource.options.type)} driver gave liveshift a connection it cannot read the schema through`, EXIT_BAD_INPUT);
      return await work(dataSource, session);
    } finally {
      await queryRunner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

/** A module resolved from the project (the data source's folder), else from liveshift's own dependencies. */
async function projectModule(fromFile: string, specifier: string): Promise<string | undefined> {
  for (const base of [fromFile, import.meta.url]) {
    try {
      return pathToFileURL(createRequire(base).resolve(specifier)).href;
    } catch {
      // not there: try the next place
    }
  }
  return undefined;
}

/**
 * TypeScript data sources (and the entities they import) load through tsx, for import() and
 * require() alike: its main entry is what `node --import tsx` loads, and it registers both.
 */
async function registerTsx(fromFile: string): Promise<void> {
  for (const base of [fromFile, fileURLToPath(import.meta.url)]) {
    let manifest: string;
    try {
      manifest = createRequire(base).resolve('tsx/package.json');
    } catch {
      continue; // no tsx there: try the next place; without any, loading says which loader is missing
    }
    const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> }).exports?.['.'];
    const entry = typeof exports === 'string' ? exports : (exports as { import?: string; default?: string } | undefined)?.import ?? (exports as { default?: string } | undefined)?.default;
    if (!entry) return;
    await import(pathToFileURL(path.join(path.dirname(manifest), entry)).href);
    return;
  }
}
