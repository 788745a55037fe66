import { stepModuleFiles, type EmitOptions, type EmittedFile, type MigrationAdapter, type Plan } from '@liveshift/core';

/** The package emitted classes import their runtime from. */
export const TYPEORM_PACKAGE = '@liveshift/typeorm';

/**
 * `<ms>-<PascalName>` as `typeorm migration:create` names files: a 13-digit JavaScript timestamp
 * (milliseconds, which TypeORM reads back from the class name's last 13 characters), a dash, the name.
 */
export function typeormFileName(stamp: Date, name: string): string {
  return `${stamp.getTime()}-${pascalCase(name)}`;
}

/** `<PascalName><ms>`, the class name `migration:create` gives the same migration. */
export function typeormClassName(fileName: string): string {
  const dash = fileName.indexOf('-');
  return `${fileName.slice(dash + 1)}${fileName.slice(0, dash)}`;
}

/** `rename_column_users_01_add` → `RenameColumnUsers01Add`; never starts with a digit (it names a class). */
export function pascalCase(name: string): string {
  const pascal = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
  return /^[A-Za-z]/.test(pascal) ? pascal : `Migration${pascal}`;
}

const OWN_TRANSACTIONS =
  '// liveshift runs the step in its own short transaction(s), with a bounded lock wait and retries (and none\n' +
  '// around statements that refuse one, such as CREATE INDEX CONCURRENTLY), so TypeORM must not wrap it:\n' +
  "// transaction = false, which TypeORM accepts under migrationsTransactionMode: 'each' (or migration:run -t each).\n" +
  '// TypeORM\'s revert ignores the flag and opens a transaction unless run as migration:revert -t none.\n';

/**
 * TypeORM migration classes, one per plan step, in files named like `typeorm migration:create`
 * names them (`<13-digit ms>-<Name>.<ext>`, the class `<Name><ms>` with an explicit `name`, so a
 * bundler renaming classes changes nothing), stamped a second apart so TypeORM runs them in step
 * order; plus the plan module in a `liveshift/` sub-folder (its default export holds no class, so
 * even a `**` migrations glob that reaches it loads no migration from it).
 */
export const typeormAdapter: MigrationAdapter = {
  framework: 'typeorm',
  emit(plan: Plan, options: EmitOptions): EmittedFile[] {
    return stepModuleFiles(plan, options, {
      name: 'typeorm',
      package: TYPEORM_PACKAGE,
      fileName: typeormFileName,
      module: (step, planSpecifier, fileName) => stepModule(step, planSpecifier, typeormClassName(fileName), options),
    });
  },
};

function stepModule(step: number, planSpecifier: string, className: string, options: EmitOptions): string {
  const ts = options.language === 'ts';
  if (ts || options.moduleSystem === 'esm') {
    const queryRunner = ts ? 'queryRunner: QueryRunner' : 'queryRunner';
    const returns = ts ? ': Promise<void>' : '';
    return (
      (ts ? "import type { MigrationInterface, QueryRunner } from 'typeorm';\n" : '') +
      `import { typeormMigration } from '${TYPEORM_PACKAGE}';\n` +
      `import plan from '${planSpecifier}';\n\n` +
      `const step = typeormMigration(plan, ${step});\n\n` +
      OWN_TRANSACTIONS +
      `export class ${className}${ts ? ' implements MigrationInterface' : ''} {\n` +
      `  name = '${className}';\n` +
      '  transaction = false;\n\n' +
      `  up(${queryRunner})${returns} {\n    return step.up(queryRunner);\n  }\n\n` +
      `  down(${queryRunner})${returns} {\n    return step.down(queryRunner);\n  }\n` +
      '}\n'
    );
  }
  // CommonJS cannot require() the ES-module runtime on every Node 20: import() it when the step runs
  return (
    `const plan = require('${planSpecifier}');\n\n` +
    OWN_TRANSACTIONS +
    `module.exports = class ${className} {\n` +
    `  name = '${className}';\n` +
    '  transaction = false;\n\n' +
    `  async up(queryRunner) {\n    return (await import('${TYPEORM_PACKAGE}')).typeormMigration(plan, ${step}).up(queryRunner);\n  }\n\n` +
    `  async down(queryRunner) {\n    return (await import('${TYPEORM_PACKAGE}')).typeormMigration(plan, ${step}).down(queryRunner);\n  }\n` +
    '};\n'
  );
}
