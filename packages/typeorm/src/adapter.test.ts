import { describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { snapshotOf, usersTable } from '../../core/src/intents/fixtures.test-support.js';
import { pascalCase, typeormAdapter, typeormClassName, typeormFileName } from './adapter.js';

const large = { smallTableBytes: 0 };
const now = new Date('2026-11-25T12:34:58.123Z');

async function plan(sql: string) {
  return planChange({ sql }, snapshotOf(180004, usersTable()), large);
}

describe('TypeORM migration classes', () => {
  it('names: <13-digit ms>-<Name> files and <Name><ms> classes, as migration:create writes them, a second apart in step order', async () => {
    const p = await plan('ALTER TABLE users RENAME COLUMN full_name TO display_name');
    const files = typeormAdapter.emit(p, { now, language: 'ts', moduleSystem: 'esm', name: 'rename_users' });
    const steps = files.filter((f) => f.step !== undefined);
    expect(steps.map((f) => f.step)).toEqual(p.steps.map((s) => s.n));
    expect(steps.map((f) => f.path.slice(0, 14))).toEqual(p.steps.map((s) => `${now.getTime() + (s.n - 1) * 1000}-`));
    expect(steps[0]!.path).toMatch(/^1795610098123-RenameUsers01AddColumnDisplayName\w*\.ts$/);
    for (const file of steps) {
      const className = typeormClassName(file.path.replace(/\.ts$/, ''));
      // TypeORM reads the timestamp back from the name's last 13 characters
      expect(new Date(Number(className.slice(-13))).getTime()).toBe(Number(file.path.slice(0, 13)));
      expect(file.contents).toContain(`export class ${className} implements MigrationInterface {\n  name = '${className}';\n  transaction = false;`);
    }
    expect(files.at(-1)!.path).toBe('liveshift/1795610098123-RenameUsers.plan.ts');
  });

  it('module shapes: TypeScript typed against typeorm, ES modules without types, CommonJS importing the runtime when the step runs', async () => {
    const p = await plan('CREATE INDEX users_email_idx ON users (email)');
    const [ts] = typeormAdapter.emit(p, { now, language: 'ts', moduleSystem: 'cjs' });
    expect(ts!.contents).toContain("import type { MigrationInterface, QueryRunner } from 'typeorm';");
    expect(ts!.contents).toContain("import plan from './liveshift/1795610098123-CreateIndexUsersEmailIdxOnUsersEmail.plan.js';");
    expect(ts!.contents).toContain('up(queryRunner: QueryRunner): Promise<void> {\n    return step.up(queryRunner);');
    const [esm] = typeormAdapter.emit(p, { now, language: 'js', moduleSystem: 'esm' });
    expect(esm!.contents).not.toContain('QueryRunner');
    expect(esm!.contents).toContain('const step = typeormMigration(plan, 1);');
    const [cjs] = typeormAdapter.emit(p, { now, language: 'js', moduleSystem: 'cjs' });
    expect(cjs!.contents).toContain("const plan = require('./liveshift/");
    expect(cjs!.contents).toMatch(/module\.exports = class CreateIndex\w+1795610098123 \{/);
    expect(cjs!.contents).toContain("(await import('@liveshift/typeorm')).typeormMigration(plan, 1).down(queryRunner)");
    // every shape says why TypeORM must not wrap the step, and what that asks of the data source
    for (const file of [ts, esm, cjs]) expect(file!.contents).toContain("migrationsTransactionMode: 'each'");
  });

  it('class names are identifiers: words joined, never a leading digit', () => {
    expect(pascalCase('add_user_locale_01_add_column')).toBe('AddUserLocale01AddColumn');
    expect(pascalCase('2fa_codes')).toBe('Migration2faCodes');
    expect(typeormFileName(now, 'x_y')).toBe('1795610098123-XY');
    expect(typeormClassName('1795610098123-XY')).toBe('XY1795610098123');
  });
});
