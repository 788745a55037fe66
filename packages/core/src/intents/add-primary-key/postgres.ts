import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddPrimaryKeyIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { hasCapability } from '../../engines/postgres/capabilities.js';
import { formatBytes, scanSeconds } from '../../engines/postgres/size.js';
import { contextAfter } from '../compose.js';
import { notNullSteps } from '../set-not-null/postgres.js';
import { equivalentIndexWarning, keyColumnsOf, uniqueKeySteps } from '../add-unique-constraint/postgres.js';
import { requireFreeConstraintName, requireFreeRelationName, type RecipeContext } from '../context.js';

/**
 * recipes.md I-11/I-05: ADD PRIMARY KEY (cols) builds its index under ACCESS EXCLUSIVE, and first
 * scans for NULLs if a column is nullable. Instead: make every key column NOT NULL without a scan
 * under the strong lock (the set-not-null steps: CHECK NOT VALID → VALIDATE → SET NOT NULL, 12+),
 * check for duplicates, build the unique index CONCURRENTLY, then attach it with
 * ADD CONSTRAINT … PRIMARY KEY USING INDEX (brief ACCESS EXCLUSIVE, no scan: the columns are NOT NULL).
 */
export function addPrimaryKeyRecipe(ctx: RecipeContext, intent: AddPrimaryKeyIntent): RecipeResult {
  const pk = ctx.table.constraints.find((k) => k.type === 'primary_key');
  if (pk) {
    throw new PlanningError(
      `${ctx.tableName} already has primary key ${pk.name} (${pk.columns.join(', ')}); a table has one. Replacing a primary key is not supported yet: add a unique constraint on the new columns instead`,
      ctx.statement,
    );
  }
  const columns = keyColumnsOf(ctx, intent.columns, 'primary key');
  const name = intent.name ?? derivedName([ctx.ref.name], 'pkey');
  requireFreeRelationName(ctx, name);
  requireFreeConstraintName(ctx, name);
  const warnings = equivalentIndexWarning(ctx, columns);
  const nullable = columns.filter((c) => ctx.table.columns.find((x) => x.name === c)!.nullable);

  if (ctx.small || nullable.length === 0) {
    const result = uniqueKeySteps(ctx, { name, columns, primary: true, release: 0 });
    return { ...result, warnings: [...warnings, ...result.warnings] };
  }
  if (!hasCapability(ctx.engine, 'setNotNullUsesCheck')) throw nullableOnPg11(ctx, columns, nullable);

  const steps: StepDraft[] = [];
  for (const column of nullable) {
    const nn = notNullSteps(ctx, column, 0);
    steps.push(...nn.steps);
    warnings.push(...nn.warnings);
  }
  const notNullCtx = contextAfter(ctx, steps);
  const key = uniqueKeySteps(notNullCtx, { name, columns, primary: true, release: 0 });
  return { steps: [...steps, ...key.steps], warnings: [...warnings, ...key.warnings] };
}

/**
 * PostgreSQL 11 cannot set NOT NULL without a full scan under ACCESS EXCLUSIVE (a validated CHECK
 * does not help before 12), and a primary key on a nullable column sets it. Say exactly what to do.
 */
function nullableOnPg11(ctx: RecipeContext, columns: string[], nullable: string[]): PlanningError {
  const t = qualify(ctx.ref);
  const list = nullable.join(', ');
  const setNotNull = nullable.map((c) => `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(c)} SET NOT NULL`).join('; ');
  return new PlanningError(
    `the primary key needs ${list} to be NOT NULL, and on PostgreSQL ${ctx.engine.version} setting NOT NULL scans all of ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)}, ~${scanSeconds(ctx.table.sizeBytes)} s) under ACCESS EXCLUSIVE, blocking reads and writes (12+ skips that scan given a validated CHECK). ` +
      `Do it in steps: (1) plan ${nullable.map((c) => `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(c)} SET NOT NULL`).join(' and ')} with liveshift: on 11 it leaves a validated CHECK (… IS NOT NULL) that keeps NULLs out without blocking; ` +
      `(2) in a maintenance window run ${setNotNull} (the scan under ACCESS EXCLUSIVE), or upgrade to 12+ and plan it again to have it without the scan; ` +
      `(3) plan ALTER TABLE ${t} ADD PRIMARY KEY (${columns.map(quoteIdent).join(', ')}) again: with the columns NOT NULL it is a concurrent index build and a brief attach`,
    ctx.statement,
  );
}
