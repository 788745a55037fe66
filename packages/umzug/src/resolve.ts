import { pathToFileURL } from 'node:url';
import type { MigrationFn, MigrationParams, RunnableMigration } from 'umzug';
import { EXIT_BAD_INPUT, LiveshiftError, errorMessage } from '@liveshift/runtime';

const MODULE_EXTENSION = /\.[cm]?[jt]s$/;

/** A migration's recorded name: its file name without the extension, so `x.ts` run with tsx and `x.js` compiled from it are one migration. */
export function migrationName(fileName: string): string {
  return fileName.replace(MODULE_EXTENSION, '');
}

interface MigrationModule {
  up?: MigrationFn<unknown>;
  down?: MigrationFn<unknown>;
}

/**
 * An Umzug `resolve` for migration modules (.js, .cjs, .mjs, .ts with a loader such as tsx): loads
 * the module with `import()` when it runs (ES modules and CommonJS alike) and records it under its
 * name without the extension. Otherwise as Umzug's default resolver: `up` and `down` receive
 * `{ name, path, context }`, and a module without `down` reverts as a no-op.
 */
export function resolveMigration<Ctx>(params: MigrationParams<Ctx>): RunnableMigration<Ctx> {
  const file = params.path;
  if (!file) throw new LiveshiftError(`migration ${params.name} has no file: resolveMigration loads migrations found by a glob`, EXIT_BAD_INPUT);
  const name = migrationName(params.name);
  let loaded: Promise<MigrationModule> | undefined;
  const load = () => (loaded ??= importMigration(file));
  return {
    name,
    path: file,
    up: async ({ context }) => {
      const { up } = await load();
      if (typeof up !== 'function') throw new LiveshiftError(`${file} exports no up function`, EXIT_BAD_INPUT);
      return up({ name, path: file, context });
    },
    down: async ({ context }) => (await load()).down?.({ name, path: file, context }),
  };
}

async function importMigration(file: string): Promise<MigrationModule> {
  let mod: MigrationModule & { default?: MigrationModule };
  try {
    mod = (await import(pathToFileURL(file).href)) as typeof mod;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new LiveshiftError(
        `cannot load ${file}: Node needs a TypeScript loader for it; run the migrator with one, e.g. node --import tsx migrate.ts up`,
        EXIT_BAD_INPUT,
        { cause: error },
      );
    }
    throw new LiveshiftError(`cannot load migration ${file}: ${errorMessage(error)}`, EXIT_BAD_INPUT, { cause: error });
  }
  // CommonJS `module.exports = { up, down }` seen through import() may only be on `default`
  return typeof mod.up === 'function' || !mod.default ? mod : mod.default;
}
