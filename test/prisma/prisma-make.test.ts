import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveshift, RENAME_SQL, USERS_SNAPSHOT } from '../cli/run-cli.js';
import { scratchProject } from '../support/scratch-project.js';

/** `liveshift prisma make` as a user meets it: where the folders go, the lockfile, the stamps, refusals. No database needed (--snapshot). */

const make = (dir: string, args: string[]) => liveshift(['prisma', 'make', ...args], { cwd: dir, env: { DATABASE_URL: undefined } });

const CONFIG = (schema: string, migrations: string) =>
  `import { defineConfig } from 'prisma/config';\nexport default defineConfig({ schema: '${schema}', migrations: { path: '${migrations}' }, datasource: { url: process.env.DATABASE_URL ?? '' } });\n`;
const SCHEMA = 'datasource db {\n  provider = "postgresql"\n}\n';

function folders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

describe('liveshift prisma make', () => {
  it('writes into the migrations folder of prisma.config.ts: a folder per database step, the lockfile as Prisma writes it, the plan and the runbook', async () => {
    const project = scratchProject('prisma-make', { 'package.json': '{"private":true,"type":"module"}', 'prisma.config.ts': CONFIG('db/schema.prisma', 'db/migrations'), 'db/schema.prisma': SCHEMA });
    const made = await make(project.dir, [RENAME_SQL, '--snapshot', USERS_SNAPSHOT]);
    expect(made.code, made.stderr).toBe(0);
    const dir = path.join(project.dir, 'db/migrations');
    const written = folders(dir);
    expect(written).toHaveLength(7); // 11 steps: 7 run by Prisma, 4 by liveshift (two deploys, the backfill, the parity check)
    for (const folder of written) {
      expect(folder).toMatch(/^\d{14}_rename_column_users_full_name_display_name_\d{2}_[a-z0-9_]+$/);
      expect(readdirSync(path.join(dir, folder)).sort()).toEqual(['down.sql', 'migration.sql']);
    }
    expect(readFileSync(path.join(dir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    const [planFile] = readdirSync(dir).filter((f) => f.endsWith('.liveshift.json'));
    expect(readdirSync(dir).filter((f) => f.endsWith('.liveshift.md'))).toHaveLength(1);
    // the guards name the plan as the operator types it, from the project folder
    expect(readFileSync(path.join(dir, written[1]!, 'migration.sql'), 'utf8')).toContain(`npx liveshift apply db/migrations/${planFile} --db "$DATABASE_URL" --through 4 --deployed A+1`);
    expect(made.stderr).toContain('wrote 7 migration folders');
    expect(made.stderr).toContain('lock     db/migrations/migration_lock.toml');
  });

  it('without a config: the schema at prisma/schema.prisma, the migrations beside it; new folders sort after every existing one', async () => {
    const project = scratchProject('prisma-make', {
      'package.json': '{"private":true}',
      'prisma/schema.prisma': SCHEMA,
      'prisma/migrations/29990101000000_from_the_future/migration.sql': 'SELECT 1;\n',
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    });
    const made = await make(project.dir, ['CREATE INDEX users_email_idx ON users (email)', '--snapshot', USERS_SNAPSHOT]);
    expect(made.code, made.stderr).toBe(0);
    expect(folders(path.join(project.dir, 'prisma/migrations'))).toEqual([
      '29990101000000_from_the_future',
      '29990101000001_create_index_users_email_idx_on_users_email_01_create_index_users_email_idx_on_public',
      '29990101000002_create_index_users_email_idx_on_users_email_01_checkpoint',
    ]);
    expect(readFileSync(path.join(project.dir, 'prisma/migrations/migration_lock.toml'), 'utf8')).toBe('provider = "postgresql"\n');
  });

  it('refuses, writing nothing: migrations for another provider, no schema facts, an unsupported statement', async () => {
    const project = scratchProject('prisma-make', { 'package.json': '{"private":true}', 'prisma/schema.prisma': SCHEMA, 'prisma/migrations/migration_lock.toml': 'provider = "mysql"\n' });
    const mysql = await make(project.dir, [RENAME_SQL, '--snapshot', USERS_SNAPSHOT]);
    expect(mysql.code).toBe(2);
    expect(mysql.stderr).toContain('migration_lock.toml says provider = "mysql"');

    const other = scratchProject('prisma-make', { 'package.json': '{"private":true}', 'prisma/schema.prisma': SCHEMA });
    const noFacts = await make(other.dir, [RENAME_SQL]);
    expect(noFacts.code).toBe(2);
    expect(noFacts.stderr).toContain('set datasource.url in prisma.config.ts or DATABASE_URL, or pass --db <url>');
    const unsupported = await make(other.dir, ['VACUUM users', '--snapshot', USERS_SNAPSHOT]);
    expect(unsupported.code).toBe(2);
    for (const p of [project, other]) expect(folders(path.join(p.dir, 'prisma')).filter((f) => f !== 'migrations')).toEqual([]);
    expect(readdirSync(path.join(project.dir, 'prisma/migrations'))).toEqual(['migration_lock.toml']);

    const noSchema = scratchProject('prisma-make', { 'package.json': '{"private":true}' });
    const missing = await make(noSchema.dir, [RENAME_SQL, '--snapshot', USERS_SNAPSHOT]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no Prisma schema found');
  });

  it('--help teaches: make, then prisma migrate deploy and what to do where it stops; down', async () => {
    const help = await liveshift(['prisma', 'make', '--help']);
    expect(help.code).toBe(0);
    for (const text of ['--config <path>', '--snapshot <file>', 'npx prisma migrate deploy', 'npx prisma migrate resolve --rolled-back <folder>', 'npx liveshift prisma down <folder>']) {
      expect(help.stdout).toContain(text);
    }
    const down = await liveshift(['prisma', 'down', '--help']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('rolled_back_at');
  });
});
