import type { Plan, Step } from '../plan/types.js';
import { describeIntent } from '../render/describe.js';
import type { EmitOptions } from './contract.js';

/** One migration per plan step: the facts every adapter names and orders its files by. */
export interface MigrationUnit {
  step: Step;
  /** UTC time for this step's file name: the plan's `now` plus (n - 1) seconds. */
  stamp: Date;
  /** `<change>_<nn>_<step title>` in snake case, e.g. `rename_column_users_full_name_display_name_01_add_column_display_name`. */
  name: string;
}

const MAX_CHANGE_CHARS = 48;
const MAX_STEP_CHARS = 40;

/** Lower-case snake case of `text`, ASCII letters and digits only, at most `max` characters. */
export function snakeCase(text: string, max = Infinity): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug.length <= max) return slug;
  // cut at a word boundary, and not after a dangling little word ("..._on", "..._using")
  const words = slug.slice(0, max + 1).split('_').slice(0, -1);
  while (words.length > 1 && DANGLING.has(words[words.length - 1]!)) words.pop();
  return words.join('_') || slug.slice(0, max);
}

const DANGLING = new Set(['a', 'an', 'and', 'by', 'for', 'from', 'in', 'of', 'on', 'the', 'to', 'using', 'with']);

/** The change's name: the caller's, else its first intent described (`rename_column_users_full_name_display_name`). */
export function changeName(plan: Plan, name?: string): string {
  const source = name ?? (plan.intents[0] ? describeIntent(plan.intents[0]).replace(/\s*\(sync: \w+\)$/, '').replace(/ using btree\b/, '') : 'change');
  return snakeCase(source, MAX_CHANGE_CHARS) || 'change';
}

export function migrationUnits(plan: Plan, options: Pick<EmitOptions, 'now' | 'name'>): MigrationUnit[] {
  const change = changeName(plan, options.name);
  const width = String(plan.steps.length).length < 2 ? 2 : String(plan.steps.length).length;
  return plan.steps.map((step) => ({
    step,
    stamp: new Date(options.now.getTime() + (step.n - 1) * 1000),
    name: `${change}_${String(step.n).padStart(width, '0')}_${snakeCase(step.title, MAX_STEP_CHARS) || step.kind}`,
  }));
}

/** `YYYYMMDDHHmmss` in UTC, the stamp `knex migrate:make` and Prisma put in front of names. */
export function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
