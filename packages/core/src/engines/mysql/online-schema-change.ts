import type { Rollback, SchemaChange } from '../../plan/types.js';
import type { StepDraft } from '../../plan/draft.js';
import type { TableSchema } from '../../schema/snapshot.js';
import type { RecipeContext } from '../../intents/context.js';
import { appStep } from '../../intents/app-step/postgres.js';
import { formatBytes } from '../postgres/size.js';
import { sourceLabel } from './capabilities.js';

/**
 * Changes MySQL/MariaDB can only make by copying the table with writes blocked (a column type
 * change, a CHECK constraint, VARCHAR growth across the 255-byte length prefix: locks.md §2.2, §3.2)
 * go through an online schema change tool, which copies the table in chunks while writes continue
 * and swaps it in with a brief RENAME TABLE. liveshift does not run the tool itself: the step is an
 * operator step (the runner stops at it, like at a deploy) carrying the exact command, and the step
 * after it checks the result on the server.
 *
 * pt-online-schema-change (Percona Toolkit; Debian package percona-toolkit) is run for real in
 * liveshift's tests against MariaDB 10.11. gh-ost cannot be installed on those machines: its
 * command is given as the alternative and labelled untested.
 */

/** The DSN of the table; connection options are left for the operator (passwords are never written). */
export interface OscTarget {
  database: string;
  table: string;
}

/** Throttling and safety flags: small chunks, back off under load, bounded metadata-lock waits at cut-over. */
export function ptOnlineSchemaChangeArgs(target: OscTarget, alter: string, table: TableSchema, lockWaitSeconds: number): string[] {
  return [
    `--alter=${alter}`,
    `D=${target.database},t=${target.table}`,
    '--chunk-time=0.5',
    '--max-load=Threads_running=25',
    '--critical-load=Threads_running=100',
    '--max-lag=1',
    `--set-vars=lock_wait_timeout=${lockWaitSeconds}`,
    '--tries=create_triggers:10:1,drop_triggers:10:1,swap_tables:10:1,update_foreign_keys:10:1,copy_rows:10:0.25',
    ...(table.triggers.length ? ['--preserve-triggers'] : []),
    '--alter-foreign-keys-method=auto',
    '--execute',
  ];
}

export function ghostArgs(target: OscTarget, alter: string): string[] {
  return [
    `--alter=${alter}`,
    `--database=${target.database}`,
    `--table=${target.table}`,
    '--chunk-size=1000',
    '--max-load=Threads_running=25',
    '--critical-load=Threads_running=100',
    '--max-lag-millis=1500',
    '--default-retries=120',
    '--cut-over=default',
    '--exact-rowcount',
    '--concurrent-rowcount',
    '--execute',
  ];
}

/** A shell word: single-quoted unless it is plain. */
export function shellWord(arg: string): string {
  return /^[A-Za-z0-9_,=.:\-/]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command with the operator's connection options (placeholders such as --host=<host>, left unquoted to be filled in) after the table. */
export function commandLine(program: string, args: string[], connection: string[]): string {
  return [program, ...args.slice(0, 2).map(shellWord), ...connection, ...args.slice(2).map(shellWord)].join(' ');
}

/**
 * The operator step that runs the tool, with what it changes (so the plan's schema follows it), and
 * the rollback: the same tool run with the reverse ALTER.
 */
export function onlineSchemaChangeStep(
  ctx: RecipeContext,
  spec: { release: number; title: string; alter: string; reverseAlter: string | null; changes: SchemaChange[]; residualRisks: string[]; previousRelease: string },
): StepDraft {
  const target: OscTarget = { database: ctx.ref.schema, table: ctx.ref.name };
  const lockWait = Math.max(1, Math.ceil(ctx.options.lockTimeoutMs / 1000));
  const pt = commandLine('pt-online-schema-change', ptOnlineSchemaChangeArgs(target, spec.alter, ctx.table, lockWait), ['--host=<host>', '--user=<user>', '--ask-pass']);
  const hasForeignKeys = ctx.table.constraints.some((k) => k.type === 'foreign_key') || ctx.snapshot.tables.some((t) => t.constraints.some((k) => k.type === 'foreign_key' && k.references?.table === ctx.tableName));
  const ghost = commandLine('gh-ost', ghostArgs(target, spec.alter), ['--host=<replica or primary>', '--user=<user>', '--ask-pass']);
  const rollback: Rollback = spec.reverseAlter
    ? {
        kind: 'deploy',
        release: spec.previousRelease,
        instruction: `run the tool again with the reverse change: ${commandLine('pt-online-schema-change', ptOnlineSchemaChangeArgs(target, spec.reverseAlter, ctx.table, lockWait), ['--host=<host>', '--user=<user>', '--ask-pass'])}`,
      }
    : { kind: 'none', reason: 'the tool swapped the table in; there is no reverse change to run' };
  const step = appStep(
    spec.release,
    spec.title,
    `Run the online schema change tool on ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)}), from a host that reaches the primary: ${pt}`,
    rollback,
    [
      `No in-place online path on ${ctx.engine.name === 'mysql' ? 'MySQL' : 'MariaDB'} ${ctx.engine.version}: the server would copy the table with writes blocked for the whole copy (ALGORITHM=COPY, LOCK=SHARED). pt-online-schema-change copies it in chunks (--chunk-time 0.5 s, pausing above Threads_running 25, aborting above 100, waiting for replicas more than 1 s behind) while triggers on ${ctx.tableName} carry concurrent writes over, then swaps the tables with one RENAME TABLE.${sourceLabel(ctx.engine)}`,
      `The swap needs an exclusive metadata lock like any DDL: the tool bounds its wait with lock_wait_timeout=${lockWait} s and retries (--tries). Needs a primary key or unique key, free disk for a copy of the table, and triggers allowed on the table; with --alter-foreign-keys-method=auto, tables referencing ${ctx.tableName} are pointed at the new table (briefly locking them).`,
      hasForeignKeys
        ? `gh-ost is not an option here: it refuses tables with foreign keys (gh-ost docs, requirements and limitations).`
        : `Alternative (untested here: gh-ost cannot be installed on liveshift's test machines; it needs binlog_format=ROW and binlog_row_image=FULL, and refuses tables with foreign keys or triggers): ${ghost}`,
      'Residual risk: the chunk copy (INSERT … SELECT … LOCK IN SHARE MODE) can deadlock with application writes on busy rows; the losing statement fails with error 1213 and must be retried by the application, as InnoDB expects of every application (seen on MariaDB 10.11 in liveshift\'s tests: a few statements in several hundred).',
      ...spec.residualRisks,
      'Confirm this step (--deployed with its release) only once the tool has finished; the next step checks the result on the server.',
    ],
  );
  return { ...step, changes: spec.changes };
}
