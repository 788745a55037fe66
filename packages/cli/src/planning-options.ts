import { Option, type Command } from 'commander';
import type { PlanOptions } from '@liveshift/core';
import { integerOption } from './inputs.js';

/** The flags that shape a plan, shared by `plan` and every `<framework> make` command. */
export interface PlanningFlags {
  sync?: 'app' | 'trigger';
  batchSize?: number;
  lockTimeout?: number;
  backfill?: string;
  smallTableBytes?: number;
}

export function addPlanningOptions(command: Command): Command {
  return command
    .addOption(new Option('--sync <who>', 'for renames: who keeps the old and new column in sync while both exist').choices(['app', 'trigger']))
    .option('--batch-size <rows>', 'rows per backfill batch (default 5000)', integerOption(1))
    .option('--lock-timeout <ms>', 'lock_timeout per attempt for lock-taking DDL, ms (default 2000)', integerOption(1))
    .option(
      '--small-table-bytes <bytes>',
      'tables at or under this size get the simpler one-statement plan where that is safe (default 8388608, 8 MiB; 0 always plans the online recipe)',
      integerOption(0),
    )
    .option(
      '--backfill <expr>',
      'SQL expression existing rows get when a column becomes NOT NULL (ADD COLUMN ... NOT NULL without a default, SET NOT NULL on a column with NULLs)',
    );
}

export function planOptionsFrom(flags: PlanningFlags): PlanOptions {
  const options: PlanOptions = {};
  if (flags.sync) options.sync = flags.sync;
  if (flags.batchSize !== undefined) options.batchSize = flags.batchSize;
  if (flags.lockTimeout !== undefined) options.lockTimeoutMs = flags.lockTimeout;
  if (flags.backfill !== undefined) options.backfill = flags.backfill;
  if (flags.smallTableBytes !== undefined) options.smallTableBytes = flags.smallTableBytes;
  return options;
}
