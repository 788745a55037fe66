import { Option, type Command } from 'commander';
import { enginePlanning, parsePlanJson, planViolations, type Plan } from '@liveshift/core';
import { applyPlan, connectSession, redactUrl, rollbackPlanStep } from '@liveshift/runtime';
import { EXIT_WAITING, UsageError } from '../errors.js';
import { integerOption, readUserFile, releaseOption } from '../inputs.js';
import { info } from '../output.js';

interface ApplyFlags {
  db?: string;
  step?: number;
  through?: number;
  all?: boolean;
  rollback?: number;
  deployed?: string;
}

const EXAMPLES = `
Examples:
  # run step 1 only (e.g. add the new column), then stop
  $ liveshift apply plan.json --db postgres://app@db/app --step 1

  # run everything up to step 4; stops with exit code 3 at the first step that needs a release
  # that is not confirmed yet, and says what to deploy
  $ liveshift apply plan.json --db postgres://app@db/app --through 4

  # release A+1 (the application writes both columns) is live everywhere: confirm it and go on
  $ liveshift apply plan.json --db postgres://app@db/app --through 4 --deployed A+1
  $ LIVESHIFT_DEPLOYED=A+1 liveshift apply plan.json --db postgres://app@db/app --through 4

  # run the whole plan as far as the confirmed release allows
  $ liveshift apply plan.json --db postgres://app@db/app --all --deployed A+3

  # undo step 3 (only steps before the point of no return can be undone)
  $ liveshift apply plan.json --db postgres://app@db/app --rollback 3

Progress is stored in the database (schema "liveshift"): re-running a finished step is a no-op
that says so, an interrupted backfill resumes where it stopped, and a step never runs before
the steps it depends on.
Exit codes: 0 done, 1 failed (database error, checkpoint not met), 2 bad input,
3 stopped: waiting for a release to be deployed and confirmed with --deployed.`;

export function registerApply(program: Command): void {
  program
    .command('apply')
    .summary('run the steps of a plan against a database')
    .description(
      'Run the steps of a plan file (written by `liveshift plan --format json`) against a database, one step ' +
        'or up to a step, with bounded lock waits, batched resumable backfills and a checkpoint after each step. ' +
        'Application steps hold the run until the operator confirms the release is live (--deployed).',
    )
    .argument('<plan.json>', 'the plan file')
    .option('--db <url>', 'the database to change: postgres://user:password@host:port/db')
    .option('--step <n>', 'run step n only (the steps before it must be done)', integerOption(1))
    .option('--through <n>', 'run every step up to and including n', integerOption(1))
    .option('--all', 'run every step, as far as the confirmed release allows')
    .option('--rollback <n>', "undo step n using the plan's rollback for it", integerOption(1))
    .addOption(
      new Option('--deployed <release>', 'the application release that is live everywhere (A, A+1, ...)').env('LIVESHIFT_DEPLOYED').argParser(releaseOption),
    )
    .addHelpText('after', EXAMPLES)
    .action(async (planFile: string, flags: ApplyFlags) => {
      const chosen = (['step', 'through', 'all', 'rollback'] as const).filter((k) => flags[k] !== undefined && flags[k] !== false);
      if (chosen.length !== 1) {
        throw new UsageError(
          chosen.length === 0
            ? 'say which steps to run: --step <n>, --through <n>, --all, or --rollback <n>'
            : `choose one of ${chosen.map((k) => `--${k}`).join(', ')}`,
        );
      }
      if (!flags.db) throw new UsageError('--db <url> is required: the database to change');
      const plan = parsePlanJson(await readUserFile(planFile, 'plan'), planFile);
      // the DESIGN invariants, checked with the real parser before anything runs (the small-table
      // threshold is a planning option the file does not record, so that one was checked when planning)
      await enginePlanning(plan.engine.name).prepare();
      const violations = planViolations(plan, { smallTableBytes: Number.POSITIVE_INFINITY });
      if (violations.length) throw new UsageError(`${planFile} breaks the plan invariants:\n  ${violations.join('\n  ')}`);
      for (const k of ['step', 'through', 'rollback'] as const) {
        const n = flags[k];
        if (n !== undefined && !plan.steps.some((s) => s.n === n)) {
          throw new UsageError(`--${k} ${n}: the plan has steps 1 to ${plan.steps.length}`);
        }
      }

      const client = await connectSession(flags.db);
      try {
        if (flags.rollback !== undefined) {
          const result = await rollbackPlanStep(client, plan, flags.rollback, { log: info, deployed: flags.deployed });
          if (result.waitingFor) {
            info(
              `\nDeploy release ${result.waitingFor.release} back, and once it is live everywhere confirm it: ` +
                `  liveshift apply ${planFile} --db ${redactUrl(flags.db)} --rollback ${flags.rollback} --deployed ${result.waitingFor.release}`,
            );
            process.exitCode = EXIT_WAITING;
          }
          return;
        }
        const selection = flags.step !== undefined ? { step: flags.step } : { through: flags.through ?? lastStep(plan) };
        // backfill progress: the runtime's own reporter (a bar on a terminal, periodic lines otherwise)
        const result = await applyPlan(client, plan, { ...selection, deployed: flags.deployed, log: info });
        const parts = [result.ran.length ? `ran step${result.ran.length === 1 ? '' : 's'} ${result.ran.join(', ')}` : 'ran no step'];
        if (result.skipped.length) parts.push(`step${result.skipped.length === 1 ? '' : 's'} ${result.skipped.join(', ')} already done`);
        info(`liveshift: ${parts.join('; ')}`);
        if (result.waitingFor) {
          const w = result.waitingFor;
          const again = flags.step !== undefined ? `--step ${flags.step}` : flags.all ? '--all' : `--through ${flags.through}`;
          info(
            `\nstopped at step ${w.step}: it needs release ${w.release}: ${w.instruction} ` +
              `Deploy release ${w.release}, and once it is live everywhere confirm it: ` +
              `  liveshift apply ${planFile} --db ${redactUrl(flags.db)} ${again} --deployed ${w.release}`,
          );
          process.exitCode = EXIT_WAITING;
        }
      } finally {
        await client.close().catch(() => {});
      }
    });
}

function lastStep(plan: Plan): number {
  return plan.steps.reduce((max, s) => Math.max(max, s.n), 0);
}
