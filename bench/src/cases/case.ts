import type { PlanInput } from '@liveshift/core';

/** One benchmark case: a change a developer would write as one statement, and what liveshift plans for it. */
export interface BenchCase {
  /** Short id used on the command line (--cases) and in the report. */
  name: string;
  /** What the change is, for the report. */
  title: string;
  /** The single statement a developer would run. */
  naiveSql: string;
  /** What liveshift is asked to plan (the same statement unless said otherwise). */
  planInput: PlanInput;
  /**
   * A transaction that read the table is still open when the change arrives and holds its lock
   * for the run's blocker time (the lock-queue case).
   */
  longTransaction?: boolean;
}
