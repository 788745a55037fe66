import { releaseIndex, type Plan } from '@liveshift/core';

/**
 * What the simulated application does with the renamed column at each release of a rename
 * plan. Derived from the plan's structure (its app steps), not from the wording of its
 * instructions, and always the most demanding reading of the plan's promise:
 *   - before the first app step: reads and writes the old column only (today's code);
 *   - from the dual-write release (--sync app, the first of two app steps): writes both, reads the old one;
 *   - from the read-switch release (the last app step): uses the new column only, so the plan must
 *     have made the old column optional (or a trigger must fill it) by then.
 */
export interface AppVersion {
  release: string;
  reads: string;
  writes: string[];
  /** For the demo's narration. */
  describe: string;
}

export function appVersions(plan: Plan, from: string, to: string): AppVersion[] {
  const appSteps = plan.steps.filter((s) => s.kind === 'app');
  const readSwitch = appSteps[appSteps.length - 1];
  const dualWrite = appSteps.length > 1 ? appSteps[0] : undefined;
  const at = (release: string | undefined) => (release === undefined ? Number.POSITIVE_INFINITY : releaseIndex(release));

  return plan.releases.map(({ release }) => {
    const i = releaseIndex(release);
    if (i >= at(readSwitch?.deploy)) return { release, reads: to, writes: [to], describe: `reads and writes ${to} only` };
    if (i >= at(dualWrite?.deploy)) return { release, reads: from, writes: [from, to], describe: `reads ${from}, writes both` };
    return { release, reads: from, writes: [from], describe: `reads and writes ${from} only` };
  });
}
