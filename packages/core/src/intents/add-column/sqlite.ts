import type { ColumnSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { addColumnLimit } from '../../engines/sqlite/capabilities.js';
import { tokenize } from '../../engines/sqlite/tokens.js';
import { declaredType, requireStrictType } from '../../engines/sqlite/types.js';
import { rebuildStep } from '../../engines/sqlite/rebuild.js';
import { backfillStep, columnExists, columnNotNull, writeStep } from '../../engines/sqlite/steps.js';
import { dropColumnStatements } from '../drop-column/sqlite.js';
import { requireNoColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-01 … I-04 on SQLite. ADD COLUMN is catalog-only (O(1), brief write lock) when SQLite
 * allows it: nullable, or a constant default (NOT NULL needs one). Otherwise — a non-constant
 * default (CURRENT_TIMESTAMP, an expression) or NOT NULL without a default — the column is added
 * nullable, filled by a batched backfill, and the default / NOT NULL put on by a table rebuild.
 */
export function addColumnRecipe(ctx: RecipeContext, intent: AddColumnIntent): RecipeResult {
  const c = { ...intent.column, type: declaredType(ctx.engine, intent.column.type) };
  requireNoColumn(ctx, c.name);
  requireStrictType(ctx.table, c.type, ctx.statement);
  const def = c.default?.expr ?? null;
  const constant = def === null || isConstant(def);
  const limit = addColumnLimit({ nullable: c.nullable, default: def }, constant);
  if (limit === null) {
    const column: ColumnSchema = { name: c.name, type: c.type, nullable: c.nullable, default: def };
    return { steps: [addColumnStep(ctx, column, `Add column ${c.name} ${c.type}${c.nullable ? '' : ' NOT NULL'}${def !== null ? ` DEFAULT ${def}` : ''}`, [])], warnings: [] };
  }

  const steps: StepDraft[] = [];
  const nullable: ColumnSchema = { name: c.name, type: c.type, nullable: true, default: null };
  steps.push(addColumnStep(ctx, nullable, `Add column ${c.name} ${c.type} (nullable, no default)`, [`Added without ${def !== null ? 'its default' : 'NOT NULL'} first: ${limit}.`]));
  let release = 0;
  const fill = def ?? c.backfill;
  if (def === null) {
    if (c.backfill === undefined) {
      throw new PlanningError(
        `adding NOT NULL column "${c.name}" without a default: existing rows need a value. Give a constant DEFAULT, or the value for existing rows (intent column.backfill, or --backfill <expr> on the CLI)`,
        ctx.statement,
      );
    }
    release = 1;
    steps.push(
      appStep(
        release,
        `Application writes ${c.name} on every insert and update`,
        `Deploy the application version that sets ${c.name} on every INSERT and UPDATE of ${ctx.tableName} (the database does not fill it: there is no default).`,
        { kind: 'deploy', release: 'A', instruction: 'deploy back the previous application version; the column stays nullable until the rebuild' },
      ),
    );
  }
  steps.push(
    backfillStep(ctx, {
      title: `Backfill ${c.name} for existing rows`,
      set: `${quoteIdent(c.name)} = ${fill}`,
      predicate: `${quoteIdent(c.name)} IS NULL`,
      release,
      rollback: { kind: 'none', reason: 'only fills the new column; rolling back the "add column" step removes it with its data' },
      caveats: def !== null ? [`Rows inserted before the rebuild that omit ${c.name} get NULL; the rebuild's copy fills them with the default (IFNULL), so no "none left" checkpoint here.`] : [],
      // with a default, the application keeps inserting NULLs until the rebuild puts the default on
      ...(def !== null ? { checkpoint: null } : {}),
    }),
  );
  const after = [...ctx.table.columns, nullable];
  const finalColumn: ColumnSchema = { ...nullable, nullable: c.nullable, default: def };
  const changes = [
    ...(def !== null ? [{ op: 'set_default' as const, table: ctx.ref, column: c.name, default: def }] : []),
    ...(!c.nullable ? [{ op: 'set_nullable' as const, table: ctx.ref, column: c.name, nullable: false }] : []),
  ];
  const tableNow = { ...ctx.table, columns: after };
  steps.push(
    rebuildStep({ ...ctx, table: tableNow }, {
      title: `Put ${[def !== null ? `DEFAULT ${def}` : '', c.nullable ? '' : 'NOT NULL'].filter(Boolean).join(' and ')} on ${c.name} (table rebuild)`,
      release,
      target: {
        columns: after.map((x) => (x.name === c.name ? finalColumn : x)),
        constraints: ctx.table.constraints,
        // rows inserted between the backfill and this copy by instances that omit the column
        fill: { [c.name]: `IFNULL(${quoteIdent(c.name)}, ${fill})` },
      },
      changes,
      checkpoint: c.nullable ? null : columnNotNull(ctx.ref, c.name, true),
      caveats: [],
    }),
  );
  return { steps, warnings: [] };
}

/** A literal SQLite accepts as an ADD COLUMN default: a string, number, blob, NULL, TRUE/FALSE, or a signed number. */
export function isConstant(expr: string): boolean {
  const tokens = tokenize(expr);
  const body = tokens[0]?.text === '-' || tokens[0]?.text === '+' ? tokens.slice(1) : tokens;
  if (body.length !== 1) return false;
  const t = body[0]!;
  if (t.kind === 'number') return true;
  if (tokens.length > 1) return false;
  return t.kind === 'string' || t.kind === 'blob' || (t.kind === 'word' && ['NULL', 'TRUE', 'FALSE'].includes(t.upper));
}

function addColumnStep(ctx: RecipeContext, column: ColumnSchema, title: string, caveats: string[]): StepDraft {
  const drop = dropColumnStatements(ctx, { ...ctx.table, columns: [...ctx.table.columns, column] }, column.name);
  return writeStep(ctx, {
    title,
    release: 0,
    sql: [`ALTER TABLE ${tableSql(ctx.ref)} ADD COLUMN ${quoteIdent(column.name)} ${column.type}${column.nullable ? '' : ' NOT NULL'}${column.default !== null ? ` DEFAULT ${column.default}` : ''}`],
    rollback: { kind: 'sql', sql: drop.sql, transactional: drop.transactional, note: `with ${drop.how}; safe while no deployed application version depends on the column` },
    changes: [{ op: 'add_column', table: ctx.ref, column }],
    checkpoint: columnExists(ctx.ref, column.name, true),
    caveats: [...caveats, 'Catalog-only: SQLite edits the CREATE TABLE text in sqlite_schema; existing rows are not touched.'],
  });
}
