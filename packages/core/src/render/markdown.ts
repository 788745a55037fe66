import type { Plan, Step } from '../plan/types.js';
import {
  describeIntent,
  describeLock,
  describeRollback,
  describeTimeouts,
  engineLabel,
  formatBytes,
  formatCount,
  formatExpected,
  formatMs,
  formatSeconds,
  formatStepList,
  isLastReversible,
  isPointOfNoReturn,
  sentence,
  sqlScript,
} from './describe.js';

/**
 * The plan as a document a reviewer reads in a pull request: what changes, the deploy
 * sequence, then every step with its lock, SQL, checkpoint and rollback. Pure and
 * deterministic: the same plan always renders to the same bytes.
 */
export function renderMarkdown(plan: Plan): string {
  const out: string[] = [];
  const title = plan.intents.length === 1 ? describeIntent(plan.intents[0]!) : `${plan.intents.length} changes`;
  out.push(`# liveshift plan: ${title}`, '');

  out.push('| | |', '|---|---|');
  if (plan.intents.length === 1) out.push(row('Intent', code(describeIntent(plan.intents[0]!))));
  else plan.intents.forEach((intent, i) => out.push(row(`Intent ${i + 1}`, code(describeIntent(intent)))));
  out.push(row('Engine', plan.engine.name === 'postgres' ? `${engineLabel(plan)} (server_version_num ${plan.engine.versionNum})` : engineLabel(plan)));
  out.push(row('Steps', `${plan.steps.length} in ${plan.releases.length} release${plan.releases.length === 1 ? '' : 's'}`));
  out.push(row('Last reversible step', plan.lastReversibleStep === null ? 'none: no step can be undone' : `step ${plan.lastReversibleStep}`));
  out.push(
    row('Point of no return', plan.pointOfNoReturn === null ? 'none: every step can be undone' : `**step ${plan.pointOfNoReturn.step}**: ${plan.pointOfNoReturn.reason}`),
  );
  out.push('');

  if (plan.tables.length > 0) {
    out.push('## Tables', '');
    out.push('| table | rows (estimate) | size | indexes | foreign keys | triggers |', '|---|---:|---:|---|---|---|');
    for (const t of plan.tables) {
      const rows = t.rowEstimate < 0 ? 'unknown (never analyzed)' : formatCount(t.rowEstimate);
      out.push(`| ${cell(t.table)} | ${rows} | ${formatBytes(t.sizeBytes)} | ${list(t.indexes)} | ${list(t.foreignKeys)} | ${list(t.triggers)} |`);
    }
    out.push('');
  }

  out.push('## Deploy sequence', '');
  out.push('Each release is a separate deploy; a release starts only when the one before it is live everywhere.', '');
  out.push('| release | steps | what ships |', '|---|---|---|');
  for (const r of plan.releases) out.push(`| ${r.release} | ${formatStepList(r.steps)} | ${cell(r.summary)} |`);
  out.push('');

  if (plan.pointOfNoReturn !== null) {
    const last = plan.lastReversibleStep;
    out.push(
      `> **⛔ Point of no return: step ${plan.pointOfNoReturn.step}.** ${sentence(plan.pointOfNoReturn.reason)}` +
        (last !== null ? ` Up to step ${last} (the last reversible step) everything can be rolled back; from step ${plan.pointOfNoReturn.step} on, only a restore can.` : ''),
      '',
    );
  } else {
    out.push('> Every step of this plan can be rolled back.', '');
  }

  if (plan.warnings.length > 0) {
    out.push('## Warnings', '');
    for (const w of plan.warnings) out.push(`- ⚠ ${w}`);
    out.push('');
  }

  out.push('## Steps', '');
  for (const step of plan.steps) out.push(...renderStep(plan, step));

  return `${out.join('\n').trimEnd()}\n`;
}

function renderStep(plan: Plan, step: Step): string[] {
  const out: string[] = [];
  const marks: string[] = [];
  if (isPointOfNoReturn(plan, step)) marks.push('⛔ POINT OF NO RETURN');
  if (isLastReversible(plan, step)) marks.push('last reversible step');
  out.push(`### Step ${step.n}: ${step.title}${marks.length ? ` (${marks.join('; ')})` : ''}`, '');

  if (isPointOfNoReturn(plan, step)) {
    out.push(`> **⛔ Point of no return.** ${sentence(plan.pointOfNoReturn!.reason)} Take a backup or confirm you can restore before running this step.`, '');
  }

  out.push('| | |', '|---|---|');
  out.push(row('Kind', step.kind === 'app' ? 'app (application deploy, no SQL)' : step.kind));
  out.push(row('Release', step.deploy));
  out.push(row('Lock', describeLock(step.lock, step.kind)));
  if (step.kind !== 'app') {
    out.push(row('Transaction', step.transactional ? 'runs in one transaction' : 'runs outside a transaction (cannot run inside one)'));
    out.push(row('Timeouts', step.timeouts ? describeTimeouts(step.timeouts, plan.engine.name) : 'none (takes no lock that waits on other sessions)'));
  }
  if (step.estimate) {
    const e = step.estimate;
    const batches = e.batches !== undefined ? ` in ${formatCount(e.batches)} batches` : '';
    out.push(row('Estimate', `${formatCount(e.rows)} rows${batches}, ${formatSeconds(e.seconds)} (${e.basis})`));
  }
  out.push('');

  if (step.kind === 'app') {
    out.push(`**What the application must do (release ${step.deploy}):** ${step.instruction}`, '');
    out.push(`Runners stop here until release ${step.deploy} is confirmed live (\`--deployed ${step.deploy}\` or \`LIVESHIFT_DEPLOYED=${step.deploy}\`).`, '');
  } else {
    // a database step that opens a later release holds runners just like an application step (DESIGN §8)
    const previous = plan.steps.find((s) => s.n === step.n - 1);
    if (previous && previous.deploy !== step.deploy) {
      out.push(
        `Ships with release ${step.deploy}: runners stop here until it is confirmed live (\`--deployed ${step.deploy}\` or \`LIVESHIFT_DEPLOYED=${step.deploy}\`), ` +
          `that is, once every application instance runs ${previous.deploy} or later.`,
        '',
      );
    }
    if (step.sql.length > 0) out.push('```sql', sqlScript(step.sql), '```', '');
    else out.push('No statement of its own: the checkpoint query below is the check.', '');
  }

  if (step.backfill) {
    const b = step.backfill;
    out.push('**Backfill** (keyset batches, each committed on its own; resumable):', '');
    out.push('| | |', '|---|---|');
    out.push(row('Table', b.table));
    out.push(row('Set', code(b.set)));
    out.push(row('Where', code(b.predicate)));
    out.push(row('Keyset', b.keyColumns.map((k) => code(k)).join(', ')));
    out.push(row('Batch size', `${formatCount(b.batchSize)} rows`));
    out.push(row('Pause between batches', formatMs(b.pauseMs)));
    out.push('');
  }

  if (step.checkpoint) {
    out.push(`**Checkpoint:** ${step.checkpoint.description}; the query must return \`${formatExpected(step.checkpoint.expected)}\` before the next step starts.`, '');
    out.push('```sql', sqlScript([step.checkpoint.sql]), '```', '');
  } else {
    out.push(step.kind === 'app' ? '**Checkpoint:** the operator confirms the release is live.' : '**Checkpoint:** none.', '');
  }

  out.push(`**Rollback:** ${describeRollback(step.rollback)}`, '');
  if (step.rollback.kind === 'sql') out.push('```sql', sqlScript(step.rollback.sql), '```', '');

  if (step.caveats.length > 0) {
    out.push('**Caveats:**', '');
    for (const c of step.caveats) out.push(`- ${c}`);
    out.push('');
  }
  return out;
}

function row(label: string, value: string): string {
  return `| ${label} | ${cell(value)} |`;
}

/** A table cell: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${text}${ticks}`;
}

function list(items: string[]): string {
  return items.length ? items.map(cell).join(', ') : '—';
}
