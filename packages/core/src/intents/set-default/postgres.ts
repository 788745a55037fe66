import type { ColumnSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { SetDefaultIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { columnHasDefault } from '../../engines/postgres/catalog-checks.js';
import { collectNodes, deparseNode, parseExpression } from '../../input/pg-parser.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-07: SET DEFAULT and DROP DEFAULT are catalog changes under a brief ACCESS EXCLUSIVE
 * (locks.md §1.2 [E]); existing rows keep their values, only later INSERTs see the change. What
 * needs care is timing: the application must already expect the new default. Rollback restores
 * the default the snapshot shows.
 */
export function setDefaultRecipe(ctx: RecipeContext, intent: SetDefaultIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  const expr = defaultExpression(ctx, intent.default);
  if (col.default !== null && col.default === expr) {
    throw new PlanningError(`column "${col.name}" of ${ctx.tableName} already defaults to ${expr}; nothing to do`, ctx.statement);
  }
  return {
    steps: [
      defaultStep(ctx, col, expr, [
        `Run it once the deployed application expects it: from now on an INSERT that leaves ${col.name} out gets ${expr}${col.default !== null ? ` instead of ${col.default}` : ' instead of NULL'}. ORMs that fill in defaults themselves (or leave out values equal to the default they know) keep their own idea until their model is updated.`,
      ]),
    ],
    warnings: [],
  };
}

/** A default expression as PostgreSQL accepts it: one expression, no column references, no subquery. */
function defaultExpression(ctx: RecipeContext, text: string): string {
  const tree = parseExpression(text, `default ${text}`);
  if (collectNodes(tree, 'ColumnRef').length) {
    throw new PlanningError(`a default cannot refer to columns (${text}); PostgreSQL evaluates it without a row. Use a trigger or have the application set the value`, ctx.statement);
  }
  if (collectNodes(tree, 'SubLink').length) throw new PlanningError(`a default cannot contain a subquery (${text})`, ctx.statement);
  return deparseNode(tree);
}

export function defaultStep(ctx: RecipeContext, col: ColumnSchema, expr: string | null, caveats: string[]): StepDraft {
  const t = qualify(ctx.ref);
  const q = quoteIdent(col.name);
  const set = (value: string | null) => (value === null ? `ALTER TABLE ${t} ALTER COLUMN ${q} DROP DEFAULT` : `ALTER TABLE ${t} ALTER COLUMN ${q} SET DEFAULT ${value}`);
  return {
    release: 0,
    title: expr === null ? `Drop the default of ${col.name} (was ${col.default})` : `Set the default of ${col.name} to ${expr} (new rows only)`,
    kind: 'ddl',
    instruction: '',
    sql: [set(expr)],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: columnHasDefault(ctx.ref, col.name, expr !== null),
    rollback: {
      kind: 'sql',
      sql: [set(col.default)],
      transactional: true,
      note: col.default === null ? 'the column had no default' : `restores the previous default, ${col.default}`,
    },
    caveats: [
      'Catalog-only: existing rows keep their values, nothing is scanned or rewritten; ACCESS EXCLUSIVE for milliseconds once granted (the wait for it is bounded by lock_timeout and retried).',
      ...caveats,
    ],
    changes: [{ op: 'set_default', table: ctx.ref, column: col.name, default: expr }],
  };
}
