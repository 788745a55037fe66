import type { ColumnSchema } from '../../schema/snapshot.js';
import type { MysqlAlgorithm } from '../../plan/types.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { SetDefaultIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { flavourOf, hasMysqlCapability, sourceLabel } from '../../engines/mysql/capabilities.js';
import { isConstantDefault, refuseGenerated } from '../../engines/mysql/column-definition.js';
import { columnDefaultIs, columnHasDefault } from '../../engines/mysql/catalog-checks.js';
import { quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-07 (MySQL/MariaDB): ALTER COLUMN … SET DEFAULT is a data-dictionary change, no row is
 * touched (MariaDB [E]: ALGORITHM=INSTANT, LOCK=NONE accepted, table id kept; MySQL manual "Setting a
 * column default value": instant). Existing rows keep their values; only later INSERTs that leave
 * the column out get the new default. Rollback sets the previous default again (or drops it).
 * Only constant defaults (a literal, CURRENT_TIMESTAMP) are planned: an expression default is
 * refused rather than guessed about on MySQL, where it was not run.
 */
export function setDefaultRecipeMysql(ctx: RecipeContext, intent: SetDefaultIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  refuseGenerated(col, ctx.statement);
  const expr = intent.default.trim();
  if (/^null$/i.test(expr)) throw new PlanningError(`DEFAULT NULL is no default: plan drop_default for ${col.name} instead`, ctx.statement);
  if (!isConstantDefault(expr, ctx.engine)) {
    throw new PlanningError(
      `DEFAULT ${expr} is not a constant (a literal or CURRENT_TIMESTAMP); liveshift plans only constant defaults on MySQL/MariaDB. Have the application set the value, or give a literal`,
      ctx.statement,
    );
  }
  if (col.default !== null && col.default === expr) throw new PlanningError(`column "${col.name}" of ${ctx.tableName} already defaults to ${expr}; nothing to do`, ctx.statement);
  return { steps: [mysqlDefaultStep(ctx, col, expr, [`Existing rows keep their values: only an INSERT that leaves ${col.name} out gets ${expr} from now on.`])], warnings: [] };
}

/** The SET DEFAULT / DROP DEFAULT text, which node-sql-parser cannot read (see parseMysqlStep). */
function defaultSpec(col: string, expr: string | null): string {
  return `ALTER COLUMN ${quoteIdent(col)} ${expr === null ? 'DROP DEFAULT' : `SET DEFAULT ${expr}`}`;
}

/** An introspected default as SET DEFAULT must restate it: an expression default goes in parentheses. */
function restatable(ctx: RecipeContext, expr: string): string {
  return isConstantDefault(expr, ctx.engine) ? expr : `(${expr})`;
}

/** One instant ALTER COLUMN … SET/DROP DEFAULT step; the rollback restores the column's default as it is now. */
export function mysqlDefaultStep(ctx: RecipeContext, col: ColumnSchema, expr: string | null, caveats: string[]): StepDraft {
  // ALGORITHM=INSTANT exists from MySQL 8.0.12 / MariaDB 10.3.7; before, the same change is in place and metadata-only
  const algorithm: MysqlAlgorithm = hasMysqlCapability(ctx.engine, 'instantAlgorithm') ? 'INSTANT' : 'INPLACE';
  const flavour = flavourOf(ctx.engine);
  return mysqlDdlStep(ctx, {
    release: 0,
    title: expr === null ? `Drop the default of ${col.name}` : `Set the default of ${col.name} to ${expr}`,
    spec: defaultSpec(col.name, expr),
    algorithm,
    lock: 'LOCK=NONE',
    duration: 'brief',
    checkpoint: expr === null ? columnHasDefault(ctx.ref, col.name, false, flavour) : columnDefaultIs(ctx.ref, col.name, col.type, expr, flavour),
    rollback: {
      spec: defaultSpec(col.name, col.default === null ? null : restatable(ctx, col.default)),
      algorithm,
      lock: 'LOCK=NONE',
      note: col.default === null ? 'drops the default again' : `sets the previous default ${col.default} again`,
    },
    caveats: [
      `Metadata only (ALGORITHM=${algorithm}): no row is read or rewritten.${sourceLabel(ctx.engine)}`,
      ...caveats,
      'The statement is written by liveshift, not read back by its SQL parser (node-sql-parser cannot read ALTER COLUMN … SET/DROP DEFAULT); its ALGORITHM= and LOCK= are checked by its fixed form.',
    ],
    changes: [{ op: 'set_default', table: ctx.ref, column: col.name, default: expr }],
  });
}
