import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveshift, RENAME_SQL, USERS_SNAPSHOT } from '../cli/run-cli.js';
import { scratchProject } from '../support/scratch-project.js';

/** `liveshift umzug make` as a user meets it: which folder, which migrator, which errors. No database needed (--snapshot). */

const make = (dir: string, args: string[], env: Record<string, string | undefined> = {}) =>
  liveshift(['umzug', 'make', ...args], { cwd: dir, env: { DATABASE_URL: undefined, ...env } });

describe('liveshift umzug make', () => {
  it('--dir: one module per step there, and a migrate.js whose glob points at it', async () => {
    const project = scratchProject('umzug-make', { 'package.json': '{"private":true,"type":"module"}' });
    const made = await make(project.dir, [RENAME_SQL, '--snapshot', USERS_SNAPSHOT, '--dir', 'db/migrations']);
    expect(made.code, made.stderr).toBe(0);
    const files = readdirSync(path.join(project.dir, 'db/migrations')).filter((f) => f.endsWith('.js')).sort();
    expect(files).toHaveLength(11); // full_name is NOT NULL in this snapshot: the constraint moves over too
    for (const [i, file] of files.entries()) {
      expect(file).toMatch(new RegExp(`^\\d{4}\\.\\d{2}\\.\\d{2}T\\d{2}\\.\\d{2}\\.\\d{2}\\.rename_column_users_full_name_display_name_${String(i + 1).padStart(2, '0')}_[a-z0-9_]+\\.js$`));
      expect(readFileSync(path.join(project.dir, 'db/migrations', file), 'utf8')).toContain(`export const { up, down } = umzugMigration(plan, ${i + 1});`);
    }
    expect(readFileSync(path.join(project.dir, 'db/migrations', files[10]!), 'utf8')).toContain('POINT OF NO RETURN');
    const migrator = readFileSync(path.join(project.dir, 'migrate.js'), 'utf8');
    expect(migrator).toContain("glob: ['db/migrations/*.js', { cwd: here }]");
    expect(migrator).toContain("create: { folder: path.join(here, 'db/migrations') }");
    expect(made.stderr).toContain('migrator migrate.js');
    expect(made.stderr).toContain('Point of no return: step 11.');
  });

  it('a project with migrate.ts gets TypeScript modules by default, and keeps its migrator', async () => {
    const project = scratchProject('umzug-make', { 'package.json': '{"private":true}', 'migrate.ts': '// ours\n' });
    const made = await make(project.dir, ['CREATE INDEX users_email_idx ON users (email)', '--snapshot', USERS_SNAPSHOT]);
    expect(made.code, made.stderr).toBe(0);
    expect(readdirSync(path.join(project.dir, 'migrations')).filter((f) => f.endsWith('.ts'))).toHaveLength(1);
    expect(readFileSync(path.join(project.dir, 'migrate.ts'), 'utf8')).toBe('// ours\n');
    expect(existsSync(path.join(project.dir, 'migrate.js'))).toBe(false);
    expect(made.stderr).toContain('migrator migrate.ts kept as it is');
    expect(made.stderr).toContain('node --import tsx migrate.ts up --step 1');
  });

  it('refuses, writing nothing: no schema to plan against, an unsupported statement', async () => {
    const project = scratchProject('umzug-make', { 'package.json': '{"private":true}' });
    const noSchema = await make(project.dir, [RENAME_SQL]);
    expect(noSchema.code).toBe(2);
    expect(noSchema.stderr).toContain('set DATABASE_URL, or pass --db <url> or --snapshot <file>');

    const unsupported = await make(project.dir, ['VACUUM users', '--snapshot', USERS_SNAPSHOT]);
    expect(unsupported.code).toBe(2);
    expect(readdirSync(project.dir)).toEqual(['package.json']);
  });

  it('--help teaches: the make command, then Umzug\'s own CLI through the migrator', async () => {
    const help = await liveshift(['umzug', 'make', '--help']);
    expect(help.code).toBe(0);
    for (const text of ['--dir <path>', '--snapshot <file>', 'node migrate up --step 1', 'LIVESHIFT_DEPLOYED=A+1 node migrate up', 'node migrate down --step 1', 'node --import tsx migrate.ts']) {
      expect(help.stdout).toContain(text);
    }
    expect(help.stdout).toMatch(/--db <url>\s+read the schema from this database \(default:\s+DATABASE_URL\)/);
  });
});
