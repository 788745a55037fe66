import type { EngineInfo, SchemaSnapshot, TableRef } from '../schema/snapshot.js';
import { findTable } from '../schema/snapshot.js';
import type { Intent } from '../intents/types.js';
import type { RecipeResult } from './draft.js';
import { PLAN_FORMAT, PLAN_VERSION, releaseName, type Plan, type Release, type Step, type TableFacts } from './types.js';
import { displayName } from '../engines/postgres/quote.js';
import { sequenceSteps } from './sequence.js';

/** Numbers the recipes' drafts, names their releases and marks the point of no return. */
export function buildPlan(args: {
  intents: Intent[];
  engine: EngineInfo;
  before: SchemaSnapshot;
  touched: TableRef[];
  /** Snapshots the later intents were planned against: facts of a table the plan creates or renames come from the first that has it. */
  later?: SchemaSnapshot[];
  results: RecipeResult[];
  warnings: string[];
}): Plan {
  const steps = sequenceSteps(args.results);
  const ponr = steps.find((s) => s.rollback.kind === 'irreversible');
  const lastReversible = ponr ? (ponr.n > 1 ? ponr.n - 1 : null) : steps.length ? steps[steps.length - 1]!.n : null;
  return {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    intents: args.intents,
    engine: args.engine,
    tables: uniqueRefs(args.touched).map((ref) => tableFacts([args.before, ...(args.later ?? [])], ref)),
    steps,
    releases: releases(steps),
    lastReversibleStep: lastReversible,
    pointOfNoReturn: ponr && ponr.rollback.kind === 'irreversible' ? { step: ponr.n, reason: `${ponr.rollback.reason}; lost: ${ponr.rollback.dataLost}` } : null,
    warnings: [...args.warnings, ...args.results.flatMap((r) => r.warnings)],
  };
}

function uniqueRefs(refs: TableRef[]): TableRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(displayName(r)) && seen.add(displayName(r)));
}

function tableFacts(snapshots: SchemaSnapshot[], ref: TableRef): TableFacts {
  const t = snapshots.map((s) => findTable(s, ref)).find((x) => x !== undefined);
  if (!t) throw new Error(`internal error: table ${displayName(ref)} is in no snapshot the plan was made from`);
  return {
    table: displayName(ref),
    rowEstimate: t.rowEstimate,
    sizeBytes: t.sizeBytes,
    indexes: t.indexes.map((i) => i.name),
    foreignKeys: t.constraints.filter((k) => k.type === 'foreign_key').map((k) => k.name),
    triggers: t.triggers.map((tr) => tr.name),
  };
}

function releases(steps: Step[]): Release[] {
  const out: Release[] = [];
  for (const s of steps) {
    let r = out.find((x) => x.release === s.deploy);
    if (!r) out.push((r = { release: s.deploy, steps: [], summary: '' }));
    r.steps.push(s.n);
  }
  for (const r of out) {
    const inRelease = steps.filter((s) => r.steps.includes(s.n));
    const app = inRelease.filter((s) => s.kind === 'app').map((s) => s.title);
    const db = inRelease.filter((s) => s.kind !== 'app').length;
    r.summary = [...app.map((t) => `deploy: ${t}`), db ? `${db} database step${db > 1 ? 's' : ''}` : ''].filter(Boolean).join('; ');
  }
  return out;
}
