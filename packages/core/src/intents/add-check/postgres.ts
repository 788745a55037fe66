import type { ConstraintSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddCheckIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { formatBytes, SCAN_BYTES_PER_SECOND, scanSeconds } from '../../engines/postgres/size.js';
import { constraintState } from '../../engines/postgres/catalog-checks.js';
import { collectNodes, deparseNode, parseExpression, referencedColumns } from '../../input/pg-parser.js';
import { requireColumn, requireFreeConstraintName, type RecipeContext } from '../context.js';

/** A CHECK constraint checked against the table: its columns exist, its name is free. */
export interface CheckSpec {
  name: string;
  /** The expression as the plan writes it (deparsed). */
  expr: string;
  /** Referenced columns in order of first appearance, as pg_constraint.conkey lists them. */
  columns: string[];
}

/**
 * recipes.md I-15: ADD CONSTRAINT … CHECK … NOT VALID (ACCESS EXCLUSIVE, brief: existing rows
 * are not read) → VALIDATE CONSTRAINT in its own transaction (SHARE UPDATE EXCLUSIVE while it
 * scans: reads and writes continue). A small table gets the one validated ADD.
 */
export function addCheckRecipe(ctx: RecipeContext, intent: AddCheckIntent): RecipeResult {
  const check = resolveCheck(ctx, intent.expression, intent.name);
  return { steps: ctx.small ? [smallTableStep(ctx, check)] : notValidThenValidate(ctx, check), warnings: [] };
}

export function resolveCheck(ctx: RecipeContext, expression: string, name: string | undefined): CheckSpec {
  const tree = parseExpression(expression, `CHECK expression ${expression}`);
  if (collectNodes(tree, 'SubLink').length) throw new PlanningError(`a CHECK constraint cannot contain a subquery (${expression}); PostgreSQL refuses it`, ctx.statement);
  const columns = [...new Set(referencedColumns(tree))];
  for (const c of columns) requireColumn(ctx, c);
  if (name !== undefined) requireFreeConstraintName(ctx, name);
  return { name: name ?? generatedName(ctx, columns), expr: deparseNode(tree), columns };
}

/**
 * PostgreSQL's own choice: <table>_<column>_check when the expression uses one column, else
 * <table>_check, numbered (check1, check2, …) until unique among the schema's constraints.
 */
function generatedName(ctx: RecipeContext, columns: string[]): string {
  const used = new Set(ctx.snapshot.tables.filter((t) => t.schema === ctx.ref.schema).flatMap((t) => t.constraints.map((k) => k.name)));
  const parts = columns.length === 1 ? [ctx.ref.name, columns[0]!] : [ctx.ref.name];
  for (let n = 0; ; n++) {
    const name = derivedName(parts, n === 0 ? 'check' : `check${n}`);
    if (!used.has(name)) return name;
  }
}

export function checkConstraint(check: CheckSpec, validated: boolean): ConstraintSchema {
  return { name: check.name, type: 'check', columns: check.columns, definition: `CHECK ((${check.expr}))${validated ? '' : ' NOT VALID'}`, validated, references: null };
}

function addSql(ctx: RecipeContext, check: CheckSpec): string {
  return `ALTER TABLE ${qualify(ctx.ref)} ADD CONSTRAINT ${quoteIdent(check.name)} CHECK (${check.expr})`;
}

/** Rows VALIDATE would reject (a CHECK passes when its expression is NULL). */
function violationsQuery(ctx: RecipeContext, check: CheckSpec): string {
  return `SELECT * FROM ${qualify(ctx.ref)} WHERE NOT (${check.expr}) LIMIT 100`;
}

function notValidThenValidate(ctx: RecipeContext, check: CheckSpec): StepDraft[] {
  const t = qualify(ctx.ref);
  const qn = quoteIdent(check.name);
  const timeouts = ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries);
  const addNotValid = `${addSql(ctx, check)} NOT VALID`;
  const drop = `ALTER TABLE ${t} DROP CONSTRAINT ${qn}`;
  return [
    {
      release: 0,
      title: `Add CHECK ${check.name} NOT VALID (${check.expr})`,
      kind: 'ddl',
      instruction: '',
      sql: [addNotValid],
      transactional: true,
      lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
      timeouts,
      checkpoint: constraintState(ctx.ref, check.name, 'not_valid'),
      rollback: { kind: 'sql', sql: [drop], transactional: true },
      caveats: [
        'NOT VALID skips reading the existing rows: ACCESS EXCLUSIVE for a catalog change only (milliseconds once granted; the wait for it is bounded by lock_timeout and retried).',
        `From now on every INSERT and UPDATE of ${ctx.tableName} is checked: the deployed application must already write only rows where ${check.expr} holds, or its writes fail (SQLSTATE 23514).`,
      ],
      changes: [{ op: 'add_constraint', table: ctx.ref, constraint: checkConstraint(check, false) }],
    },
    {
      release: 0,
      title: `Validate CHECK ${check.name} on existing rows`,
      kind: 'validate',
      instruction: '',
      sql: [`ALTER TABLE ${t} VALIDATE CONSTRAINT ${qn}`],
      transactional: true,
      lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'scan'),
      timeouts,
      checkpoint: constraintState(ctx.ref, check.name, 'validated'),
      rollback: { kind: 'sql', sql: [drop, addNotValid], transactional: true, note: 'returns the CHECK to NOT VALID' },
      caveats: [
        `Reads all of ${ctx.tableName} under SHARE UPDATE EXCLUSIVE: reads and writes continue; only other DDL and VACUUM on it wait.`,
        `Fails without changing anything if an existing row breaks the rule: the CHECK stays NOT VALID and keeps checking new writes. Find those rows with ${violationsQuery(ctx, check)}, fix them, then run this step again.`,
      ],
      estimate: { rows: ctx.rows, seconds: scanSeconds(ctx.table.sizeBytes), basis: `one scan of ${formatBytes(ctx.table.sizeBytes)} at ~${formatBytes(SCAN_BYTES_PER_SECOND)}/s; machine-dependent` },
      changes: [{ op: 'validate_constraint', table: ctx.ref, constraint: check.name }],
    },
  ];
}

function smallTableStep(ctx: RecipeContext, check: CheckSpec): StepDraft {
  return {
    release: 0,
    title: `Add CHECK ${check.name} (${check.expr}) (small table: one statement)`,
    kind: 'ddl',
    instruction: '',
    sql: [addSql(ctx, check)],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'scan'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: constraintState(ctx.ref, check.name, 'validated'),
    rollback: { kind: 'sql', sql: [`ALTER TABLE ${qualify(ctx.ref)} DROP CONSTRAINT ${quoteIdent(check.name)}`], transactional: true },
    caveats: [
      `${ctx.tableName} is ${formatBytes(ctx.table.sizeBytes)}, under the small-table threshold (${formatBytes(ctx.options.smallTableBytes)}): checking the existing rows under ACCESS EXCLUSIVE lasts milliseconds, so the NOT VALID + VALIDATE detour is not needed.`,
      `Fails (and changes nothing) if an existing row breaks the rule; find them with ${violationsQuery(ctx, check)}.`,
      `From now on every INSERT and UPDATE is checked: the application must write only rows where ${check.expr} holds.`,
    ],
    changes: [{ op: 'add_constraint', table: ctx.ref, constraint: checkConstraint(check, true) }],
  };
}
