import pg from 'pg';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlanJson, type EmitOptions } from '@liveshift/core';
import { clientOf, migrationName, umzugAdapter, umzugMigratorFile, umzugStamp } from '@liveshift/umzug';
import { RENAME_PLAN } from '../cli/run-cli.js';

/** The emitted files and the package's small pieces, without a database; umzug-migrations.test.ts runs them. */

const plan = parsePlanJson(readFileSync(RENAME_PLAN, 'utf8'));
const esm: EmitOptions = { now: new Date('2026-12-31T23:59:58.250Z'), language: 'js', moduleSystem: 'esm' };

describe('umzugAdapter', () => {
  it('names files like umzug create (UTC, TIMESTAMP prefix), one second apart, sorting in step order across a year boundary', () => {
    const steps = umzugAdapter.emit(plan, esm).filter((f) => f.step !== undefined);
    expect(steps.map((f) => f.path.slice(0, 20))).toEqual([
      '2026.12.31T23.59.58.',
      '2026.12.31T23.59.59.',
      '2027.01.01T00.00.00.',
      '2027.01.01T00.00.01.',
      '2027.01.01T00.00.02.',
      '2027.01.01T00.00.03.',
    ]);
    expect([...steps].sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => f.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(umzugStamp(esm.now)).toBe('2026.12.31T23.59.58');
  });

  it('puts the plan module where a migrations/*.js glob does not reach, and every step imports it', () => {
    const files = umzugAdapter.emit(plan, esm);
    const planFile = files.find((f) => f.step === undefined)!;
    expect(planFile.path).toMatch(/^liveshift\/2026\.12\.31T23\.59\.58\.rename_column_users_full_name_display_name\.plan\.js$/);
    for (const file of files.filter((f) => f.step !== undefined)) {
      expect(file.contents).toContain(`import plan from './${planFile.path}';`);
      expect(file.contents).toContain(`export const { up, down } = umzugMigration(plan, ${file.step});`);
      expect(file.contents).toContain('Umzug runs a migration in no transaction');
    }
  });

  it('CommonJS modules require the plan and import() the ES-module runtime when a step runs; TypeScript uses import/export', () => {
    const cjs = umzugAdapter.emit(plan, { ...esm, moduleSystem: 'cjs' })[0]!;
    expect(cjs.contents).toContain("const plan = require('./liveshift/");
    expect(cjs.contents).toContain("exports.down = async (params) => (await import('@liveshift/umzug')).umzugMigration(plan, 1).down(params);");
    const ts = umzugAdapter.emit(plan, { ...esm, language: 'ts', moduleSystem: 'cjs' });
    expect(ts[0]!.path).toMatch(/\.ts$/);
    expect(ts[0]!.contents).toMatch(/import plan from '\.\/liveshift\/[^']+\.plan\.js';/);
    expect(ts.at(-1)!.contents).toContain("import type { Plan } from '@liveshift/umzug';");
  });

  it('is pure: the same plan and options give the same files', () => {
    expect(umzugAdapter.emit(plan, esm)).toEqual(umzugAdapter.emit(plan, esm));
  });
});

describe('umzugMigratorFile', () => {
  it('shows the glob, the context and the storage, and runs umzug CLI only as the main script', () => {
    const file = umzugMigratorFile({ language: 'js', moduleSystem: 'esm' }, { migrationsFolder: 'db/migrations' });
    expect(file.path).toBe('migrate.js');
    expect(file.contents).toContain("glob: ['db/migrations/*.js', { cwd: here }], resolve: resolveMigration");
    expect(file.contents).toContain('context: () => connectDatabase(process.env.DATABASE_URL)');
    expect(file.contents).toContain("storage: new DatabaseStorage({ table: 'umzug_migrations' })");
    expect(file.contents).toContain("migrator.on('afterCommand', ({ context }) => closeDatabase(context));");
    expect(file.contents).toContain('if (isMainModule(import.meta.url)) await migrator.runAsCLI();');
  });

  it('TypeScript: migrate.ts over *.ts (declaration files ignored), run with tsx', () => {
    const file = umzugMigratorFile({ language: 'ts', moduleSystem: 'esm' });
    expect(file.path).toBe('migrate.ts');
    expect(file.contents).toContain("glob: ['migrations/*.ts', { cwd: here, ignore: ['**/*.d.ts'] }]");
    expect(file.contents).toContain('node --import tsx migrate.ts up --step 1');
    expect(file.contents).toContain('export type Migration = typeof migrator._types.migration;');
  });
});

describe('names and context', () => {
  it('records a migration by its file name without the extension', () => {
    expect(migrationName('2026.12.31T23.59.58.x_01_add.ts')).toBe('2026.12.31T23.59.58.x_01_add');
    expect(migrationName('2026.12.31T23.59.58.x_01_add.mjs')).toBe('2026.12.31T23.59.58.x_01_add');
    expect(migrationName('2026.12.31T23.59.58.x_01_add.sql')).toBe('2026.12.31T23.59.58.x_01_add.sql');
  });

  it('takes the connection as the context or as { client }; says what is wrong otherwise', () => {
    const client = new pg.Client();
    expect(clientOf(client)).toBe(client);
    expect(clientOf({ client })).toBe(client);
    expect(() => clientOf({ sequelize: {} })).toThrow(/need one open database connection as the Umzug context.*keys \["sequelize"\]/);
    expect(() => clientOf({ query: async () => {}, totalCount: 0 })).toThrow(/a pg Pool \(liveshift needs one session: pass await pool.connect\(\)\)/);
  });
});
