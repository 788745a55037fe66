import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { Rollback } from '../../plan/types.js';
import type { DropNotNullIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability } from '../../engines/postgres/capabilities.js';
import { formatBytes, scanSeconds } from '../../engines/postgres/size.js';
import { columnNotNull } from '../../engines/postgres/catalog-checks.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-06: DROP NOT NULL is a catalog change under a brief ACCESS EXCLUSIVE (locks.md
 * §1.2 [E]). The risk is in the undo: SET NOT NULL scans the table under ACCESS EXCLUSIVE, so the
 * rollback takes the CHECK detour (NOT VALID → VALIDATE → SET NOT NULL without a scan, 12+).
 */
export function dropNotNullRecipe(ctx: RecipeContext, intent: DropNotNullIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  if (col.nullable) throw new PlanningError(`column "${col.name}" of ${ctx.tableName} is already nullable; nothing to do`, ctx.statement);
  const pk = ctx.table.constraints.find((k) => k.type === 'primary_key' && k.columns.includes(col.name));
  if (pk) {
    throw new PlanningError(
      `column "${col.name}" is part of the primary key ${pk.name} of ${ctx.tableName}, and PostgreSQL keeps primary key columns NOT NULL; drop or replace the primary key first (planned on its own)`,
      ctx.statement,
    );
  }
  return {
    steps: [
      dropNotNullStep(ctx, col.name, 0, [
        `From now on NULL can be written to ${col.name}: every reader of it (application code, reports, other services) must handle NULL before any writer starts writing one.`,
      ]),
    ],
    warnings: [],
  };
}

export function dropNotNullStep(ctx: RecipeContext, column: string, release: number, caveats: string[]): StepDraft {
  const restore = restoreNotNull(ctx, column);
  return {
    release,
    title: `Drop NOT NULL on ${column}`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${qualify(ctx.ref)} ALTER COLUMN ${quoteIdent(column)} DROP NOT NULL`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: columnNotNull(ctx.ref, column, false),
    rollback: restore.rollback,
    caveats: [
      'Catalog-only: no scan, no rewrite; ACCESS EXCLUSIVE for milliseconds once granted (the wait for it is bounded by lock_timeout and retried).',
      ...caveats,
      `Undoing it needs a column without NULLs: once a NULL is written, fill those rows before rolling back (the rollback fails, changing nothing, otherwise).`,
      ...restore.caveats,
    ],
    changes: [{ op: 'set_nullable', table: ctx.ref, column, nullable: true }],
  };
}

/**
 * SET NOT NULL again without a long ACCESS EXCLUSIVE: on 12+ a validated CHECK lets it skip its
 * scan. The temporary CHECK is not named <table>_<column>_not_null, the name PostgreSQL 18 gives
 * the NOT NULL constraint itself.
 */
function restoreNotNull(ctx: RecipeContext, column: string): { rollback: Rollback; caveats: string[] } {
  const t = qualify(ctx.ref);
  const q = quoteIdent(column);
  const setNotNull = `ALTER TABLE ${t} ALTER COLUMN ${q} SET NOT NULL`;
  if (ctx.small) {
    return {
      rollback: { kind: 'sql', sql: [setNotNull], transactional: true, note: `scans ${ctx.tableName} under ACCESS EXCLUSIVE; it is under the small-table threshold, so for milliseconds` },
      caveats: [],
    };
  }
  if (!hasCapability(ctx.engine, 'setNotNullUsesCheck')) {
    const seconds = scanSeconds(ctx.table.sizeBytes);
    return {
      rollback: {
        kind: 'sql',
        sql: [setNotNull],
        transactional: true,
        note: `on PostgreSQL ${ctx.engine.version} SET NOT NULL scans all of ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)}, ~${seconds} s) holding ACCESS EXCLUSIVE: reads and writes wait for the whole scan; run it in a quiet period`,
      },
      caveats: [
        `On PostgreSQL ${ctx.engine.version} the way back is expensive: SET NOT NULL scans the whole table under ACCESS EXCLUSIVE (12+ can skip that scan with a validated CHECK). If that matters, enforce the rule instead with CHECK (${column} IS NOT NULL) added NOT VALID and validated (plan it as an ADD CONSTRAINT … CHECK), which never blocks reads.`,
      ],
    };
  }
  const check = freeConstraintName(ctx, derivedName([ctx.ref.name, column], 'not_null_check'));
  const qc = quoteIdent(check);
  return {
    rollback: {
      kind: 'sql',
      sql: [
        // lets the rollback run again after a failed VALIDATE left the CHECK behind
        `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${qc}`,
        `ALTER TABLE ${t} ADD CONSTRAINT ${qc} CHECK (${q} IS NOT NULL) NOT VALID`,
        `ALTER TABLE ${t} VALIDATE CONSTRAINT ${qc}`,
        setNotNull,
        `ALTER TABLE ${t} DROP CONSTRAINT ${qc}`,
      ],
      transactional: false,
      note: `each statement in its own transaction: the CHECK is validated under SHARE UPDATE EXCLUSIVE (reads and writes continue), so SET NOT NULL needs no scan, then the CHECK goes. If a NULL makes VALIDATE fail, the NOT VALID CHECK stays and already rejects new NULLs: fill those rows and run the rollback again`,
    },
    caveats: [],
  };
}

function freeConstraintName(ctx: RecipeContext, base: string): string {
  const taken = new Set(ctx.table.constraints.map((k) => k.name));
  for (let n = 0; ; n++) {
    const name = n === 0 ? base : derivedName([base], String(n));
    if (!taken.has(name)) return name;
  }
}
