import { commentBlock, type EmittedFile, type SourceStyle } from '@liveshift/core';
import { UMZUG_PACKAGE } from './adapter.js';

export interface MigratorOptions {
  /** The migrations folder relative to the migrator, `/`-separated; default `migrations`. */
  migrationsFolder?: string;
  /** The storage table; default `umzug_migrations`. */
  table?: string;
}

/** File names a project's Umzug migrator may have; `liveshift umzug make` writes one only when none exists. */
export const MIGRATOR_FILES = ['migrate.js', 'migrate.mjs', 'migrate.cjs', 'migrate.ts', 'migrate.mts', 'migrate.cts'];

/**
 * A ready Umzug migrator for the project root (`migrate.js`, or `migrate.ts`): Umzug's own CLI
 * (`runAsCLI`) over the migrations folder, with DATABASE_URL as its only setting. The glob, the
 * context and the storage are written out plainly so a team can adapt them.
 */
export function umzugMigratorFile(style: SourceStyle, options: MigratorOptions = {}): EmittedFile {
  const folder = (options.migrationsFolder ?? 'migrations').replace(/\/+$/, '') || '.';
  const table = options.table ?? 'umzug_migrations';
  const ts = style.language === 'ts';
  const file = ts ? 'migrate.ts' : 'migrate.js';
  const glob = `${folder === '.' ? '' : `${folder}/`}*.${ts ? 'ts' : 'js'}`;
  const run = ts ? 'node --import tsx migrate.ts' : 'node migrate';
  const header = commentBlock([
    `The Umzug migrator of this project, written by \`liveshift umzug make\`; it is never overwritten, so adapt it freely.`,
    '',
    `  export DATABASE_URL=postgres://user@host:5432/db    # the only setting it needs (or mysql://, mariadb://, sqlite:app.db)`,
    `  ${run} pending                 # what has not run yet (--json: names and paths)`,
    `  ${run} up --step 1             # the next migration`,
    `  ${run} up                      # every pending one; a liveshift step stops at each application deploy`,
    `  LIVESHIFT_DEPLOYED=A+1 ${run} up   # once release A+1 of the application runs everywhere`,
    `  ${run} down --step 1           # undo the last one (refused past a plan's point of no return)`,
    `  ${run} executed                # what has run`,
    ...(ts ? ['', 'TypeScript needs a loader: tsx (npm install -D tsx), or compile and point the glob at the .js files.'] : []),
    '',
    `migrations  ${glob} beside this file, in file-name order (time stamp first); resolveMigration`,
    '            imports each one and records its name without the extension, so a .ts file and the',
    '            .js compiled from it are the same migration',
    'context     one connection per command (pg client, mysql2 connection or better-sqlite3 Database),',
    '            opened from DATABASE_URL and closed after the command; every migration receives it as',
    '            `context` (yours too: ({ context: client }) => client.query(...))',
    `storage     the table ${table} in that same database, created on first use`,
  ]);
  const umzugOptions = (dir: string, storage: string, connect: string, resolve: string) =>
    [
      `{`,
      `  migrations: { glob: ['${glob}', { cwd: ${dir}${ts ? `, ignore: ['**/*.d.ts']` : ''} }], resolve: ${resolve} },`,
      `  context: () => ${connect}(process.env.DATABASE_URL),`,
      `  storage: new ${storage}({ table: '${table}' }),`,
      `  create: { folder: path.join(${dir}, '${folder}') },`,
      `  logger: console,`,
      `}`,
    ].join('\n');
  const closing = '// the command\'s connection closes whether the command succeeded or not\n';

  if (style.moduleSystem === 'esm') {
    const body =
      `import path from 'node:path';\n` +
      `import { fileURLToPath } from 'node:url';\n` +
      `import { Umzug } from 'umzug';\n` +
      `import { DatabaseStorage, closeDatabase, connectDatabase, isMainModule, resolveMigration } from '${UMZUG_PACKAGE}';\n\n` +
      `const here = path.dirname(fileURLToPath(import.meta.url));\n\n` +
      `export const migrator = new Umzug(${umzugOptions('here', 'DatabaseStorage', 'connectDatabase', 'resolveMigration')});\n\n` +
      (ts ? 'export type Migration = typeof migrator._types.migration;\n\n' : '') +
      closing +
      `migrator.on('afterCommand', ({ context }) => closeDatabase(context));\n\n` +
      `if (isMainModule(import.meta.url)) await migrator.runAsCLI();\n`;
    return { path: file, contents: `${header}\n${body}` };
  }

  // CommonJS: the ES-module @liveshift/umzug is loaded with import(), so the migrator is made asynchronously
  const indent = (text: string) => text.replace(/\n/g, '\n  ');
  const body =
    (ts
      ? `import path from 'node:path';\nimport { Umzug } from 'umzug';\n\n`
      : `const path = require('node:path');\nconst { Umzug } = require('umzug');\n\n`) +
    `/** @liveshift/umzug is an ES module: CommonJS loads it with import(), so the migrator is made asynchronously. */\n` +
    `${ts ? 'export ' : ''}async function createMigrator() {\n` +
    `  const liveshift = await import('${UMZUG_PACKAGE}');\n` +
    `  const migrator = new Umzug(${indent(umzugOptions('__dirname', 'liveshift.DatabaseStorage', 'liveshift.connectDatabase', 'liveshift.resolveMigration'))});\n` +
    `  ${closing}` +
    `  migrator.on('afterCommand', ({ context }) => liveshift.closeDatabase(context));\n` +
    `  return migrator;\n` +
    `}\n\n` +
    (ts ? '' : 'module.exports = { createMigrator };\n\n') +
    `if (require.main === module) void createMigrator().then((migrator) => migrator.runAsCLI());\n`;
  return { path: file, contents: `${header}\n${body}` };
}
