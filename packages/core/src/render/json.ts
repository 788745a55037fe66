import type { Plan } from '../plan/types.js';

/** The plan file itself: what `liveshift apply` and the framework adapters read back. */
export function renderJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
