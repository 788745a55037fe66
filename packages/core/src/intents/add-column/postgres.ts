import type { ColumnSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability } from '../../engines/postgres/capabilities.js';
import { formatBytes } from '../../engines/postgres/size.js';
import { expressionVolatility } from '../../engines/postgres/expression.js';
import { formatTypeName } from '../../engines/postgres/types.js';
import { parseTypeName } from '../../input/pg-parser.js';
import { columnExists, columnHasDefault } from '../../engines/postgres/catalog-checks.js';
import { backfillStep } from '../backfill/postgres.js';
import { notNullSteps } from '../set-not-null/postgres.js';
import { requireNoColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-01 … I-04: nullable → one brief step; constant default → one brief step (11+);
 * volatile default → add, set default, batched backfill (a one-statement add would rewrite the
 * table under ACCESS EXCLUSIVE); NOT NULL without default → nullable, the application writes it,
 * backfill, NOT NULL via a validated CHECK.
 */
export function addColumnRecipe(ctx: RecipeContext, intent: AddColumnIntent): RecipeResult {
  const c = intent.column;
  requireNoColumn(ctx, c.name);
  const type = formatTypeName(parseTypeName(c.type));
  const q = quoteIdent(c.name);
  const t = qualify(ctx.ref);
  const def = c.default;
  const volatility = def ? (def.volatile !== undefined ? { volatile: def.volatile, reason: 'stated in the intent' } : expressionVolatility(def.expr)) : undefined;

  if (def && !volatility!.volatile) {
    if (!hasCapability(ctx.engine, 'fastConstantDefault')) {
      throw new PlanningError(`PostgreSQL ${ctx.engine.version} rewrites the table for any ADD COLUMN … DEFAULT; liveshift supports 11 and later`, ctx.statement);
    }
    const column: ColumnSchema = { name: c.name, type, nullable: c.nullable, default: def.expr };
    return {
      warnings: [],
      steps: [
        addColumnStep(ctx, column, `${q} ${type}${c.nullable ? '' : ' NOT NULL'} DEFAULT ${def.expr}`, {
          title: `Add column ${c.name} ${type}${c.nullable ? '' : ' NOT NULL'} DEFAULT ${def.expr}`,
          caveats: [`The default is ${volatility!.reason}: PostgreSQL 11+ stores it in the catalog, no rewrite and no scan${c.nullable ? '' : ' (NOT NULL is satisfied by the default)'}.`],
        }),
      ],
    };
  }

  if (def && ctx.small) {
    const column: ColumnSchema = { name: c.name, type, nullable: c.nullable, default: def.expr };
    return {
      warnings: [],
      steps: [
        addColumnStep(ctx, column, `${q} ${type}${c.nullable ? '' : ' NOT NULL'} DEFAULT ${def.expr}`, {
          title: `Add column ${c.name} with volatile default ${def.expr} (small table: one statement)`,
          duration: 'rewrite',
          caveats: [
            `${volatility!.reason}: the table is rewritten under ACCESS EXCLUSIVE, but ${ctx.tableName} is ${formatBytes(ctx.table.sizeBytes)}, under the small-table threshold (${formatBytes(ctx.options.smallTableBytes)}), so it lasts milliseconds.`,
          ],
        }),
      ],
    };
  }

  const steps: StepDraft[] = [];
  const warnings: string[] = [];
  steps.push(
    addColumnStep(ctx, { name: c.name, type, nullable: true, default: null }, `${q} ${type}`, {
      title: `Add column ${c.name} ${type} (nullable, no default)`,
      caveats: def ? [`Added without its default: ${volatility!.reason}, and a volatile default would rewrite the whole table under ACCESS EXCLUSIVE.`] : [],
    }),
  );
  let release = 0;
  let backfillExpr: string | undefined;
  if (def) {
    steps.push(setDefaultStep(ctx, c.name, def.expr, null, release));
    backfillExpr = def.expr;
  } else if (!c.nullable) {
    if (c.backfill === undefined) {
      throw new PlanningError(
        `adding NOT NULL column "${c.name}" without a default: existing rows need a value. Give a DEFAULT, or the value for existing rows (intent column.backfill, or --backfill <expr> on the CLI)`,
        ctx.statement,
      );
    }
    release = 1;
    steps.push(
      appStep(
        release,
        `Application writes ${c.name} on every insert and update`,
        `Deploy the application version that sets ${c.name} on every INSERT and UPDATE of ${ctx.tableName} (the database does not fill it: there is no default).`,
        { kind: 'deploy', release: 'A', instruction: 'deploy back the previous application version; the column stays nullable until the NOT NULL steps' },
        ['Until every instance runs this release, rows can still be inserted with NULL; the backfill after it covers them.'],
      ),
    );
    backfillExpr = c.backfill;
  }
  if (backfillExpr !== undefined) {
    steps.push(
      backfillStep(ctx, {
        title: `Backfill ${c.name} for existing rows`,
        set: `${q} = ${backfillExpr}`,
        predicate: `${q} IS NULL`,
        release,
        rollback: { kind: 'none', reason: `only fills the new column; rolling back the "add column" step removes it with its data` },
      }),
    );
  }
  if (!c.nullable) {
    const nn = notNullSteps(ctx, c.name, release);
    steps.push(...nn.steps);
    warnings.push(...nn.warnings);
  }
  return { steps, warnings };
}

export function addColumnStep(
  ctx: RecipeContext,
  column: ColumnSchema,
  definitionSql: string,
  opts: { title: string; caveats: string[]; duration?: 'brief' | 'rewrite'; release?: number },
): StepDraft {
  const t = qualify(ctx.ref);
  return {
    release: opts.release ?? 0,
    title: opts.title,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${t} ADD COLUMN ${definitionSql}`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], opts.duration ?? 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: columnExists(ctx.ref, column.name, true),
    rollback: {
      kind: 'sql',
      sql: [`ALTER TABLE ${t} DROP COLUMN ${quoteIdent(column.name)}`],
      transactional: true,
      note: 'safe while no deployed application version depends on the column',
    },
    caveats: opts.caveats,
    changes: [{ op: 'add_column', table: ctx.ref, column }],
  };
}

export function setDefaultStep(ctx: RecipeContext, column: string, expr: string, previous: string | null, release: number): StepDraft {
  const t = qualify(ctx.ref);
  const q = quoteIdent(column);
  return {
    release,
    title: `Set the default of ${column} to ${expr} (new rows only)`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${t} ALTER COLUMN ${q} SET DEFAULT ${expr}`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: columnHasDefault(ctx.ref, column, true),
    rollback: {
      kind: 'sql',
      sql: [previous === null ? `ALTER TABLE ${t} ALTER COLUMN ${q} DROP DEFAULT` : `ALTER TABLE ${t} ALTER COLUMN ${q} SET DEFAULT ${previous}`],
      transactional: true,
    },
    caveats: ['Changes only what future inserts get; existing rows are untouched.'],
    changes: [{ op: 'set_default', table: ctx.ref, column, default: expr }],
  };
}
