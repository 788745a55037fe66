import { releaseIndex, releaseName, renderText, type Plan } from '@liveshift/core';
import type { PrismaFolder, PrismaLayout } from './layout.js';
import type { OperatorCommands } from './sql.js';

/** What the plan changes, as `liveshift plan` titles it: "rename column users.full_name → display_name (sync: app)". */
export function planTitle(plan: Plan): string {
  const lines = renderText(plan, { color: false }).split('\n');
  return lines.filter((line) => line.startsWith('liveshift plan: ')).map((line) => line.slice('liveshift plan: '.length)).join('; ');
}

/**
 * The README written beside the folders: which command runs what, in order, and where
 * `prisma migrate deploy` stops. The same instructions are in the guards' error messages.
 */
export function prismaRunbook(plan: Plan, layout: PrismaLayout, c: OperatorCommands): string {
  const out: string[] = [];
  const intents = planTitle(plan);
  out.push(`# liveshift plan for Prisma: ${intents}`, '');
  out.push(
    `PostgreSQL ${plan.engine.version}. ${plan.steps.length} steps in ${plan.releases.length} release(s); ` +
      `${layout.folders.length} migration folders run by \`prisma migrate deploy\`, ${layout.liveshiftSteps.length} step(s) run by \`liveshift apply\`. ` +
      `Point of no return: ${plan.pointOfNoReturn ? `step ${plan.pointOfNoReturn.step} (${plan.pointOfNoReturn.reason})` : 'none, every step can be rolled back'}.`,
    '',
    `The plan itself is \`${c.planPath}\` (for \`liveshift apply\`; do not edit it: the folders check its id).`,
    '',
  );

  out.push('## Steps', '', '| step | release | what | run by |', '|---|---|---|---|');
  for (const step of plan.steps) {
    const folders = layout.folders.filter((f) => f.step === step && !f.closing).map((f) => `\`${f.name}\``);
    const by = folders.length ? folders.join(', ') : step.kind === 'app' ? 'you (an application deploy), confirmed with `liveshift apply --deployed`' : '`liveshift apply`';
    out.push(`| ${step.n} | ${step.deploy} | ${cell(step.kind === 'app' ? step.instruction : step.title)} | ${by} |`);
  }
  const closing = layout.folders.find((f) => f.closing);
  if (closing) out.push(`| | | gate: no later migration runs before liveshift has run the steps above | \`${closing.name}\` |`);
  out.push('');

  out.push('## Runbook', '', 'Run these from the project folder (where `prisma.config.ts` is); `DATABASE_URL` names the database.', '');
  let k = 1;
  let pending: PrismaFolder[] = [];
  const flush = (stop?: PrismaFolder) => {
    const applies = pending.length ? `applies ${range(pending)}` : 'applies nothing new';
    out.push(`${k++}. \`${c.prisma} migrate deploy\`: ${applies}${stop ? `, then stops at \`${stop.name}\`, whose guard fails with the instruction below.` : '. Done.'}`);
    pending = [];
  };
  for (const folder of layout.folders) {
    const gate = folder.gate;
    if (!gate) {
      pending.push(folder);
      continue;
    }
    flush(folder);
    let from = 0;
    for (const run of gate.runs) {
      if (run.app) out.push(`${k++}. Deploy release ${run.app.deploy}: ${run.app.instruction} Wait until every instance runs it.`);
      const ran = plan.steps.filter((s) => gate.newLiveshiftSteps.includes(s.n) && s.n > from && s.n <= run.through);
      const names = ran.map((s) => `${s.n} (${s.kind === 'app' ? 'confirms the deploy' : s.title})`).join(', ');
      out.push(`${k++}. \`${c.liveshift} apply ${c.planPath} --db ${c.databaseUrl} --through ${run.through} --deployed ${run.deployed}\`: runs step${ran.length > 1 ? 's' : ''} ${names}.`);
      from = run.through;
    }
    if (gate.confirmRelease) {
      const previous = releaseName(releaseIndex(gate.confirmRelease) - 1);
      out.push(`${k++}. Release ${gate.confirmRelease} has nothing to deploy: wait until every application instance runs ${previous} or later.`);
    }
    out.push(
      `${k++}. \`${c.prisma} migrate resolve --rolled-back ${folder.name}\`: the stop left a failed row in \`_prisma_migrations\`, which blocks every deploy until it is resolved` +
        `${gate.confirmRelease ? `; resolving it is also what confirms release ${gate.confirmRelease}` : ''}.`,
    );
    pending.push(folder);
  }
  if (pending.length) flush();
  out.push('');

  out.push(
    '## How the folders behave',
    '',
    '- A statement that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, ...) stands alone in its folder: ' +
      'Prisma sends a file of several statements as one implicit transaction. The folder after it checks the step\'s checkpoint ' +
      '(e.g. the index is valid) and records the step as done.',
    `- Every other step is one folder: \`SET lock_timeout\`, the guard, the step's statements, its checkpoint, the record in \`liveshift.step_state\` ` +
      '(the table `liveshift apply` reads, so it never runs a step twice), `RESET lock_timeout`.',
    '- **Lock timeouts are not retried.** Prisma has no retry: when the lock is not granted within `lock_timeout`, `prisma migrate deploy` fails at that ' +
      'folder with "canceling statement due to lock timeout" and, the file being one transaction, applies nothing of it. Run ' +
      `\`${c.prisma} migrate resolve --rolled-back <folder>\` and deploy again, at a quieter moment if it keeps happening. ` +
      '(`liveshift apply` runs the same steps with retries and backoff, if you prefer it for a busy table.)',
    '- Backfills never run inside `prisma migrate deploy`: one long UPDATE would lock every row it touches until it commits. ' +
      '`liveshift apply` runs them in keyset batches, each its own transaction, resumable after an interruption.',
    '- The guards let a shadow database through (no `_prisma_migrations` there: `prisma migrate dev` and `prisma migrate diff --from-migrations` replay ' +
      'the folders without data or application). On a development database, `prisma migrate dev` and `migrate deploy` stop at the same guards: run the same commands there.',
    '',
    '## Undo',
    '',
    `- \`${c.liveshift} prisma down <folder>\` rolls back the folder's step (the statements in its \`down.sql\`, with retries on lock timeouts) and marks its folders rolled back ` +
      'in `_prisma_migrations`, as `prisma migrate resolve --rolled-back` does for a failed migration; the next `prisma migrate deploy` applies them again. ' +
      'Steps go back in reverse order.',
    `- A step run by liveshift: \`${c.liveshift} apply ${c.planPath} --db ${c.databaseUrl} --rollback <step>\` (an application step waits until the older release is deployed back: \`--deployed <release>\`).`,
    plan.pointOfNoReturn
      ? `- Step ${plan.pointOfNoReturn.step} is the point of no return: \`liveshift prisma down\` refuses it, and its \`down.sql\` fails, saying what would be lost.`
      : '- Every step can be rolled back.',
    '',
  );
  return out.join('\n');
}

function range(folders: PrismaFolder[]): string {
  const names = folders.map((f) => `\`${f.name}\``);
  return names.length <= 2 ? names.join(' and ') : `${names[0]} … ${names[names.length - 1]} (${names.length} folders)`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
