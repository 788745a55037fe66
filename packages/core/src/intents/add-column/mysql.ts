import type { ColumnSchema } from '../../schema/snapshot.js';
import type { MysqlAlgorithm } from '../../plan/types.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { quoteIdent } from '../../engines/mysql/quote.js';
import { hasMysqlCapability, MYSQL_CAPABILITIES, MYSQL_INSTANT_ROW_VERSION_LIMIT } from '../../engines/mysql/capabilities.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { mysqlType } from '../../engines/mysql/column-type.js';
import { isConstantDefault } from '../../engines/mysql/column-definition.js';
import { columnExists } from '../../engines/mysql/catalog-checks.js';
import { mysqlBackfillStep } from '../backfill/mysql.js';
import { mysqlNotNullSteps } from '../set-not-null/mysql.js';
import { requireNoColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-01, I-02, I-04 on MySQL/MariaDB: a nullable column, or one with a constant default
 * (NOT NULL included), is one ADD COLUMN — INSTANT where the version has it (MySQL 8.0.12+, not
 * 8.0.29; MariaDB 10.3.2+), else INPLACE with LOCK=NONE (a rebuild that lets writes go on). A NOT
 * NULL column without a default is added nullable, the application writes it, a backfill fills
 * the rest, then MODIFY … NOT NULL (in place). An expression default would copy the table: refused.
 */
export function addColumnRecipeMysql(ctx: RecipeContext, intent: AddColumnIntent): RecipeResult {
  const c = intent.column;
  requireNoColumn(ctx, c.name);
  const type = mysqlType(c.type, ctx.engine, ctx.statement);
  const def = c.default;
  if (def && !isConstantDefault(def.expr, ctx.engine)) {
    throw new PlanningError(
      `DEFAULT ${def.expr} is not a constant: MySQL/MariaDB copy the whole table with writes blocked to add a column with an expression default. ` +
        'Add the column without a default and fill it (intent column.backfill, or --backfill <expr> with NOT NULL), and let the application write it for new rows',
      ctx.statement,
    );
  }
  if (def && c.backfill !== undefined) throw new PlanningError('give either a default or a backfill value, not both', ctx.statement);
  const q = quoteIdent(c.name);
  const steps: StepDraft[] = [];
  if (c.nullable || def) {
    const column: ColumnSchema = { name: c.name, type: type.printed, nullable: c.nullable, default: def?.expr ?? null };
    steps.push(addColumnStep(ctx, column, `${q} ${type.sql} ${c.nullable ? 'NULL' : 'NOT NULL'}${def ? ` DEFAULT ${def.expr}` : ''}`, `Add column ${c.name} ${type.sql}${c.nullable ? '' : ' NOT NULL'}${def ? ` DEFAULT ${def.expr}` : ''}`));
    return { steps, warnings: [] };
  }
  if (c.backfill === undefined) {
    throw new PlanningError(
      `adding NOT NULL column "${c.name}" without a default: existing rows need a value (MySQL/MariaDB would silently fill them with 0 or ''). Give a DEFAULT, or the value for existing rows (intent column.backfill, or --backfill <expr> on the CLI)`,
      ctx.statement,
    );
  }
  const nullable: ColumnSchema = { name: c.name, type: type.printed, nullable: true, default: null };
  steps.push(addColumnStep(ctx, nullable, `${q} ${type.sql} NULL`, `Add column ${c.name} ${type.sql} (nullable for now)`));
  steps.push(
    appStep(
      1,
      `Application writes ${c.name} on every insert and update`,
      `Deploy the application version that sets ${c.name} on every INSERT and UPDATE of ${ctx.tableName} (the database does not fill it: there is no default).`,
      { kind: 'deploy', release: 'A', instruction: 'deploy back the previous application version; the column stays nullable until the NOT NULL step' },
      ['Until every instance runs this release, rows can still be inserted with NULL; the backfill after it covers them.'],
    ),
  );
  steps.push(
    mysqlBackfillStep(ctx, {
      title: `Backfill ${c.name} for existing rows`,
      set: `${q} = ${c.backfill}`,
      predicate: `${q} IS NULL`,
      release: 1,
      rollback: { kind: 'none', reason: 'only fills the new column; rolling back the "add column" step removes it with its data' },
    }),
  );
  steps.push(...mysqlNotNullSteps(ctx, nullable, 1));
  return { steps, warnings: [] };
}

/** INSTANT where this version adds columns instantly, else an in-place rebuild with writes going on. */
export function instantColumnAlgorithm(ctx: RecipeContext, instant: 'instantAddColumnLast' | 'instantDropColumn'): MysqlAlgorithm {
  return hasMysqlCapability(ctx.engine, instant) && !hasMysqlCapability(ctx.engine, 'instantColumnDefect') ? 'INSTANT' : 'INPLACE';
}

export function addColumnStep(ctx: RecipeContext, column: ColumnSchema, definitionSql: string, title: string, release = 0): StepDraft {
  const add = instantColumnAlgorithm(ctx, 'instantAddColumnLast');
  const drop = instantColumnAlgorithm(ctx, 'instantDropColumn');
  return mysqlDdlStep(ctx, {
    release,
    title,
    spec: `ADD COLUMN ${definitionSql}`,
    algorithm: add,
    lock: 'LOCK=NONE',
    duration: add === 'INSTANT' ? 'brief' : 'rewrite',
    checkpoint: columnExists(ctx.ref, column.name, true),
    rollback: { spec: `DROP COLUMN ${quoteIdent(column.name)}`, algorithm: drop, lock: 'LOCK=NONE', note: 'safe while no deployed application version depends on the column' },
    caveats: [
      add === 'INSTANT'
        ? `ALGORITHM=INSTANT: only the data dictionary changes, no row is touched. Added as the last column. InnoDB allows ${MYSQL_INSTANT_ROW_VERSION_LIMIT} instant ADD/DROP COLUMN changes per table on MySQL 8.0.29+; past that the server refuses ALGORITHM=INSTANT (the step fails, changing nothing) until the table is rebuilt (OPTIMIZE TABLE).`
        : hasMysqlCapability(ctx.engine, 'instantColumnDefect')
          ? `ALGORITHM=INPLACE, not INSTANT: ${MYSQL_CAPABILITIES.instantColumnDefect.why}. The table is rebuilt in place while reads and writes continue.`
          : `ALGORITHM=INPLACE: ${ctx.engine.version} has no instant ADD COLUMN, so the table is rebuilt in place while reads and writes continue.`,
    ],
    changes: [{ op: 'add_column', table: ctx.ref, column }],
  });
}
