import { changeName, migrationUnits, releaseIndex, releaseName, utcStamp, type Plan, type Step } from '@liveshift/core';

/**
 * How a plan becomes Prisma Migrate folders. Prisma runs SQL files and nothing else, one folder
 * after another, and applies every pending folder in one `prisma migrate deploy`; so:
 *
 * - a database step with SQL gets a folder Prisma runs (`step`); a step whose statements cannot run
 *   in a transaction (CREATE INDEX CONCURRENTLY, ...) gets one folder per statement, each statement
 *   alone (`statement`), then a `checkpoint` folder that proves it finished and records it;
 * - what Prisma cannot express — application deploys, batched backfills, checks with no statement —
 *   is run by `liveshift apply` from the plan file beside the folders ("liveshift steps");
 * - the first folder after a liveshift step, and the first folder of a release that only the
 *   operator can confirm, starts with a guard that fails while the condition is not met, with the
 *   instruction; before a statement that must stand alone, the guard gets a `gate` folder of its
 *   own. A plan that ends with liveshift steps ends with a gate, so no later migration can run
 *   before they are done.
 */

export type FolderRole = 'step' | 'gate' | 'statement' | 'checkpoint';

/** What a guard waits for before its folder may run. */
export interface Gate {
  /** Earlier steps `liveshift apply` runs; every one must be done (in liveshift.step_state). */
  liveshiftSteps: number[];
  /** Those of them not already required by an earlier folder: the ones this stop is about. */
  newLiveshiftSteps: number[];
  /**
   * The `liveshift apply` runs that do the new steps, in order: each application deploy is made
   * (and waited for) before the run that confirms it, so a backfill runs between the deploy that
   * writes both columns and the one that reads only the new one.
   */
  runs: LiveshiftRun[];
  /**
   * A release the operator must confirm for this folder's step, when no earlier step confirmed it
   * (a release of database steps only, e.g. the final DROP COLUMN): confirmed by resolving the
   * guard's stop with `prisma migrate resolve --rolled-back`.
   */
  confirmRelease: string | null;
}

/** `liveshift apply <plan> --through <through> --deployed <deployed>`, after deploying `app` if set. */
export interface LiveshiftRun {
  /** The application step whose release the operator deploys first. */
  app?: Step;
  through: number;
  deployed: string;
}

export interface PrismaFolder {
  /** `<YYYYMMDDHHmmss>_<name>`, UTC, strictly increasing in folder order. */
  name: string;
  role: FolderRole;
  /** The plan step the folder belongs to; for a plan's closing gate, the last step it waits for. */
  step: Step;
  /** For `statement` folders: which of the step's statements (0-based). */
  statement?: number;
  /** Set when the folder starts with (or, for a `gate`, is) a guard that can stop the deploy. */
  gate?: Gate;
  /** Whether the folder starts with a guard at all (every `step` folder checks it was not run twice). */
  guarded: boolean;
  /** The gate that closes a plan ending with liveshift steps. */
  closing?: boolean;
}

export interface PrismaLayout {
  /** `<stamp>_<change>`: the plan file and the README are named after it. */
  base: string;
  folders: PrismaFolder[];
  /** Steps run by `liveshift apply`, not by Prisma. */
  liveshiftSteps: Step[];
}

/** Prisma runs a step's SQL; liveshift runs what has none (deploys, checks) or must commit in batches (backfills). */
export function runsInPrisma(step: Step): boolean {
  return step.kind !== 'app' && !step.backfill && step.sql.length > 0;
}

export function prismaLayout(plan: Plan, options: { now: Date; name?: string }): PrismaLayout {
  const change = changeName(plan, options.name);
  const units = new Map(migrationUnits(plan, options).map((u) => [u.step.n, u.name]));
  const width = units.get(1)?.match(/_(\d+)_/)?.[1]?.length ?? 2;
  const nn = (n: number) => String(n).padStart(width, '0');

  const drafts: Omit<PrismaFolder, 'name'>[] = [];
  const liveshiftSteps: Step[] = [];
  let required: number[] = []; // liveshift steps some earlier folder already waits for
  let confirmed = 0; // the latest release a passed guard or an applied folder has confirmed

  for (const step of plan.steps) {
    if (!runsInPrisma(step)) {
      liveshiftSteps.push(step);
      continue;
    }
    const gate = gateFor(step.n, step.deploy, liveshiftSteps, required, confirmed);
    if (gate) required = gate.liveshiftSteps;
    // once this folder has run, its release is confirmed for the folders after it
    confirmed = Math.max(confirmed, releaseIndex(step.deploy));
    if (step.transactional) {
      drafts.push({ role: 'step', step, gate, guarded: true });
    } else {
      if (gate) drafts.push({ role: 'gate', step, gate, guarded: true });
      step.sql.forEach((_, i) => drafts.push({ role: 'statement', step, statement: i, guarded: false }));
      drafts.push({ role: 'checkpoint', step, guarded: false });
    }
  }
  // liveshift steps at the end of the plan: a closing gate, so that no later migration runs before them
  const trailing = liveshiftSteps.filter((s) => !required.includes(s.n));
  if (trailing.length > 0) {
    const last = trailing[trailing.length - 1]!;
    const gate = gateFor(last.n + 1, releaseName(0), liveshiftSteps, required, confirmed)!;
    drafts.push({ role: 'gate', step: last, gate, guarded: true, closing: true });
  }

  const stamp = (i: number) => utcStamp(new Date(options.now.getTime() + i * 1000));
  const folders = drafts.map((draft, i): PrismaFolder => {
    const n = draft.step.n;
    const unit = units.get(n)!;
    const name =
      draft.role === 'step'
        ? unit
        : draft.role === 'statement'
          ? draft.statement ? `${unit}_${draft.statement + 1}` : unit
          : draft.role === 'checkpoint'
            ? `${change}_${nn(n)}_checkpoint`
            : draft.closing
              ? `${change}_after_${nn(n)}_gate`
              : `${change}_${nn(n)}_gate`;
    return { ...draft, name: `${stamp(i)}_${name}` };
  });
  return { base: `${stamp(0)}_${change}`, folders, liveshiftSteps };
}

/** The guard of a folder for step `n` of release `release`, or none when nothing can be missing. */
function gateFor(n: number, release: string, liveshiftBefore: Step[], required: number[], confirmed: number): Gate | undefined {
  const before = liveshiftBefore.filter((s) => s.n < n);
  const newSteps = before.filter((s) => !required.includes(s.n)).map((s) => s.n);
  const byLiveshift = Math.max(-1, ...before.map((s) => releaseIndex(s.deploy)));
  const own = releaseIndex(release);
  // release A ships with the migration itself; a later one is confirmed by an earlier application
  // step (done through liveshift apply --deployed), by an earlier guard, or here by the operator
  const confirmRelease = own > 0 && own > Math.max(confirmed, byLiveshift) ? release : null;
  if (newSteps.length === 0 && !confirmRelease) return undefined;
  const runs: LiveshiftRun[] = [];
  let deployed = Math.max(0, confirmed);
  for (const step of before.filter((s) => newSteps.includes(s.n))) {
    deployed = Math.max(deployed, releaseIndex(step.deploy));
    const current = runs[runs.length - 1];
    if (step.kind === 'app' || !current) runs.push({ ...(step.kind === 'app' ? { app: step } : {}), through: step.n, deployed: releaseName(deployed) });
    else current.through = step.n;
    runs[runs.length - 1]!.deployed = releaseName(deployed);
  }
  return { liveshiftSteps: before.map((s) => s.n), newLiveshiftSteps: newSteps, runs, confirmRelease };
}
