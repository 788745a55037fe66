import type { Step } from './types.js';
import type { TableRef } from '../schema/snapshot.js';

/**
 * A step before numbering: recipes produce drafts; the builder numbers them and turns the
 * relative `release` (0 = the release the plan starts in) into names A, A+1, …
 */
export type StepDraft = Omit<Step, 'n' | 'deploy'> & { release: number };

export interface RecipeResult {
  steps: StepDraft[];
  warnings: string[];
  /** Tables besides the intent's own that the steps lock (a foreign key's referenced table): their facts go into the plan too. */
  alsoLocked?: TableRef[];
}
