import type { Plan, Step } from '../plan/types.js';
import {
  describeBlocking,
  describeIntent,
  describeRollback,
  describeRows,
  engineLabel,
  LOCK_WAIT_NAMES,
  formatBytes,
  formatCount,
  formatExpected,
  formatMs,
  formatSeconds,
  formatStepList,
  isLastReversible,
  isPointOfNoReturn,
  sqlScript,
} from './describe.js';

export interface TextOptions {
  /** ANSI emphasis for headings and the point of no return; off unless the caller knows it writes to a terminal. */
  color?: boolean;
}

const LABEL_WIDTH = 9;

/** Compact terminal view: a header, the release sequence, then one block per step. */
export function renderText(plan: Plan, options: TextOptions = {}): string {
  const c = colors(options.color === true);
  const out: string[] = [];
  for (const intent of plan.intents) out.push(c.bold(`liveshift plan: ${describeIntent(intent)}`));
  const tables = plan.tables.map((t) => `${t.table} ${describeRows(t)}, ${formatBytes(t.sizeBytes)}`);
  out.push([engineLabel(plan), ...tables].join(' · '));
  out.push(
    `${plan.steps.length} steps in ${plan.releases.length} release${plan.releases.length === 1 ? '' : 's'}: ` +
      plan.releases.map((r) => `${r.release} (${r.steps.length === 1 ? 'step' : 'steps'} ${formatStepList(r.steps)})`).join(' → '),
  );
  if (plan.pointOfNoReturn) {
    out.push(c.red(`point of no return: step ${plan.pointOfNoReturn.step}`) + (plan.lastReversibleStep !== null ? `; last reversible step: ${plan.lastReversibleStep}` : ''));
  } else {
    out.push('every step can be rolled back');
  }
  out.push('');

  for (const step of plan.steps) {
    if (isPointOfNoReturn(plan, step)) out.push(c.red(`━━━━━━━━ point of no return: ${plan.pointOfNoReturn!.reason}`), '');
    out.push(...renderStep(plan, step, c), '');
  }

  if (plan.warnings.length > 0) {
    out.push(c.bold('Warnings:'));
    for (const w of plan.warnings) out.push(`  ! ${w}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** One step's block of the compact view, uncoloured: what emitted migration files carry in their header. */
export function renderTextStep(plan: Plan, step: Step): string[] {
  return renderStep(plan, step, colors(false));
}

function renderStep(plan: Plan, step: Step, c: Colors): string[] {
  const marks: string[] = [];
  if (isPointOfNoReturn(plan, step)) marks.push(c.red('⛔ POINT OF NO RETURN'));
  if (isLastReversible(plan, step)) marks.push('◀ last reversible step');
  const out = [c.bold(`Step ${step.n}  [release ${step.deploy}]  ${step.kind}  ${step.title}`) + (marks.length ? `  ${marks.join('  ')}` : '')];
  const line = (label: string, text: string) => {
    const [first = '', ...rest] = text.split('\n');
    out.push(`  ${label.padEnd(LABEL_WIDTH)}${first}`);
    for (const r of rest) out.push(`  ${' '.repeat(LABEL_WIDTH)}${r}`);
  };

  if (step.kind === 'app') {
    line('deploy', step.instruction);
  } else {
    const also = step.lock.alsoLocks?.length ? `; also ${step.lock.alsoLocks.map((a) => `${a.mode} on ${a.table}`).join(', ')}` : '';
    const algorithm = step.lock.algorithm ? `ALGORITHM=${step.lock.algorithm}, ` : '';
    const lock = step.lock.mode === 'none' ? 'no table lock' : `${algorithm}${step.lock.mode} on ${step.lock.tables.join(', ')}, ${step.lock.duration}; ${describeBlocking(step.lock)}${also}`;
    line('lock', lock + (step.transactional ? '' : '; no transaction'));
    if (step.timeouts) {
      const t = step.timeouts;
      const names = LOCK_WAIT_NAMES[plan.engine.name];
      line('timeout', `${names.wait} ${formatMs(t.lockTimeoutMs)} × ${t.retries + 1} attempts` + (t.statementTimeoutMs && names.statement ? `, ${names.statement} ${formatMs(t.statementTimeoutMs)}` : ''));
    }
    if (step.sql.length > 0) line('sql', sqlScript(step.sql));
  }
  if (step.backfill) {
    const b = step.backfill;
    line('backfill', `SET ${b.set} WHERE ${b.predicate}; keyset (${b.keyColumns.join(', ')}), ${formatCount(b.batchSize)} rows per batch, pause ${formatMs(b.pauseMs)}`);
  }
  if (step.estimate) {
    const e = step.estimate;
    line('estimate', `${formatCount(e.rows)} rows${e.batches !== undefined ? `, ${formatCount(e.batches)} batches` : ''}, ${formatSeconds(e.seconds)}`);
  }
  if (step.checkpoint) line('check', `${step.checkpoint.sql}  → expect ${formatExpected(step.checkpoint.expected)}`);
  if (step.rollback.kind === 'sql') line('undo', sqlScript(step.rollback.sql));
  else line('undo', describeRollback(step.rollback));
  for (const caveat of step.caveats) line('caveat', caveat);
  return out;
}

interface Colors {
  bold(s: string): string;
  red(s: string): string;
}

function colors(on: boolean): Colors {
  const wrap = (open: string, close: string) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { bold: wrap('1', '22'), red: wrap('31', '39') };
}
