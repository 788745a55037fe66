import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { ChangeColumnTypeIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { hasMysqlCapability, MYSQL_CAPABILITIES } from '../../engines/mysql/capabilities.js';
import { mysqlType } from '../../engines/mysql/column-type.js';
import { columnDefinitionSql, refuseGenerated } from '../../engines/mysql/column-definition.js';
import { definitionGuard } from '../../engines/mysql/definition-guard.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { columnTypeIs } from '../../engines/mysql/catalog-checks.js';
import { onlineSchemaChangeStep } from '../../engines/mysql/online-schema-change.js';
import { mysqlCheckStep } from '../read-only-check/mysql.js';
import { requireColumn, type RecipeContext } from '../context.js';

/** Bytes per character at most, over the character sets a VARCHAR may use (utf8mb4). */
const MAX_BYTES_PER_CHAR = 4;
const ONE_BYTE_PREFIX_MAX = 255;

/**
 * recipes.md I-17 (MySQL/MariaDB): a column type change copies the table with writes blocked on
 * every version here (locks.md §2.2, §3.2 [E]: INT → BIGINT, DECIMAL precision, VARCHAR → TEXT,
 * shrinking are COPY, LOCK=SHARED). The one in-place case is VARCHAR growth that keeps the length
 * prefix (≤ 255 bytes → ≤ 255 bytes, or ≥ 256 → larger); liveshift takes it only when that holds for
 * every character set (new length ≤ 63 characters, or old length ≥ 256). Everything else goes through
 * an online schema change tool (pt-online-schema-change; gh-ost as the untested alternative), or on
 * MariaDB 11.2+ through ALGORITHM=COPY, LOCK=NONE.
 */
export function changeColumnTypeRecipeMysql(ctx: RecipeContext, intent: ChangeColumnTypeIntent): RecipeResult {
  const col = requireColumn(ctx, intent.column);
  refuseGenerated(col, ctx.statement);
  if (intent.using !== undefined || intent.down !== undefined) {
    throw new PlanningError('MySQL/MariaDB convert a column by assignment only (no USING); using/down are not planned there', ctx.statement);
  }
  const from = mysqlType(col.type, ctx.engine, ctx.statement);
  const to = mysqlType(intent.type, ctx.engine, ctx.statement);
  if (from.printed === to.printed) return { steps: [], warnings: [`${ctx.tableName}.${col.name} is already ${to.printed}: no type change planned`] };
  const target = { ...col, type: to.sql };
  const change = [{ op: 'set_column_type' as const, table: ctx.ref, column: col.name, type: to.printed }];
  const guard = mysqlCheckStep(ctx, {
    release: 0,
    title: `Check that MODIFY restates all of ${col.name}`,
    checkpoint: definitionGuard(ctx.ref, col, from.printed),
    caveats: [`A 0 means ${col.name} has a comment, ON UPDATE clause or collation of its own that the MODIFY would silently drop: add it to the new type by hand.`],
  });
  const modify = `MODIFY ${columnDefinitionSql(target, ctx.engine, col.nullable, ctx.statement)}`;
  const back = `MODIFY ${columnDefinitionSql(col, ctx.engine, col.nullable, ctx.statement)}`;

  const sameClass = from.base === 'varchar' && to.base === 'varchar' && to.length! >= from.length! && (to.length! * MAX_BYTES_PER_CHAR <= ONE_BYTE_PREFIX_MAX || from.length! > ONE_BYTE_PREFIX_MAX);
  if (sameClass) {
    return {
      warnings: [],
      steps: [
        guard,
        mysqlDdlStep(ctx, {
          release: 0,
          title: `Widen ${col.name} to ${to.sql} in place (same length prefix)`,
          spec: modify,
          algorithm: 'INPLACE',
          lock: 'LOCK=NONE',
          duration: 'brief',
          checkpoint: columnTypeIs(ctx.ref, col.name, to.printed),
          rollback: { kind: 'none', reason: `narrowing ${col.name} back to ${from.sql} would copy the table; the wider column is harmless to keep` },
          caveats: [`${from.sql} → ${to.sql} keeps the VARCHAR length prefix for any character set (${to.length! * MAX_BYTES_PER_CHAR <= ONE_BYTE_PREFIX_MAX ? 'both fit 255 bytes even at 4 bytes per character' : 'both need 2 bytes already'}): metadata only (MariaDB [E]: INSTANT; MySQL manual: in place). Were it not, ALGORITHM=INPLACE makes the server refuse instead of copying.`],
          changes: change,
        }),
      ],
    };
  }

  if (hasMysqlCapability(ctx.engine, 'onlineCopy')) {
    return {
      warnings: [],
      steps: [
        guard,
        mysqlDdlStep(ctx, {
          release: 0,
          title: `Change ${col.name} to ${to.sql} by an online table copy (MariaDB ${ctx.engine.version})`,
          spec: modify,
          algorithm: 'COPY',
          lock: 'LOCK=NONE',
          duration: 'rewrite',
          checkpoint: columnTypeIs(ctx.ref, col.name, to.printed),
          rollback: { spec: back, algorithm: 'COPY', lock: 'LOCK=NONE', note: 'another online copy; fails if a value no longer fits the old type' },
          caveats: [`${MYSQL_CAPABILITIES.onlineCopy.why}: ${MYSQL_CAPABILITIES.onlineCopy.source}. Taken from the MariaDB documentation; liveshift's tests run on MariaDB 10.11, which lacks it. Needs free disk for a copy of the table.`],
          changes: change,
        }),
      ],
    };
  }

  const tool = onlineSchemaChangeStep(ctx, {
    release: 1,
    title: `Run pt-online-schema-change: ${col.name} ${from.printed} → ${to.printed}`,
    alter: modify,
    reverseAlter: back,
    previousRelease: 'A',
    changes: change,
    residualRisks: [
      `Residual risk: the tool copies rows with INSERT IGNORE, so a value that does not fit ${to.sql} is clamped or truncated with a warning instead of failing; only widening changes (such as int → bigint) are free of that. Check the values first when narrowing.`,
      'Residual risk: until the swap, every write to the table also runs the tool\'s triggers (more write latency); the swap briefly blocks queries on the table like any DDL.',
    ],
  });
  const check: StepDraft = mysqlCheckStep(ctx, {
    release: 1,
    title: `Check that ${col.name} is ${to.printed} now`,
    checkpoint: columnTypeIs(ctx.ref, col.name, to.printed),
    caveats: ['Fails if the tool has not finished (or was aborted): run it, then this step again.'],
  });
  return {
    warnings: [`${ctx.tableName}.${col.name} ${from.printed} → ${to.printed} has no in-place online path on ${ctx.engine.name === 'mysql' ? 'MySQL' : 'MariaDB'} ${ctx.engine.version}: the plan runs pt-online-schema-change (an operator step).`],
    steps: [guard, tool, check],
  };
}
