import { stepModuleFiles, utcStamp, type EmitOptions, type EmittedFile, type MigrationAdapter, type Plan } from '@liveshift/core';

/** The package emitted files import their runtime from. */
export const KNEX_PACKAGE = '@liveshift/knex';

const NO_WRAPPING_TRANSACTION =
  '// liveshift runs the step in its own short transaction(s), with a bounded lock wait and retries;\n' +
  '// a transaction around it (or around a whole `migrate:latest` batch) would hold its locks too long\n';

/**
 * Knex migration files, one per plan step, named like `knex migrate:make` names them
 * (`YYYYMMDDHHmmss_<name>.<ext>`, UTC) so they sort in step order, plus the plan module in a
 * `liveshift/` sub-folder (knex only loads the migrations folder's own files).
 */
export const knexAdapter: MigrationAdapter = {
  framework: 'knex',
  emit(plan: Plan, options: EmitOptions): EmittedFile[] {
    return stepModuleFiles(plan, options, {
      name: 'knex',
      package: KNEX_PACKAGE,
      fileName: (stamp, name) => `${utcStamp(stamp)}_${name}`,
      module: (step, planSpecifier) => stepModule(step, planSpecifier, options),
    });
  },
};

function stepModule(step: number, planSpecifier: string, options: EmitOptions): string {
  if (options.moduleSystem === 'esm' || options.language === 'ts') {
    return (
      `import { knexMigration } from '${KNEX_PACKAGE}';\n` +
      `import plan from '${planSpecifier}';\n\n` +
      NO_WRAPPING_TRANSACTION +
      'export const config = { transaction: false };\n\n' +
      `export const { up, down } = knexMigration(plan, ${step});\n`
    );
  }
  // CommonJS cannot require() the ES-module runtime on Node 20: import() it when the step runs
  return (
    `const plan = require('${planSpecifier}');\n\n` +
    NO_WRAPPING_TRANSACTION +
    'exports.config = { transaction: false };\n\n' +
    `exports.up = async (knex) => (await import('${KNEX_PACKAGE}')).knexMigration(plan, ${step}).up(knex);\n` +
    `exports.down = async (knex) => (await import('${KNEX_PACKAGE}')).knexMigration(plan, ${step}).down(knex);\n`
  );
}
