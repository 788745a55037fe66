import type { RecipeResult } from '../../plan/draft.js';
import type { ConstraintSchema } from '../../schema/snapshot.js';
import type { AddCheckIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { flavourOf, hasMysqlCapability, MYSQL_CAPABILITIES } from '../../engines/mysql/capabilities.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { parseMysql, referencedColumnNames } from '../../engines/mysql/parser.js';
import { constraintExists } from '../../engines/mysql/catalog-checks.js';
import { mysqlDdlStep } from '../../engines/mysql/ddl-step.js';
import { onlineSchemaChangeStep } from '../../engines/mysql/online-schema-change.js';
import { mysqlCheckStep } from '../read-only-check/mysql.js';
import { requireColumn, type RecipeContext } from '../context.js';

/**
 * recipes.md I-15 (MySQL/MariaDB): adding an enforced CHECK reads every row with writes blocked
 * (MariaDB [E]: COPY, SHARED; MySQL 8.0.16+ likewise) and there is no NOT VALID: no in-place online
 * path. The plan: the application enforces the rule first, a check that no row violates it, then an
 * online schema change tool adds the constraint on a copy (MariaDB 11.2+: ALGORITHM=COPY, LOCK=NONE).
 */
export function addCheckRecipeMysql(ctx: RecipeContext, intent: AddCheckIntent): RecipeResult {
  if (!hasMysqlCapability(ctx.engine, 'enforcedChecks')) throw new PlanningError(`${ctx.engine.version} parses CHECK constraints but does not enforce them (${MYSQL_CAPABILITIES.enforcedChecks.source})`, ctx.statement);
  let columns: string[];
  try {
    columns = referencedColumnNames(parseMysql(`SELECT 1 FROM t WHERE ${intent.expression}`, flavourOf(ctx.engine))[0]!.ast.where);
  } catch {
    throw new PlanningError(`cannot read the CHECK expression "${intent.expression}"`, ctx.statement);
  }
  columns.forEach((c) => requireColumn(ctx, c));
  const name = intent.name ?? derivedName([ctx.ref.name], 'check');
  if (ctx.snapshot.tables.some((t) => t.schema === ctx.ref.schema && t.constraints.some((k) => k.name === name))) {
    throw new PlanningError(`a constraint named "${name}" already exists in ${ctx.ref.schema}; name the CHECK`, ctx.statement);
  }
  const constraint: ConstraintSchema = { name, type: 'check', columns, definition: `CHECK (${intent.expression})`, validated: true, references: null };
  const alter = `ADD CONSTRAINT ${quoteIdent(name)} CHECK (${intent.expression})`;
  const violations = {
    description: `no row of ${ctx.tableName} violates ${intent.expression}`,
    // a CHECK passes when its expression is NULL: only a false result is a violation
    sql: `SELECT COUNT(*) FROM ${qualify(ctx.ref)} WHERE NOT (${intent.expression})`,
    expected: 0,
  };
  if (hasMysqlCapability(ctx.engine, 'onlineCopy')) {
    return {
      warnings: [],
      steps: [
        mysqlCheckStep(ctx, { release: 0, title: `Check that no row violates ${intent.expression}`, checkpoint: violations, caveats: ['The copy would fail on the first violating row.'] }),
        mysqlDdlStep(ctx, {
          release: 0,
          title: `Add CHECK ${name} by an online table copy (MariaDB ${ctx.engine.version})`,
          spec: alter,
          algorithm: 'COPY',
          lock: 'LOCK=NONE',
          duration: 'rewrite',
          checkpoint: constraintExists(ctx.ref, name, 'CHECK', true),
          rollback: { spec: `DROP CONSTRAINT ${quoteIdent(name)}`, algorithm: 'INSTANT', lock: 'LOCK=NONE' },
          caveats: [`${MYSQL_CAPABILITIES.onlineCopy.why}: taken from the MariaDB documentation; liveshift's tests run on MariaDB 10.11, which lacks it.`],
          changes: [{ op: 'add_constraint', table: ctx.ref, constraint }],
        }),
      ],
    };
  }
  return {
    warnings: [`CHECK ${name} has no in-place online path on ${flavourOf(ctx.engine) === 'mysql' ? 'MySQL' : 'MariaDB'} ${ctx.engine.version}: the plan runs pt-online-schema-change (an operator step).`],
    steps: [
      appStep(1, `Application never writes a row violating ${intent.expression}`, `Deploy the application version that validates ${intent.expression} before every INSERT and UPDATE of ${ctx.tableName}.`, {
        kind: 'deploy',
        release: 'A',
        instruction: 'deploy back the previous version',
      }),
      mysqlCheckStep(ctx, {
        release: 1,
        title: `Check that no row violates ${intent.expression}`,
        checkpoint: violations,
        caveats: ['Fix or delete the violating rows first: the tool copies rows with INSERT IGNORE, so a violating row would be silently left out of the new table.'],
      }),
      onlineSchemaChangeStep(ctx, {
        release: 2,
        title: `Run pt-online-schema-change: add CHECK ${name}`,
        alter,
        reverseAlter: `DROP CONSTRAINT ${quoteIdent(name)}`,
        previousRelease: 'A+1',
        changes: [{ op: 'add_constraint', table: ctx.ref, constraint }],
        residualRisks: [
          'Residual risk: a violating row written after the check is dropped from the copy (INSERT IGNORE) or makes the write that carries it fail in the tool\'s trigger; the application release before it is what keeps that from happening.',
          'Alternative without a table copy: keep enforcing the rule in the application only.',
        ],
      }),
      mysqlCheckStep(ctx, {
        release: 2,
        title: `Check that CHECK ${name} exists`,
        checkpoint: constraintExists(ctx.ref, name, 'CHECK', true),
        caveats: ['Fails if the tool has not finished (or was aborted).'],
      }),
    ],
  };
}
