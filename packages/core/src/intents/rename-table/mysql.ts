import type { TableRef } from '../../schema/snapshot.js';
import type { Checkpoint } from '../../plan/types.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { RenameTableIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { displayName } from '../../engines/postgres/quote.js';
import { qualify, quoteIdent, quoteLiteral } from '../../engines/mysql/quote.js';
import { mysqlMetadataStep } from '../../engines/mysql/ddl-step.js';
import { relationExists } from '../../engines/mysql/catalog-checks.js';
import type { RecipeContext } from '../context.js';

/** MySQL/MariaDB identifiers are at most 64 characters. */
const MAX_NAME = 64;

/**
 * recipes.md I-20 (MySQL/MariaDB). RENAME TABLE is an atomic catalog change (any number of renames
 * in one statement, under the exclusive metadata lock of each table, no row touched), but every
 * running instance that still names the old table fails from that moment. MySQL cannot rename and
 * create a view in one transaction as PostgreSQL does (DDL commits on its own), so the view goes the
 * other way round:
 * - view (default): a view under the NEW name over the table (ALGORITHM=MERGE: simple reads and
 *   writes go through to the table, with its indexes); the application moves to the new name; then
 *   one RENAME TABLE swaps the view out of the way and the table in under the new name, atomically;
 *   the leftover view (naming the old table, which is gone) is dropped.
 * - app: the application copes with both names across a plain RENAME TABLE, then drops the fallback.
 */
export function renameTableRecipeMysql(ctx: RecipeContext, intent: RenameTableIntent): RecipeResult {
  if (intent.to === ctx.ref.name) throw new PlanningError('the new name equals the old one', ctx.statement);
  if (intent.to.length > MAX_NAME) throw new PlanningError(`"${intent.to}" is longer than ${MAX_NAME} characters, the MySQL/MariaDB limit`, ctx.statement);
  const to: TableRef = { schema: ctx.ref.schema, name: intent.to };
  // table names share one namespace with views per database; the snapshot holds base tables only, so the steps check the rest
  if (ctx.snapshot.tables.some((t) => t.schema === to.schema && t.name.toLowerCase() === to.name.toLowerCase())) {
    throw new PlanningError(`a table named "${to.name}" already exists in database ${to.schema}`, ctx.statement);
  }
  return intent.via === 'view' ? throughView(ctx, to) : byApplication(ctx, to);
}

function renamed(ctx: RecipeContext, to: TableRef): Checkpoint {
  const count = (ref: TableRef, type: string) =>
    `(SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${quoteLiteral(ref.schema)} AND TABLE_NAME = ${quoteLiteral(ref.name)}${type ? ` AND TABLE_TYPE = ${quoteLiteral(type)}` : ''})`;
  return { description: `${displayName(to)} is a table and ${ctx.tableName} is gone`, sql: `SELECT ${count(to, 'BASE TABLE')} = 1 AND ${count(ctx.ref, '')} = 0`, expected: 1 };
}

function throughView(ctx: RecipeContext, to: TableRef): RecipeResult {
  const newName = displayName(to);
  const leftover: TableRef = { schema: ctx.ref.schema, name: `liveshift_old_${to.name}`.slice(0, MAX_NAME) };
  if (ctx.snapshot.tables.some((t) => t.schema === leftover.schema && t.name.toLowerCase() === leftover.name.toLowerCase())) {
    throw new PlanningError(`the plan needs the name ${leftover.name} for a moment and a table has it; rename that table first`, ctx.statement);
  }
  const createView = `CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW ${qualify(to)} AS SELECT * FROM ${qualify(ctx.ref)}`;
  return {
    warnings: [
      `${ctx.tableName} keeps its name until the application has moved: a view named ${to.name} over it lets the application use the new name first. ` +
        'The view passes reads and simple INSERT/UPDATE/DELETE (also INSERT … ON DUPLICATE KEY UPDATE) through to the table, but not TRUNCATE, ALTER TABLE or SHOW CREATE TABLE, and it shows only the columns the table has today. ' +
        'If the application needs any of those under the new name before the swap, plan the rename with via: "app" instead.',
    ],
    steps: [
      mysqlMetadataStep(ctx, {
        release: 0,
        title: `Create the view ${to.name} over ${ctx.tableName}`,
        sql: createView,
        tables: [newName],
        checkpoint: relationExists(to, true, 'view'),
        rollback: { kind: 'sql', sql: [`DROP VIEW ${qualify(to)}`], transactional: false, note: `while no deployed application version uses ${to.name}` },
        caveats: [
          `Fails, changing nothing, if a view named ${to.name} already exists.`,
          `ALGORITHM=MERGE makes every query on the view a query on ${ctx.tableName} (its indexes are used; writes go to the table, with its defaults, constraints and triggers); SQL SECURITY INVOKER checks the caller's privileges on ${ctx.tableName}, as before.`,
          `SELECT * in a view is expanded once, now: a column added to ${ctx.tableName} before the swap is not visible through ${to.name}.`,
        ],
        changes: [],
      }),
      appStep(1, `Application uses ${to.name}`,
        `Deploy the application version that names ${newName} everywhere it named ${ctx.tableName}: the ORM model's table name (Prisma @@map, TypeORM @Entity, Knex table names), raw SQL, reports and background jobs. Until the next step ${to.name} is the view.`,
        { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${ctx.tableName}; the table still has that name` }),
      mysqlMetadataStep(ctx, {
        release: 2,
        title: `Swap: the view ${to.name} out of the way, ${ctx.tableName} in under the name ${to.name} (one atomic RENAME TABLE)`,
        sql: `RENAME TABLE ${qualify(to)} TO ${qualify(leftover)}, ${qualify(ctx.ref)} TO ${qualify(to)}`,
        tables: [ctx.tableName, newName],
        checkpoint: renamed(ctx, to),
        rollback: {
          kind: 'sql',
          sql: [`RENAME TABLE ${qualify(to)} TO ${qualify(ctx.ref)}, ${qualify(leftover)} TO ${qualify(to)}`],
          transactional: false,
          note: `only while the view ${leftover.name} exists (before the next step)`,
        },
        caveats: [
          `One statement: no query ever finds neither ${to.name} as a view nor as the table. From here on any statement naming ${ctx.tableName} fails: only once every instance runs release A.`,
          `Foreign keys from and to the table follow it; its indexes, constraints and triggers keep their names. Views of your own that name ${ctx.tableName} stop working: change them first.`,
        ],
        changes: [{ op: 'rename_table', table: ctx.ref, to: to.name }],
      }),
      mysqlMetadataStep(ctx, {
        release: 2,
        title: `Drop the leftover view ${leftover.name}`,
        sql: `DROP VIEW ${qualify(leftover)}`,
        tables: [displayName(leftover)],
        checkpoint: relationExists(leftover, false, 'view'),
        rollback: {
          kind: 'none',
          reason: `the view named ${ctx.tableName}, which no longer exists, and served nothing; MySQL/MariaDB cannot create a view over a missing table, so it is not re-created. To go back after this step: RENAME TABLE ${qualify(to)} TO ${qualify(ctx.ref)} once the application uses ${ctx.tableName} again`,
        },
        caveats: [],
        changes: [],
      }),
    ],
  };
}

function byApplication(ctx: RecipeContext, to: TableRef): RecipeResult {
  const newName = displayName(to);
  return {
    warnings: [
      `No view: between the rename and the application's switch to ${newName}, every statement that names ${ctx.tableName} fails, so the application must handle both names for one release. ` +
        `With via: "view" (the default) a view under the new name lets the application move first instead.`,
    ],
    steps: [
      appStep(1, `Application works with either ${ctx.tableName} or ${to.name}`,
        `Deploy the application version that uses ${newName} and, when a statement fails with error 1146 (table doesn't exist) because the rename has not happened yet, retries it with ${ctx.tableName} ` +
          '(or reads the table name from configuration that you switch right after the next step).',
        { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${ctx.tableName}; the table still has that name` }),
      mysqlMetadataStep(ctx, {
        release: 1,
        title: `Rename ${ctx.tableName} to ${to.name}`,
        sql: `RENAME TABLE ${qualify(ctx.ref)} TO ${qualify(to)}`,
        tables: [ctx.tableName],
        checkpoint: renamed(ctx, to),
        rollback: { kind: 'sql', sql: [`RENAME TABLE ${qualify(to)} TO ${qualify(ctx.ref)}`], transactional: false },
        caveats: [
          `New statements naming ${ctx.tableName} fail from here on (error 1146): only once every instance runs release A.`,
          `Foreign keys from and to the table follow it; its indexes, constraints and triggers keep their names (${quoteIdent(ctx.ref.name)}'s PRIMARY stays PRIMARY).`,
        ],
        changes: [{ op: 'rename_table', table: ctx.ref, to: to.name }],
      }),
      appStep(2, `Application uses only ${to.name}`, `Deploy the application version that uses ${newName} without the fallback to ${ctx.tableName}.`, {
        kind: 'deploy',
        release: 'A+1',
        instruction: 'deploy back the version with the fallback',
      }),
    ],
  };
}
