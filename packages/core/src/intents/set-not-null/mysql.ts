import type { ColumnSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { SetNotNullIntent } from '../types.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { mysqlType } from '../../engines/mysql/column-type.js';
import { columnDefinitionSql, refuseGenerated } from '../../engines/mysql/column-definition.js';
import { definitionGuardSql } from '../../engines/mysql/definition-guard.js';
import { columnNotNull } from '../../engines/mysql/catalog-checks.js';
import { mysqlBackfillStep } from '../backfill/mysql.js';
import { mysqlCheckStep } from '../read-only-check/mysql.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-05 (MySQL/MariaDB): backfill the NULLs (when a value is given), check none is left and
 * that the column holds nothing MODIFY would drop, then MODIFY … NOT NULL, ALGORITHM=INPLACE,
 * LOCK=NONE: the table is rebuilt in place while reads and writes go on (MariaDB [E]: INPLACE, NONE,
 * rebuild). Needs a strict sql_mode, or the server would turn NULLs into zeros instead of refusing.
 */
export function setNotNullRecipeMysql(ctx: RecipeContext, intent: SetNotNullIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  refuseGenerated(col, ctx.statement);
  // MODIFY c <type> NOT NULL restates NOT NULL as often as it asks for it
  if (!col.nullable) return { steps: [], warnings: [`${ctx.tableName}.${col.name} is already NOT NULL`] };
  const steps: StepDraft[] = [];
  const q = quoteIdent(col.name);
  if (intent.backfill !== undefined) {
    steps.push(
      mysqlBackfillStep(ctx, {
        title: `Backfill NULL ${col.name} values with ${intent.backfill}`,
        set: `${q} = ${intent.backfill}`,
        predicate: `${q} IS NULL`,
        release: 0,
        rollback: { kind: 'irreversible', reason: 'the rows that were NULL are not recorded', dataLost: `which rows had ${col.name} NULL before the backfill` },
      }),
    );
  }
  steps.push(...mysqlNotNullSteps(ctx, col, 0));
  return { steps, warnings: [] };
}

/** The NULL check (with the definition guard) and the in-place MODIFY … NOT NULL. */
export function mysqlNotNullSteps(ctx: RecipeContext, col: ColumnSchema, release: number): StepDraft[] {
  const q = quoteIdent(col.name);
  const printed = mysqlType(col.type, ctx.engine, ctx.statement).printed;
  return [
    mysqlCheckStep(ctx, {
      release,
      title: `Check that no row has ${col.name} NULL and that MODIFY restates all of ${col.name}`,
      checkpoint: {
        description: `no NULL in ${col.name}, and ${col.name} is ${printed} with nothing MODIFY would drop (comment, ON UPDATE, own collation)`,
        sql: `SELECT (SELECT COUNT(*) FROM ${qualify(ctx.ref)} WHERE ${q} IS NULL) = 0 AND ${definitionGuardSql(ctx.ref, col, printed)} = 1`,
        expected: 1,
      },
      caveats: [
        `Every code path must write a non-NULL ${col.name} before the next step: a NULL written after this check makes the MODIFY fail (it changes nothing then; run the check and the step again).`,
        `A 0 also means ${col.name} has a comment, ON UPDATE clause or a collation of its own that MODIFY would silently drop: make the change by hand, or extend the plan.`,
      ],
    }),
    mysqlDdlStep(ctx, {
      release,
      title: `Set ${col.name} NOT NULL (in-place rebuild, reads and writes continue)`,
      spec: `MODIFY ${columnDefinitionSql(col, ctx.engine, false, ctx.statement)}`,
      algorithm: 'INPLACE',
      lock: 'LOCK=NONE',
      duration: 'rewrite',
      checkpoint: columnNotNull(ctx.ref, col.name, true),
      rollback: { spec: `MODIFY ${columnDefinitionSql(col, ctx.engine, true, ctx.statement)}`, algorithm: 'INPLACE', lock: 'LOCK=NONE', note: 'another in-place rebuild' },
      caveats: [
        'Rebuilds the table in place (ALGORITHM=INPLACE, LOCK=NONE): reads and writes continue; concurrent changes are kept in an online log (innodb_online_alter_log_max_size) and applied at the end. Needs free disk for a copy of the table.',
        'Needs a strict sql_mode (STRICT_TRANS_TABLES or STRICT_ALL_TABLES): otherwise a NULL would become a zero or an empty string instead of failing the statement.',
        'On a replicated server the replicas apply the rebuild only after it finished here: expect replica lag as long as the rebuild.',
      ],
      changes: [{ op: 'set_nullable', table: ctx.ref, column: col.name, nullable: false }],
    }),
  ];
}
