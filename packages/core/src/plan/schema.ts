import { z } from 'zod';
import { PlanningError } from '../errors.js';
import { intentSchema } from '../intents/types.js';
import { ENGINE_NAMES } from '../schema/snapshot.js';
import { LOCK_MODES, MYSQL_ALGORITHMS, PLAN_FORMAT, PLAN_VERSION, releaseIndex, type Plan } from './types.js';

/**
 * The plan file format as a zod schema, mirroring `types.ts` field for field (a compile-time
 * check at the bottom keeps the two in step). Used to read plan files back (`liveshift apply`)
 * and to publish `docs/plan.schema.json`. Objects are strict: an unknown field is an error, so
 * a typo in a hand-edited plan is caught instead of silently ignored.
 */

const nonEmpty = z.string().min(1, 'must not be empty');
const count = z.number().int('must be an integer').nonnegative('must be >= 0');
const stepNumber = z.number().int('must be an integer').positive('must be >= 1');
const release = z
  .string()
  .regex(/^A(\+[1-9]\d*)?$/, 'must be a release name: A, A+1, A+2, ...')
  .describe('A release: "A" is the first deploy of the plan, "A+1" the next, and so on.');

const tableRef = z.object({ schema: nonEmpty, name: nonEmpty }).strict();

const engineInfo = z
  .object({
    name: z.enum(ENGINE_NAMES),
    version: nonEmpty.describe('Human version, e.g. "18.4", "10.11.19", "3.45.1".'),
    versionNum: count.describe('The version as one number: PostgreSQL server_version_num (180004); MySQL/MariaDB major*10000+minor*100+patch (101119); SQLite SQLITE_VERSION_NUMBER (3045001). Version gates compare against it.'),
  })
  .strict();

const columnSchema = z
  .object({
    name: nonEmpty,
    type: nonEmpty.describe('The type as the server formats it (format_type).'),
    nullable: z.boolean(),
    default: z.string().nullable(),
    identity: z.enum(['always', 'by default']).optional(),
    generated: z.enum(['stored', 'virtual']).optional(),
  })
  .strict();

const indexSchema = z
  .object({
    name: nonEmpty,
    columns: z.array(nonEmpty),
    unique: z.boolean(),
    primary: z.boolean(),
    valid: z.boolean(),
    predicate: z.string().nullable(),
    method: nonEmpty,
    definition: z.string(),
  })
  .strict();

const constraintSchema = z
  .object({
    name: nonEmpty,
    type: z.enum(['primary_key', 'unique', 'check', 'foreign_key']),
    columns: z.array(nonEmpty),
    definition: z.string(),
    validated: z.boolean(),
    references: z.object({ table: nonEmpty, columns: z.array(nonEmpty) }).strict().nullable(),
  })
  .strict();

const triggerSchema = z
  .object({ name: nonEmpty, function: nonEmpty, enabled: z.boolean(), definition: z.string().optional().describe('SQLite: the CREATE TRIGGER statement (a table rebuild runs it again).') })
  .strict();

const lockClaim = z
  .object({
    mode: z
      .enum([...LOCK_MODES, 'none'])
      .describe('Strongest table lock the step takes, in the engine\'s vocabulary (PostgreSQL lock modes, MySQL/MariaDB LOCK= levels, SQLite DATABASE WRITE); "none" for application steps.'),
    algorithm: z.enum(MYSQL_ALGORITHMS).optional().describe('MySQL/MariaDB DDL: the ALGORITHM= the statement states.'),
    tables: z.array(nonEmpty).describe('Tables locked with `mode`, schema-qualified.'),
    blocksReads: z.boolean(),
    blocksWrites: z.boolean(),
    duration: z
      .enum(['brief', 'scan', 'rewrite', 'rows'])
      .describe('brief: catalog change only; scan: held while the table is read once; rewrite: held while the table is rewritten; rows: row locks only, a batch at a time.'),
    alsoLocks: z
      .array(z.object({ table: nonEmpty, mode: z.enum(LOCK_MODES) }).strict())
      .optional()
      .describe('Other tables the step locks in another mode (e.g. ROW SHARE on the referenced table of a foreign key being validated).'),
  })
  .strict();

const timeouts = z
  .object({
    lockTimeoutMs: stepNumber.describe('lock_timeout for each attempt to acquire the lock, ms.'),
    retries: count.describe('Attempts after the first, on SQLSTATE 55P03.'),
    initialBackoffMs: count,
    maxBackoffMs: count,
    statementTimeoutMs: count.describe('statement_timeout for the step, ms; 0 = none.'),
  })
  .strict();

const backfillSpec = z
  .object({
    table: nonEmpty.describe('Schema-qualified table.'),
    set: nonEmpty.describe('SET clause, e.g. "display_name" = "full_name".'),
    predicate: nonEmpty.describe('Rows still needing work; makes every batch idempotent.'),
    keyColumns: z.array(nonEmpty).min(1, 'needs at least one key column (the primary key)'),
    batchSize: stepNumber,
    pauseMs: count,
  })
  .strict();

const checkpoint = z
  .object({
    description: nonEmpty,
    sql: nonEmpty.describe('Returns one row with one column.'),
    expected: z.union([z.string(), z.number(), z.boolean()]).describe('The value the first column must equal, compared as text.'),
  })
  .strict();

const rollback = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('sql'),
      sql: z.array(nonEmpty).min(1, 'a SQL rollback needs at least one statement'),
      transactional: z.boolean(),
      note: z.string().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('deploy'), release, instruction: nonEmpty }).strict(),
  z.object({ kind: z.literal('none'), reason: nonEmpty }).strict(),
  z.object({ kind: z.literal('irreversible'), reason: nonEmpty, dataLost: nonEmpty }).strict(),
]);

const estimate = z
  .object({
    rows: count,
    batches: count.optional(),
    seconds: z.number().nonnegative('must be >= 0'),
    basis: z.string(),
  })
  .strict();

const schemaChange = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add_column'), table: tableRef, column: columnSchema }).strict(),
  z.object({ op: z.literal('drop_column'), table: tableRef, column: nonEmpty }).strict(),
  z.object({ op: z.literal('rename_column'), table: tableRef, from: nonEmpty, to: nonEmpty }).strict(),
  z.object({ op: z.literal('set_default'), table: tableRef, column: nonEmpty, default: z.string().nullable() }).strict(),
  z.object({ op: z.literal('set_nullable'), table: tableRef, column: nonEmpty, nullable: z.boolean() }).strict(),
  z.object({ op: z.literal('add_index'), table: tableRef, index: indexSchema }).strict(),
  z.object({ op: z.literal('drop_index'), table: tableRef, index: nonEmpty }).strict(),
  z.object({ op: z.literal('add_constraint'), table: tableRef, constraint: constraintSchema }).strict(),
  z.object({ op: z.literal('validate_constraint'), table: tableRef, constraint: nonEmpty }).strict(),
  z.object({ op: z.literal('drop_constraint'), table: tableRef, constraint: nonEmpty }).strict(),
  z.object({ op: z.literal('add_trigger'), table: tableRef, trigger: triggerSchema }).strict(),
  z.object({ op: z.literal('drop_trigger'), table: tableRef, trigger: nonEmpty }).strict(),
  z.object({ op: z.literal('set_index_primary'), table: tableRef, index: nonEmpty, primary: z.boolean() }).strict(),
  z
    .object({ op: z.literal('create_table'), table: tableRef, columns: z.array(columnSchema), indexes: z.array(indexSchema), constraints: z.array(constraintSchema) })
    .strict(),
  z.object({ op: z.literal('drop_table'), table: tableRef }).strict(),
  z.object({ op: z.literal('rename_table'), table: tableRef, to: nonEmpty }).strict(),
  z.object({ op: z.literal('set_column_type'), table: tableRef, column: nonEmpty, type: nonEmpty }).strict(),
  z.object({ op: z.literal('rename_index'), table: tableRef, from: nonEmpty, to: nonEmpty }).strict(),
  z.object({ op: z.literal('add_enum_value'), type: tableRef, value: nonEmpty, before: nonEmpty.optional(), after: nonEmpty.optional() }).strict(),
  z.object({ op: z.literal('attach_partition'), table: tableRef, partition: tableRef, bound: nonEmpty }).strict(),
  z.object({ op: z.literal('detach_partition'), table: tableRef, partition: tableRef }).strict(),
]);

const step = z
  .object({
    n: stepNumber,
    title: nonEmpty,
    kind: z.enum(['ddl', 'backfill', 'validate', 'app']),
    deploy: release,
    instruction: z.string().describe('For app steps: what the application must do. Empty for database steps.'),
    sql: z.array(nonEmpty).describe('Statements, fully quoted; empty for app steps.'),
    transactional: z.boolean(),
    lock: lockClaim,
    timeouts: timeouts.nullable(),
    backfill: backfillSpec.optional(),
    checkpoint: checkpoint.nullable(),
    rollback,
    caveats: z.array(z.string()),
    estimate: estimate.optional(),
    changes: z.array(schemaChange),
  })
  .strict();

const tableFacts = z
  .object({
    table: nonEmpty,
    rowEstimate: z.number().int('must be an integer').min(-1, 'must be >= -1 (-1 = never analyzed)'),
    sizeBytes: count,
    indexes: z.array(z.string()),
    foreignKeys: z.array(z.string()),
    triggers: z.array(z.string()),
  })
  .strict();

const releaseEntry = z
  .object({
    release,
    steps: z.array(stepNumber),
    summary: z.string(),
  })
  .strict();

export const planSchema = z
  .object({
    format: z.literal(PLAN_FORMAT),
    version: z.literal(PLAN_VERSION),
    intents: z.array(intentSchema).min(1, 'a plan comes from at least one intent'),
    engine: engineInfo,
    tables: z.array(tableFacts),
    steps: z.array(step),
    releases: z.array(releaseEntry),
    lastReversibleStep: stepNumber.nullable(),
    pointOfNoReturn: z.object({ step: stepNumber, reason: nonEmpty }).strict().nullable(),
    warnings: z.array(z.string()),
  })
  .strict()
  .superRefine((plan, ctx) => {
    // Cross-field rules a runner depends on; the recipes' own invariants are checked where plans are made.
    const numbers = plan.steps.map((s) => s.n);
    plan.steps.forEach((s, i) => {
      if (s.n !== i + 1) ctx.addIssue({ code: 'custom', path: ['steps', i, 'n'], message: `steps are numbered 1, 2, 3, ... in order; expected ${i + 1}, found ${s.n}` });
      if (s.kind === 'app' && s.sql.length > 0) ctx.addIssue({ code: 'custom', path: ['steps', i, 'sql'], message: 'an app step carries no SQL' });
      if ((s.kind === 'ddl' || s.kind === 'backfill') && s.sql.length === 0) ctx.addIssue({ code: 'custom', path: ['steps', i, 'sql'], message: `a ${s.kind} step needs at least one statement` });
      if (s.kind === 'validate' && s.sql.length === 0 && s.checkpoint === null) ctx.addIssue({ code: 'custom', path: ['steps', i, 'checkpoint'], message: 'a validate step without statements needs a checkpoint (the check it runs)' });
      if (s.kind === 'app' && s.instruction.trim() === '') ctx.addIssue({ code: 'custom', path: ['steps', i, 'instruction'], message: 'an app step must say what the application does' });
      if (!plan.releases.some((r) => r.release === s.deploy)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'deploy'], message: `release ${s.deploy} is not listed in releases` });
      const prev = plan.steps[i - 1];
      if (prev && orderOf(s.deploy) < orderOf(prev.deploy)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'deploy'], message: `release ${s.deploy} comes before step ${prev.n}'s release ${prev.deploy}; releases never go backwards` });
    });
    plan.releases.forEach((r, i) => {
      r.steps.forEach((n, j) => {
        if (!numbers.includes(n)) ctx.addIssue({ code: 'custom', path: ['releases', i, 'steps', j], message: `step ${n} does not exist` });
        else if (plan.steps[n - 1]?.deploy !== r.release) ctx.addIssue({ code: 'custom', path: ['releases', i, 'steps', j], message: `step ${n} belongs to release ${plan.steps[n - 1]?.deploy}, not ${r.release}` });
      });
    });
    if (plan.lastReversibleStep !== null && !numbers.includes(plan.lastReversibleStep)) ctx.addIssue({ code: 'custom', path: ['lastReversibleStep'], message: `step ${plan.lastReversibleStep} does not exist` });
    const firstIrreversible = plan.steps.find((s) => s.rollback.kind === 'irreversible');
    if (plan.pointOfNoReturn === null && firstIrreversible) {
      ctx.addIssue({ code: 'custom', path: ['pointOfNoReturn'], message: `step ${firstIrreversible.n} is irreversible, so the plan has a point of no return` });
    }
    if (plan.pointOfNoReturn !== null && firstIrreversible && firstIrreversible.n < plan.pointOfNoReturn.step) {
      ctx.addIssue({ code: 'custom', path: ['pointOfNoReturn', 'step'], message: `step ${firstIrreversible.n} is irreversible already; the point of no return is the first irreversible step` });
    }
    if (plan.pointOfNoReturn !== null) {
      const ponr = plan.steps.find((s) => s.n === plan.pointOfNoReturn!.step);
      if (!ponr) ctx.addIssue({ code: 'custom', path: ['pointOfNoReturn', 'step'], message: `step ${plan.pointOfNoReturn.step} does not exist` });
      else if (ponr.rollback.kind !== 'irreversible') ctx.addIssue({ code: 'custom', path: ['pointOfNoReturn', 'step'], message: `step ${ponr.n} is the point of no return but its rollback is "${ponr.rollback.kind}", not "irreversible"` });
    }
  });

/** releaseIndex, tolerant of names the field check already reported (refinements still run after it). */
function orderOf(name: string): number {
  try {
    return releaseIndex(name);
  } catch {
    return Number.NaN;
  }
}

/** Human path for an issue: `steps[2].lock.mode`. */
function issuePath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/**
 * One line per problem, "<path>: <why>". For a failed union it reports the branch that got
 * furthest, so "table.name: expected string" rather than a bare "Invalid input".
 */
export function formatSchemaIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const depth = (branch: readonly z.core.$ZodIssue[]) => Math.max(0, ...branch.map((i) => i.path.length));
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0]!;
      if (depth(best) > 0) {
        lines.push(...formatSchemaIssues(best, path));
        continue;
      }
    }
    let message = issue.message;
    if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
      message = `must be one of ${issue.options.map((o: unknown) => JSON.stringify(o)).join(', ')}`;
    }
    lines.push(`${issuePath(path) || '(top level)'}: ${message}`);
  }
  return lines;
}

/**
 * Reads a plan file. Throws PlanningError (exit code 2) naming every invalid field, e.g.
 * `steps[2].lock.mode: Invalid option: expected one of "ACCESS SHARE"|...`.
 */
export function parsePlanJson(text: string, source = 'plan'): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PlanningError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new PlanningError(`${source} is not a liveshift plan: expected a JSON object with "format": "${PLAN_FORMAT}"`);
  }
  const head = data as { format?: unknown; version?: unknown };
  if (head.format !== PLAN_FORMAT) {
    throw new PlanningError(`${source} is not a liveshift plan: "format" is ${JSON.stringify(head.format)}, expected "${PLAN_FORMAT}"`);
  }
  if (typeof head.version === 'number' && head.version > PLAN_VERSION) {
    throw new PlanningError(`${source} uses plan format version ${head.version}; this liveshift reads version ${PLAN_VERSION}. Upgrade liveshift.`);
  }
  const result = planSchema.safeParse(data);
  if (!result.success) {
    const lines = formatSchemaIssues(result.error.issues);
    const shown = lines.slice(0, 10);
    const more = lines.length > shown.length ? `\n  ... and ${lines.length - shown.length} more` : '';
    throw new PlanningError(`${source} is not a valid plan (format version ${PLAN_VERSION}):\n  ${shown.join('\n  ')}${more}`);
  }
  return result.data;
}

/** JSON Schema (draft 2020-12) of the plan file, as published in docs/plan.schema.json. */
export function planJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(planSchema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'liveshift plan',
    description: `A liveshift zero-downtime schema change plan, format "${PLAN_FORMAT}" version ${PLAN_VERSION}. See docs/plan-format.md.`,
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

// Compile-time guarantee that the schema and the Plan type describe the same thing.
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const planTypeMatchesSchema: Mutual<z.output<typeof planSchema>, Plan> = true;
void planTypeMatchesSchema;
