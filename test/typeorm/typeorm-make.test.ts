import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveshift, RENAME_SQL, USERS_SNAPSHOT } from '../cli/run-cli.js';
import { withPostgres } from '../support/postgres.js';
import { seedUsers } from '../support/seed.js';
import { scratchProject } from '../support/scratch-project.js';
import { classNameOf, migrationFiles, output, typeorm, typeormProject } from './typeorm-project.js';

const migrationFilesOf = (dir: string) => migrationFiles({ dir, write: () => undefined });

/**
 * `liveshift typeorm make` as a user meets it: which data source, which folder, which names, which
 * warnings and errors. No database needed (--snapshot), except to show that the transaction-mode
 * warning is what TypeORM really does.
 */

const URL_WITH_PASSWORD = 'postgres://app:s3cret-pw@db.internal/app';

function dataSource(exported: string, options: Record<string, unknown>, style: 'cjs' | 'esm' | 'ts' = 'cjs'): string {
  const create = `new DataSource(${JSON.stringify({ type: 'postgres', url: URL_WITH_PASSWORD, ...options })})`;
  if (style === 'cjs') return `const { DataSource } = require('typeorm');\n${exported === 'default' ? `module.exports = ${create}` : `exports.${exported} = ${create}`};\n`;
  return `import { DataSource } from 'typeorm';\n${exported === 'default' ? `export default ${create}` : `export const ${exported} = ${create}`};\n`;
}

function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

describe('liveshift typeorm make', () => {
  it("writes one class per step into the migrations glob's folder, named as migration:create names them, with the transaction-mode warning", async () => {
    const project = scratchProject('typeorm-make', {
      'package.json': '{"private":true}',
      // the single exported DataSource of a CommonJS file, migrations as TypeScript in src/db/migrations
      'src/data-source.js': dataSource('AppDataSource', { migrations: ['src/db/migrations/*.ts'] }),
    });
    const made = await liveshift(['typeorm', 'make', RENAME_SQL, '-d', 'src/data-source.js', '--snapshot', USERS_SNAPSHOT], { cwd: project.dir });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr + made.stdout).not.toContain('s3cret-pw');
    const folder = path.join(project.dir, 'src/db/migrations');
    const files = filesIn(folder).filter((f) => f.endsWith('.ts'));
    expect(files).toHaveLength(11); // full_name is NOT NULL in this snapshot: the constraint moves over too
    const stamps = files.map((f) => Number(f.slice(0, 13)));
    for (const [i, file] of files.entries()) {
      expect(file).toMatch(new RegExp(`^\\d{13}-RenameColumnUsersFullNameDisplayName${String(i + 1).padStart(2, '0')}[A-Za-z0-9]+\\.ts$`));
      if (i > 0) expect(stamps[i]!).toBeGreaterThan(stamps[i - 1]!);
      const source = readFileSync(path.join(folder, file), 'utf8');
      const className = classNameOf(file);
      expect(source).toContain(`export class ${className} implements MigrationInterface {`);
      expect(source).toContain(`  name = '${className}';`);
      expect(source).toContain('  transaction = false;');
      expect(source).toContain(`const step = typeormMigration(plan, ${i + 1});`);
    }
    // a JavaScript millisecond timestamp of now, as TypeORM parses it back from the name
    expect(Math.abs(stamps[0]! - Date.now())).toBeLessThan(60_000);
    expect(readFileSync(path.join(folder, files[10]!), 'utf8')).toContain('POINT OF NO RETURN');
    expect(filesIn(path.join(folder, 'liveshift'))).toEqual([expect.stringMatching(/^\d{13}-RenameColumnUsersFullNameDisplayName\.plan\.ts$/)]);
    // the default mode "all" refuses classes that set transaction: say so, with TypeORM's own words
    expect(made.stderr).toContain(`leaves migrationsTransactionMode at "all"`);
    expect(made.stderr).toContain(`Migrations "${classNameOf(files[0]!)}" override the transaction mode, but the global transaction mode is "all"`);
    expect(made.stderr).toContain("migrationsTransactionMode: 'each'");
    expect(made.stderr).toContain('migration:revert -d src/data-source.js -t none');
  });

  it('JavaScript (ES modules) from the glob, after the newest migration already there; a TypeScript data source loads without a loader flag', async () => {
    const later = Date.now() + 86_400_000;
    const project = scratchProject('typeorm-make', {
      'package.json': '{"private":true,"type":"module"}',
      'data-source.ts': dataSource('default', { migrations: ['migrations/*.js'], migrationsTransactionMode: 'each' }, 'ts'),
      [`migrations/${later}-Existing.js`]: 'export class Existing {}\n',
    });
    const made = await liveshift(['typeorm', 'make', 'CREATE INDEX users_email_idx ON users (email)', '-d', 'data-source.ts', '--snapshot', USERS_SNAPSHOT, '--name', 'IndexEmails'], { cwd: project.dir });
    expect(made.code, made.stderr).toBe(0);
    const files = filesIn(path.join(project.dir, 'migrations')).filter((f) => f.endsWith('.js'));
    expect(files).toHaveLength(2);
    expect(files[1]).toMatch(/^\d{13}-IndexEmails01CreateIndexUsersEmailIdx\w*\.js$/);
    expect(Number(files[1]!.slice(0, 13))).toBeGreaterThan(later);
    const source = readFileSync(path.join(project.dir, 'migrations', files[1]!), 'utf8');
    expect(source).toContain(`export class ${classNameOf(files[1]!)} {`);
    expect(source).not.toContain('MigrationInterface');
    expect(made.stderr).not.toContain('leaves migrationsTransactionMode at "all"');
    expect(made.stderr).toContain('a plain migration:revert wraps the step in a transaction');

    // -o writes JavaScript whatever the glob says; CommonJS where the package is
    const cjs = scratchProject('typeorm-make', { 'package.json': '{"private":true}', 'ds.js': dataSource('default', { migrations: ['db/*.ts'] }) });
    const js = await liveshift(['typeorm', 'make', 'CREATE INDEX users_email_idx ON users (email)', '-d', 'ds.js', '--snapshot', USERS_SNAPSHOT, '-o'], { cwd: cjs.dir });
    expect(js.code, js.stderr).toBe(0);
    const [file] = filesIn(path.join(cjs.dir, 'db')).filter((f) => f.endsWith('.js'));
    expect(readFileSync(path.join(cjs.dir, 'db', file!), 'utf8')).toContain(`module.exports = class ${classNameOf(file!)} {`);
  });

  it('refuses, writing nothing: no -d, a missing file, two DataSources, another database type, migrations as classes, a snapshot of another engine, an unsupported statement, a name taken', async () => {
    const empty = scratchProject('typeorm-make', { 'package.json': '{"private":true}' });
    const noDataSource = await liveshift(['typeorm', 'make', RENAME_SQL, '--snapshot', USERS_SNAPSHOT], { cwd: empty.dir });
    expect(noDataSource.code).toBe(2);
    expect(noDataSource.stderr).toContain("required option '-d, --dataSource <path>' not specified");
    const missing = await liveshift(['typeorm', 'make', RENAME_SQL, '-d', 'nowhere.js', '--snapshot', USERS_SNAPSHOT], { cwd: empty.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/data source file .*nowhere\.js does not exist/);

    const two = scratchProject('typeorm-make', {
      'package.json': '{"private":true}',
      'ds.js': dataSource('a', { migrations: ['m/*.js'] }) + dataSource('b', { migrations: ['m/*.js'] }).replace(/^const .*\n/, ''),
    });
    const twoSources = await liveshift(['typeorm', 'make', RENAME_SQL, '-d', 'ds.js', '--snapshot', USERS_SNAPSHOT], { cwd: two.dir });
    expect(twoSources.code).toBe(2);
    expect(twoSources.stderr).toContain('Given data source file must contain only one export of DataSource instance');

    const cockroach = scratchProject('typeorm-make', { 'package.json': '{"private":true}', 'ds.js': dataSource('default', { migrations: ['m/*.js'] }).replace("\"postgres\"", '"cockroachdb"') });
    const otherType = await liveshift(['typeorm', 'make', RENAME_SQL, '-d', 'ds.js', '--snapshot', USERS_SNAPSHOT], { cwd: cockroach.dir });
    expect(otherType.code).toBe(2);
    expect(otherType.stderr).toContain('is a TypeORM data source of type "cockroachdb"; liveshift plans for the types "postgres", "mysql", "mariadb", "better-sqlite3"');

    const classes = scratchProject('typeorm-make', { 'package.json': '{"private":true}', 'ds.js': dataSource('default', {}) });
    const noGlob = await liveshift(['typeorm', 'make', RENAME_SQL, '-d', 'ds.js', '--snapshot', USERS_SNAPSHOT], { cwd: classes.dir });
    expect(noGlob.code).toBe(2);
    expect(noGlob.stderr).toContain('lists its migrations as classes, not a glob: pass --dir <folder>');

    const project = scratchProject('typeorm-make', { 'package.json': '{"private":true}', 'ds.js': dataSource('default', { migrations: ['migrations/*.js'] }) });
    const sqliteSnapshot = { ...JSON.parse(readFileSync(USERS_SNAPSHOT, 'utf8')), engine: { name: 'sqlite', version: '3.53.2', versionNum: 3053002 } };
    project.write('sqlite-schema.json', JSON.stringify(sqliteSnapshot));
    const otherEngine = await liveshift(['typeorm', 'make', RENAME_SQL, '-d', 'ds.js', '--snapshot', 'sqlite-schema.json'], { cwd: project.dir });
    expect(otherEngine.code).toBe(2);
    expect(otherEngine.stderr).toContain('sqlite-schema.json is a SQLite snapshot, but the data source is of type "postgres"');
    const unsupported = await liveshift(['typeorm', 'make', 'VACUUM users', '-d', 'ds.js', '--snapshot', USERS_SNAPSHOT], { cwd: project.dir });
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toMatch(/VACUUM users/);
    expect(unsupported.stderr).toMatch(/supported/i);
    for (const dir of [empty, two, cockroach, classes, project]) expect(readdirSync(dir.dir).filter((f) => !['package.json', 'ds.js', 'sqlite-schema.json'].includes(f))).toEqual([]);

    // a plan whose plan module's name is taken: none of its files is written
    const stamp = Date.now() + 3_600_000;
    const taken = scratchProject('typeorm-make', { 'package.json': '{"private":true}', 'ds.js': dataSource('default', { migrations: ['migrations/*.js'] }) });
    taken.write(`migrations/${stamp}-Older.js`, '// the newest so far\n');
    taken.write(`migrations/liveshift/${stamp + 1000}-IndexEmails.plan.js`, '// someone else\n');
    const clash = await liveshift(['typeorm', 'make', 'CREATE INDEX users_email_idx ON users (email)', '-d', 'ds.js', '--snapshot', USERS_SNAPSHOT, '--name', 'IndexEmails'], { cwd: taken.dir });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('already exists; nothing was written');
    expect(filesIn(path.join(taken.dir, 'migrations'))).toEqual([`${stamp}-Older.js`, 'liveshift']);
    expect(filesIn(path.join(taken.dir, 'migrations/liveshift'))).toEqual([`${stamp + 1000}-IndexEmails.plan.js`]);
  });

  it('--help teaches the workflow', async () => {
    const help = await liveshift(['typeorm', 'make', '--help']);
    expect(help.code).toBe(0);
    for (const text of ['--dataSource', '--snapshot', 'migration:run', '-t each', '-t none', "migrationsTransactionMode: 'each'", 'LIVESHIFT_DEPLOYED=A+1', 'transaction = false']) {
      expect(help.stdout).toContain(text);
    }
    const generate = await liveshift(['typeorm', 'generate', '--help']);
    expect(generate.code).toBe(0);
    for (const text of ['<name>', 'migration:generate', '--backfill', '-t none']) expect(generate.stdout).toContain(text);
    const overview = await liveshift(['--help']);
    expect(overview.stdout).toContain('liveshift typeorm make');
  });
});

describe('the transaction-mode warning is what TypeORM does (PostgreSQL 18)', () => {
  const pg = withPostgres(18);

  it('in mode "all" migration:run stops with the error the warning quotes; -t each runs the class; migration:revert -t none reverts it', async () => {
    const db = await pg.database();
    const client = await db.client();
    await seedUsers(client, { rows: 100 });
    const project = typeormProject(db.url, 'cjs', {});
    const made = await liveshift(['typeorm', 'make', 'CREATE INDEX users_email_idx ON users (email)', '-d', project.dataSource], { cwd: project.dir });
    expect(made.code, made.stderr).toBe(0);
    const warned = /^ {2}(Migrations ".*" override the transaction mode, but the global transaction mode is "all")$/m.exec(made.stderr)?.[1];
    expect(warned, made.stderr).toBeDefined();

    const plain = await typeorm(project, 'migration:run');
    expect(plain.code).not.toBe(0);
    expect(output(plain)).toContain(warned!);
    const indexes = async () => (await client.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY 1`)).rows.map((r) => r.indexname);
    expect(await indexes()).toEqual(['users_pkey']);

    const each = await typeorm(project, 'migration:run', ['-t', 'each']);
    expect(each.code, output(each)).toBe(0);
    expect(await indexes()).toEqual(['users_email_idx', 'users_pkey']);
    const revert = await typeorm(project, 'migration:revert', ['-t', 'none']);
    expect(revert.code, output(revert)).toBe(0);
    expect(await indexes()).toEqual(['users_pkey']);
    expect((await client.query('SELECT count(*)::int AS n FROM migrations')).rows[0].n).toBe(0);
  });

  it('liveshift typeorm generate refuses what it cannot make safe, naming it, and writes nothing; plans TypeORM\'s own rename safely; warns when a drop and an add look like a rename', async () => {
    const db = await pg.database();
    const client = await db.client();
    await seedUsers(client, { rows: 100 });
    const usersEntity = (extra: Record<string, string>, indices = '[]') => ({
      declarations: `const User = new EntitySchema({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    created_at: { type: 'timestamptz', createDate: true },
    ${Object.entries(extra).map(([name, column]) => `${name}: ${column},`).join('\n    ')}
  },
  indices: ${indices},
});\n`,
      list: '[User]',
    });
    const generate = async (extra: Record<string, string>, flags: string[] = [], indices?: string) => {
      const project = typeormProject(db.url, 'cjs', { transactionMode: 'each', entities: usersEntity(extra, indices) });
      const result = await liveshift(['typeorm', 'generate', 'Change', '-d', project.dataSource, ...flags], { cwd: project.dir });
      return { ...result, dir: project.dir, written: migrationFilesOf(project.dir) };
    };
    const asSeeded = { full_name: "{ type: 'text', nullable: true }", email: "{ type: 'text', nullable: true }" };

    const same = await generate(asSeeded);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('no changes in the database schema were found');
    expect(same.written).toEqual([]);

    const commented = await generate({ ...asSeeded, email: "{ type: 'text', nullable: true, comment: 'where we write' }" }, [], "[{ name: 'users_email_idx', columns: ['email'] }]");
    expect(commented.code).toBe(2);
    expect(commented.stderr).toContain('liveshift cannot make safe, so nothing was written');
    expect(commented.stderr).toContain(`COMMENT ON COLUMN "users"."email" IS 'where we write'`);
    expect(commented.written).toEqual([]);

    const notNull = await generate({ ...asSeeded, locale: "{ type: 'text', nullable: false }" });
    expect(notNull.code).toBe(2);
    expect(notNull.stderr).toContain('ALTER TABLE "users" ADD "locale" text NOT NULL');
    expect(notNull.stderr).toContain('--backfill');
    expect(notNull.written).toEqual([]);

    // one column out and one of the same type in: TypeORM itself sees a rename, and liveshift plans the safe one
    const renamed = await generate({ display_name: "{ type: 'text', nullable: true }", email: asSeeded.email });
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stderr).toContain('ALTER TABLE "users" RENAME COLUMN "full_name" TO "display_name";');
    expect(renamed.stderr).not.toContain('warning:');
    expect(renamed.written).toHaveLength(6);

    // a rename and a new type: TypeORM renames, then drops and adds the column (losing its data); liveshift changes the type in place
    const retyped = await generate({ display_name: "{ type: 'varchar', nullable: true }", email: asSeeded.email });
    expect(retyped.code, retyped.stderr).toBe(0);
    expect(retyped.stderr).toContain('ALTER TABLE "users" DROP COLUMN "display_name";');
    expect(retyped.stderr).toContain('note: users.display_name: TypeORM changes its type to character varying by dropping the column and adding it again, which loses its data');
    expect(readFileSync(path.join(retyped.dir, 'migrations', retyped.written.at(-1)!), 'utf8')).toMatch(/ALTER COLUMN "display_name" TYPE character varying|TYPE character varying/);

    // a drop and unrelated adds TypeORM does not pair: a drop it is, with a warning in case it was meant as a rename
    const dropAndAdd = await generate({ display_name: "{ type: 'varchar', nullable: true }", nickname: "{ type: 'varchar', nullable: true }", email: asSeeded.email });
    expect(dropAndAdd.code, dropAndAdd.stderr).toBe(0);
    expect(dropAndAdd.stderr).toContain('warning: users: TypeORM drops full_name and adds display_name. If that is a rename, do not run this plan');
    expect(dropAndAdd.stderr).toContain('liveshift typeorm make "ALTER TABLE users RENAME COLUMN full_name TO display_name"');
  });
});
