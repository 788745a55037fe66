import type { Command } from 'commander';
import { emit } from '../output.js';
import { snapshotFromDatabase } from '../inputs.js';

const EXAMPLES = `
Examples:
  # save the schema facts of production once...
  $ liveshift snapshot --db postgres://readonly@db.internal/app --out schema.json

  # ...then plan in CI without database access
  $ liveshift plan "ALTER TABLE users RENAME COLUMN full_name TO display_name" --snapshot schema.json

The snapshot holds tables, columns, indexes, constraints, triggers, row estimates and sizes;
no row data and no connection details (the password is never written).`;

export function registerSnapshot(program: Command): void {
  program
    .command('snapshot')
    .summary('save a database schema to a JSON file for offline planning')
    .description('Read the schema facts liveshift plans with from a live database and print them as JSON.')
    .requiredOption('--db <url>', 'the database to read: postgres://user:password@host:port/db')
    .option('--out <file>', 'write the snapshot to a file instead of standard output')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: { db: string; out?: string }) => {
      const snapshot = await snapshotFromDatabase(flags.db);
      const what = `a snapshot of ${snapshot.tables.length} table${snapshot.tables.length === 1 ? '' : 's'} (PostgreSQL ${snapshot.engine.version})`;
      await emit(`${JSON.stringify(snapshot, null, 2)}\n`, flags.out, what);
    });
}
