import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveshift, RENAME_SQL, USERS_SNAPSHOT } from '../cli/run-cli.js';
import { scratchProject } from '../support/scratch-project.js';

/** `liveshift knex make` as a user meets it: which knexfile, which folder, which errors. No database needed (--snapshot). */

const knexfile = (body: string) => `module.exports = ${body};\n`;
const pgConfig = (directory: unknown) => JSON.stringify({ client: 'pg', connection: 'postgres://app:s3cret-pw@db.internal/app', migrations: { directory } });

function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

describe('liveshift knex make', () => {
  it('writes one file per step into the knexfile environment\'s last migrations directory, each with its config and header', async () => {
    const project = scratchProject('knex-make', {
      'package.json': '{"private":true}',
      'knexfile.js': knexfile(`{ development: ${pgConfig('./dev')}, production: ${pgConfig(['./db/old', './db/migrations'])} }`),
    });
    const made = await liveshift(['knex', 'make', RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--env', 'production'], { cwd: project.dir });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toContain('(environment production)');
    expect(made.stderr + made.stdout).not.toContain('s3cret-pw');
    const files = filesIn(path.join(project.dir, 'db/migrations')).filter((f) => f.endsWith('.js'));
    expect(files).toHaveLength(11); // full_name is NOT NULL in this snapshot: the constraint moves over too
    for (const [i, file] of files.entries()) {
      expect(file).toMatch(new RegExp(`^\\d{14}_rename_column_users_full_name_display_name_${String(i + 1).padStart(2, '0')}_[a-z0-9_]+\\.js$`));
      const source = readFileSync(path.join(project.dir, 'db/migrations', file), 'utf8');
      expect(source).toContain('exports.config = { transaction: false };');
      expect(source).toContain(`knexMigration(plan, ${i + 1}).up(knex)`);
      expect(source).toContain(`knexMigration(plan, ${i + 1}).down(knex)`);
    }
    const last = readFileSync(path.join(project.dir, 'db/migrations', files[10]!), 'utf8');
    expect(last).toContain('POINT OF NO RETURN');
    expect(last).toContain('undo     IRREVERSIBLE');
    expect(filesIn(path.join(project.dir, 'db/migrations/liveshift'))).toEqual([expect.stringMatching(/^\d{14}_rename_column_users_full_name_display_name\.plan\.js$/)]);
  });

  it('NODE_ENV picks the environment, as for knex', async () => {
    const project = scratchProject('knex-make', {
      'package.json': '{"private":true}',
      'knexfile.js': knexfile(`{ development: ${pgConfig('./dev')}, staging: ${pgConfig('./staging')} }`),
    });
    const made = await liveshift(['knex', 'make', RENAME_SQL, '--snapshot', USERS_SNAPSHOT], { cwd: project.dir, env: { NODE_ENV: 'staging' } });
    expect(made.code, made.stderr).toBe(0);
    expect(filesIn(path.join(project.dir, 'staging'))).toHaveLength(12); // 11 steps and the liveshift/ folder
  });

  it('refuses, writing nothing: no knexfile, an unknown client, a snapshot of another engine, an unknown environment, an unsupported statement', async () => {
    const empty = scratchProject('knex-make', { 'package.json': '{"private":true}' });
    const none = await liveshift(['knex', 'make', RENAME_SQL, '--snapshot', USERS_SNAPSHOT], { cwd: empty.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no knexfile found in .* pass --knexfile <path>/);

    const oracle = scratchProject('knex-make', { 'package.json': '{"private":true}', 'knexfile.js': knexfile(`{ client: 'oracledb', connection: {} }`) });
    const unknownClient = await liveshift(['knex', 'make', RENAME_SQL, '--snapshot', USERS_SNAPSHOT], { cwd: oracle.dir });
    expect(unknownClient.code).toBe(2);
    expect(unknownClient.stderr).toMatch(/uses knex client "oracledb"; liveshift plans for the knex clients pg, .*mysql2.*better-sqlite3/);
    expect(filesIn(oracle.dir)).toEqual(['knexfile.js', 'package.json']);

    const mysql = scratchProject('knex-make', { 'package.json': '{"private":true}', 'knexfile.js': knexfile(`{ client: 'mysql2', connection: {} }`) });
    const wrongEngine = await liveshift(['knex', 'make', RENAME_SQL, '--snapshot', USERS_SNAPSHOT], { cwd: mysql.dir });
    expect(wrongEngine.code).toBe(2);
    expect(wrongEngine.stderr).toContain('is a PostgreSQL snapshot, but the knexfile uses knex client "mysql2"');
    expect(filesIn(mysql.dir)).toEqual(['knexfile.js', 'package.json']);

    const project = scratchProject('knex-make', { 'package.json': '{"private":true}', 'knexfile.js': knexfile(pgConfig('./migrations')) });
    const env = await liveshift(['knex', 'make', RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--env', 'staging'], { cwd: project.dir });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('has no configuration for environment "staging"');

    const unsupported = await liveshift(['knex', 'make', 'VACUUM users', '--snapshot', USERS_SNAPSHOT], { cwd: project.dir });
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toMatch(/VACUUM users/);
    expect(unsupported.stderr).toMatch(/supported/i);
    expect(filesIn(project.dir)).toEqual(['knexfile.js', 'package.json']);
  });

  it('--help teaches the workflow', async () => {
    const help = await liveshift(['knex', 'make', '--help']);
    expect(help.code).toBe(0);
    for (const text of ['--knexfile', '--env', 'migrate:latest', 'LIVESHIFT_DEPLOYED=A+1', 'transaction: false']) expect(help.stdout).toContain(text);
  });
});
