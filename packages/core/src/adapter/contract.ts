import type { Plan } from '../plan/types.js';

/**
 * What every framework adapter implements (Knex, Umzug, Prisma, TypeORM): a plan in, the files of
 * that framework out. Nothing here is specific to one framework; each adapter maps the same
 * units (one per step, see units.ts) to its own naming, module shape and runner rules.
 */

/** How the project writes its migration modules. */
export interface SourceStyle {
  language: 'js' | 'ts';
  /** ES modules (`import`/`export`, `"type": "module"` or .mjs) or CommonJS (`require`/`exports`). */
  moduleSystem: 'esm' | 'cjs';
}

export interface EmitOptions extends SourceStyle {
  /** UTC time stamped on the first step's file; later steps follow one second apart, so names sort in step order. */
  now: Date;
  /** The change's name in file names, e.g. `rename_users_full_name`; derived from the plan's intents when omitted. */
  name?: string;
}

export interface EmittedFile {
  /** Relative to the folder the adapter was asked to write into, `/`-separated. */
  path: string;
  contents: string;
  /** The plan step this file runs; absent for support files (the plan module, a migrator). */
  step?: number;
}

export interface MigrationAdapter {
  /** `knex`, `umzug`, `prisma`, `typeorm`. */
  readonly framework: string;
  /** Pure: the same plan and options always give the same files. */
  emit(plan: Plan, options: EmitOptions): EmittedFile[];
}
