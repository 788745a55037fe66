import type { ConstraintSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { SetNotNullIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability } from '../../engines/postgres/capabilities.js';
import { formatBytes, SCAN_BYTES_PER_SECOND, scanSeconds } from '../../engines/postgres/size.js';
import { columnNotNull, constraintState } from '../../engines/postgres/catalog-checks.js';
import { backfillStep } from '../backfill/postgres.js';
import { requireColumn, requireFreeConstraintName, type RecipeContext } from '../context.js';

export function setNotNullRecipe(ctx: RecipeContext, intent: SetNotNullIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  if (!col.nullable) throw new PlanningError(`column "${col.name}" of ${ctx.tableName} is already NOT NULL; nothing to do`, ctx.statement);
  const steps: StepDraft[] = [];
  const q = quoteIdent(col.name);
  if (intent.backfill !== undefined) {
    steps.push(
      backfillStep(ctx, {
        title: `Backfill NULL ${col.name} values with ${intent.backfill}`,
        set: `${q} = ${intent.backfill}`,
        predicate: `${q} IS NULL`,
        release: 0,
        rollback: { kind: 'irreversible', reason: 'the rows that were NULL are not recorded', dataLost: `which rows had ${col.name} NULL before the backfill` },
      }),
    );
  }
  const notNull = notNullSteps(ctx, col.name, 0);
  return { steps: [...steps, ...notNull.steps], warnings: notNull.warnings };
}

/**
 * NOT NULL without holding ACCESS EXCLUSIVE during a scan (locks.md §1.2, recipes.md I-05):
 * CHECK (c IS NOT NULL) NOT VALID → VALIDATE (SHARE UPDATE EXCLUSIVE) → SET NOT NULL, which on 12+
 * skips its scan thanks to the validated CHECK → DROP the CHECK. On 11 SET NOT NULL still scans, so
 * the plan stops at the validated CHECK and says so. A small table just gets SET NOT NULL.
 */
export function notNullSteps(ctx: RecipeContext, column: string, release: number): RecipeResult {
  const t = qualify(ctx.ref);
  const q = quoteIdent(column);
  const timeouts = ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries);
  const brief = lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief');
  const setNotNull = `ALTER TABLE ${t} ALTER COLUMN ${q} SET NOT NULL`;
  const dropNotNull = `ALTER TABLE ${t} ALTER COLUMN ${q} DROP NOT NULL`;
  const nullableChange = (nullable: boolean) => [{ op: 'set_nullable' as const, table: ctx.ref, column, nullable }];

  if (ctx.small) {
    return {
      warnings: [],
      steps: [
        {
          release,
          title: `Set ${column} NOT NULL (small table: one statement)`,
          kind: 'ddl',
          instruction: '',
          sql: [setNotNull],
          transactional: true,
          lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'scan'),
          timeouts,
          checkpoint: columnNotNull(ctx.ref, column, true),
          rollback: { kind: 'sql', sql: [dropNotNull], transactional: true },
          caveats: [
            `${ctx.tableName} is ${formatBytes(ctx.table.sizeBytes)}, under the small-table threshold (${formatBytes(ctx.options.smallTableBytes)}): the scan under ACCESS EXCLUSIVE lasts milliseconds, so the CHECK-constraint detour is not needed.`,
            'Fails (and changes nothing) if a row still has NULL.',
          ],
          changes: nullableChange(false),
        },
      ],
    };
  }

  const check = derivedName([ctx.ref.name, column], 'not_null');
  requireFreeConstraintName(ctx, check);
  const qc = quoteIdent(check);
  const addCheck = `ALTER TABLE ${t} ADD CONSTRAINT ${qc} CHECK (${q} IS NOT NULL) NOT VALID`;
  const validate = `ALTER TABLE ${t} VALIDATE CONSTRAINT ${qc}`;
  const dropCheck = `ALTER TABLE ${t} DROP CONSTRAINT ${qc}`;
  const constraint = (validated: boolean): ConstraintSchema => ({
    name: check,
    type: 'check',
    columns: [column],
    definition: `CHECK ((${q} IS NOT NULL))${validated ? '' : ' NOT VALID'}`,
    validated,
    references: null,
  });

  const steps: StepDraft[] = [
    {
      release,
      title: `Add CHECK (${column} IS NOT NULL) NOT VALID`,
      kind: 'ddl',
      instruction: '',
      sql: [addCheck],
      transactional: true,
      lock: brief,
      timeouts,
      checkpoint: constraintState(ctx.ref, check, 'not_valid'),
      rollback: { kind: 'sql', sql: [dropCheck], transactional: true },
      caveats: ['NOT VALID skips checking existing rows, but new inserts and updates are checked from now on: every writer must already write a non-NULL value.'],
      changes: [{ op: 'add_constraint', table: ctx.ref, constraint: constraint(false) }],
    },
    {
      release,
      title: `Validate the CHECK on existing rows`,
      kind: 'validate',
      instruction: '',
      sql: [validate],
      transactional: true,
      lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'scan'),
      timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
      checkpoint: constraintState(ctx.ref, check, 'validated'),
      rollback: { kind: 'sql', sql: [dropCheck, addCheck], transactional: true, note: 'returns the CHECK to NOT VALID' },
      caveats: [
        'Reads the whole table under SHARE UPDATE EXCLUSIVE: reads and writes continue; only other DDL and VACUUM wait.',
        'Fails without changing anything if a row still has NULL: backfill those rows, then run this step again.',
      ],
      estimate: { rows: ctx.rows, seconds: scanSeconds(ctx.table.sizeBytes), basis: `one scan of ${formatBytes(ctx.table.sizeBytes)} at ~${formatBytes(SCAN_BYTES_PER_SECOND)}/s; machine-dependent` },
      changes: [{ op: 'validate_constraint', table: ctx.ref, constraint: check }],
    },
  ];

  if (!hasCapability(ctx.engine, 'setNotNullUsesCheck')) {
    return {
      steps,
      warnings: [
        `PostgreSQL ${ctx.engine.version} cannot use the validated CHECK to skip the scan of SET NOT NULL (that arrived in 12): SET NOT NULL on ${ctx.tableName} would hold ACCESS EXCLUSIVE, blocking reads and writes, for a full scan of ${formatBytes(ctx.table.sizeBytes)} (~${scanSeconds(ctx.table.sizeBytes)} s). ` +
          `This plan stops at the validated CHECK constraint ${check}, which enforces the same rule for every write; the column stays nullable in the catalog. ` +
          `Alternative: after upgrading to 12+, plan set_not_null again and it will be brief, or run SET NOT NULL in a maintenance window.`,
      ],
    };
  }

  steps.push(
    {
      release,
      title: `Set ${column} NOT NULL (no scan: the validated CHECK proves it)`,
      kind: 'ddl',
      instruction: '',
      sql: [setNotNull],
      transactional: true,
      lock: brief,
      timeouts,
      checkpoint: columnNotNull(ctx.ref, column, true),
      rollback: { kind: 'sql', sql: [dropNotNull], transactional: true },
      caveats: ['PostgreSQL 12+ skips the full-table scan because the validated CHECK already proves no NULLs.'],
      changes: nullableChange(false),
    },
    {
      release,
      title: `Drop the now-redundant CHECK ${check}`,
      kind: 'ddl',
      instruction: '',
      sql: [dropCheck],
      transactional: true,
      lock: brief,
      timeouts,
      checkpoint: constraintState(ctx.ref, check, 'absent'),
      // Separate transactions so VALIDATE scans under SHARE UPDATE EXCLUSIVE, not the ADD's ACCESS EXCLUSIVE.
      rollback: { kind: 'sql', sql: [addCheck, validate], transactional: false, note: 'each statement in its own transaction' },
      caveats: [],
      changes: [{ op: 'drop_constraint', table: ctx.ref, constraint: check }],
    },
  );
  return { steps, warnings: [] };
}
