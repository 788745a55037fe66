import type { SchemaSnapshot } from '@liveshift/core';
import { connect, introspectPostgres } from '@liveshift/runtime';
import { addForeignKeys, copySchema, seedRows } from '../scratch/copy-schema.js';
import { copyRows } from '../scratch/copy-rows.js';
import { createScratchDatabase, type ScratchDatabase } from '../scratch/scratch-database.js';
import { touchedTables } from '../workload/application.js';
import { verifyPlan, type VerifyPlanOptions, type VerifyResult } from './verify-plan.js';

export interface VerifyOnScratchOptions extends Omit<VerifyPlanOptions, 'url' | 'before'> {
  /** A database on the server to verify on; the scratch database is created beside it. */
  serverUrl: string;
  /** The schema the plan was made from (a live database's, or a snapshot file's). */
  source: SchemaSnapshot;
  /** Rows per copied table: synthesised, or copied from `copyRowsFrom`. */
  rows: number;
  /** Copy up to `rows` real rows of each table from this database instead of synthesising them. */
  copyRowsFrom?: string;
  /** Called once the scratch database exists (the CLI drops it from its Ctrl-C handler). */
  onScratchCreated?: (scratch: ScratchDatabase) => void;
}

export interface ScratchReport {
  database: string;
  rows: number;
  /** Where the rows came from. */
  rowSource: 'synthesised' | 'copied';
  tables: string[];
  notes: string[];
  /** The scratch database was dropped afterwards. */
  dropped: boolean;
}

export type VerifyOnScratchResult = VerifyResult & { scratch: ScratchReport };

/**
 * Creates liveshift_verify_<random> on the server, copies the tables the plan touches (and the
 * tables they reference) from the source schema, synthesises `rows` rows into each, runs the
 * plan there under the synthetic workload, and drops the database again, also on failure.
 */
export async function verifyOnScratch(options: VerifyOnScratchOptions): Promise<VerifyOnScratchResult> {
  const log = options.log ?? (() => {});
  const tables = touchedTables(options.plan);
  const scratch = await createScratchDatabase(options.serverUrl);
  options.onScratchCreated?.(scratch);
  const report: ScratchReport = { database: scratch.name, rows: options.rows, rowSource: options.copyRowsFrom ? 'copied' : 'synthesised', tables: [], notes: [], dropped: false };
  try {
    log(`scratch database ${scratch.name}: copying ${tables.join(', ')} and ${options.copyRowsFrom ? 'up to' : 'synthesising'} ${options.rows} rows per table${options.copyRowsFrom ? ' from the source database' : ''}...`);
    const client = await connect(scratch.url);
    let before: SchemaSnapshot;
    try {
      const copied = await copySchema(client, options.source, tables);
      report.tables = copied.tables;
      report.notes = copied.notes;
      if (options.copyRowsFrom) {
        const source = await connect(options.copyRowsFrom);
        try {
          await copyRows(source, client, options.source, tables, options.rows);
        } finally {
          await source.end().catch(() => {});
        }
      } else {
        await seedRows(client, options.source, tables, options.rows);
      }
      await addForeignKeys(client, options.source, tables);
      before = await introspectPostgres(client);
    } finally {
      await client.end().catch(() => {});
    }
    for (const note of report.notes) log(`note: ${note}`);
    const result = await verifyPlan({ ...options, url: scratch.url, before });
    return { ...result, scratch: report };
  } finally {
    await scratch.drop().then(
      () => {
        report.dropped = true;
        log(`scratch database ${scratch.name} dropped`);
      },
      (error: unknown) => log(`could not drop the scratch database ${scratch.name}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
