import { stepModuleFiles, type EmitOptions, type EmittedFile, type MigrationAdapter, type Plan } from '@liveshift/core';

/** The package emitted files import their runtime from. */
export const UMZUG_PACKAGE = '@liveshift/umzug';

/** `YYYY.MM.DDTHH.mm.ss` in UTC: the prefix `umzug create` puts in front of names (its default, TIMESTAMP). */
export function umzugStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '').replace(/\W/g, '.');
}

const runsItsOwnTransactions = (options: EmitOptions) =>
  '// Umzug runs a migration in no transaction; liveshift opens its own short ones for this step (none\n' +
  '// around statements that refuse one, such as CREATE INDEX CONCURRENTLY), so nothing is configured here.\n' +
  `// context: the pg client the migrator connects (or { client }), as in ${options.language === 'ts' ? 'migrate.ts' : 'migrate.js'}.\n`;

/**
 * Umzug migration modules, one per plan step, named like `umzug create` names them
 * (`YYYY.MM.DDTHH.mm.ss.<name>.<ext>`, UTC) so Umzug's sorted glob runs them in step order, plus
 * the plan module in a `liveshift/` sub-folder (a `migrations/*.js` glob does not reach it).
 * The migrator that runs them is `umzugMigratorFile` (written only when the project has none).
 */
export const umzugAdapter: MigrationAdapter = {
  framework: 'umzug',
  emit(plan: Plan, options: EmitOptions): EmittedFile[] {
    return stepModuleFiles(plan, options, {
      name: 'umzug',
      package: UMZUG_PACKAGE,
      fileName: (stamp, name) => `${umzugStamp(stamp)}.${name}`,
      module: (step, planSpecifier) => stepModule(step, planSpecifier, options),
    });
  },
};

function stepModule(step: number, planSpecifier: string, options: EmitOptions): string {
  if (options.moduleSystem === 'esm' || options.language === 'ts') {
    return (
      `import { umzugMigration } from '${UMZUG_PACKAGE}';\n` +
      `import plan from '${planSpecifier}';\n\n` +
      runsItsOwnTransactions(options) +
      `export const { up, down } = umzugMigration(plan, ${step});\n`
    );
  }
  // CommonJS cannot require() the ES-module runtime on every Node 20: import() it when the step runs
  return (
    `const plan = require('${planSpecifier}');\n\n` +
    runsItsOwnTransactions(options) +
    `exports.up = async (params) => (await import('${UMZUG_PACKAGE}')).umzugMigration(plan, ${step}).up(params);\n` +
    `exports.down = async (params) => (await import('${UMZUG_PACKAGE}')).umzugMigration(plan, ${step}).down(params);\n`
  );
}
