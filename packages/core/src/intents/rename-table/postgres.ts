import type { TableRef } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { RenameTableIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { displayName, qualify, quoteIdent, quoteLiteral } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { relationExists } from '../../engines/postgres/catalog-checks.js';
import type { RecipeContext } from '../context.js';

/**
 * recipes.md I-20. A plain RENAME TO is instant but every running instance that still names the
 * old table fails from that moment. Two ways through:
 * - view (default): rename and CREATE VIEW <old> AS SELECT * FROM <new> in one transaction (brief
 *   ACCESS EXCLUSIVE): a simple view is auto-updatable, so old code keeps reading and writing
 *   through it; the application moves to the new name; the view is dropped.
 * - app: no view; the application copes with both names across the rename (tries the new name,
 *   falls back to the old one), then drops the fallback.
 */
export function renameTableRecipe(ctx: RecipeContext, intent: RenameTableIntent): RecipeResult {
  if (intent.to === ctx.ref.name) throw new PlanningError('the new name equals the old one', ctx.statement);
  const to: TableRef = { schema: ctx.ref.schema, name: intent.to };
  const taken = ctx.snapshot.tables.find((t) => t.schema === to.schema && (t.name === to.name || t.indexes.some((i) => i.name === to.name)));
  if (taken) {
    throw new PlanningError(`${taken.name === to.name ? 'a table' : `an index (on ${displayName(taken)})`} named "${to.name}" already exists in schema ${to.schema}`, ctx.statement);
  }
  return intent.via === 'view' ? throughView(ctx, to) : byApplication(ctx, to);
}

function throughView(ctx: RecipeContext, to: TableRef): RecipeResult {
  const old = qualify(ctx.ref);
  const neu = qualify(to);
  const newName = displayName(to);
  const timeouts = ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries);
  const createView = `CREATE VIEW ${old} AS SELECT * FROM ${neu}`;
  const dropView = `DROP VIEW ${old}`;
  return {
    warnings: [
      `${ctx.tableName} is renamed at once and a view under the old name keeps the current application working until it moves to ${newName}. ` +
        'The view passes reads and simple INSERT/UPDATE/DELETE (with RETURNING and ON CONFLICT) through to the table, but not TRUNCATE, ALTER TABLE, LOCK TABLE or COPY … FROM, and it shows only the columns the table has today. ' +
        'If the application does any of those through the old name, plan the rename with via: "app" instead (no view; the application must cope with both names for one release).',
    ],
    steps: [
      {
        release: 0,
        title: `Rename ${ctx.tableName} to ${to.name}, and create the view ${ctx.ref.name} on it`,
        kind: 'ddl',
        instruction: '',
        sql: [`ALTER TABLE ${old} RENAME TO ${quoteIdent(to.name)}`, createView],
        transactional: true,
        lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
        timeouts,
        checkpoint: {
          description: `${newName} is a table and ${ctx.tableName} a view`,
          sql: `SELECT (SELECT relkind FROM pg_catalog.pg_class WHERE oid = to_regclass(${quoteLiteral(neu)})) IN ('r', 'p') AND (SELECT relkind FROM pg_catalog.pg_class WHERE oid = to_regclass(${quoteLiteral(old)})) = 'v'`,
          expected: true,
        },
        rollback: { kind: 'sql', sql: [dropView, `ALTER TABLE ${neu} RENAME TO ${quoteIdent(ctx.ref.name)}`], transactional: true, note: 'while the application still uses the old name only' },
        caveats: [
          `One transaction, so no query ever sees neither name. ACCESS EXCLUSIVE on the table for a catalog change (milliseconds once granted); the wait for it is bounded by lock_timeout and retried.`,
          `Old code keeps working through the view: SELECT, and INSERT, UPDATE, DELETE (also with RETURNING and ON CONFLICT) on a simple view go to the table, with the table's defaults, constraints and triggers. Statements prepared before the rename keep working too (they are bound to the table itself).`,
          `Not through the view: TRUNCATE, ALTER TABLE, LOCK TABLE, COPY … FROM, and columns added to the table later (SELECT * in a view is expanded once, now).`,
          `Only the table is renamed: its sequences, indexes and constraints keep their names (e.g. ${ctx.ref.name}_pkey); rename those separately if the names matter.`,
        ],
        changes: [{ op: 'rename_table', table: ctx.ref, to: to.name }],
      },
      appStep(1, `Application uses ${to.name}`,
        `Deploy the application version that names ${newName} everywhere it named ${ctx.tableName}: the ORM model's table name (Prisma @@map, TypeORM @Entity, Knex table names), raw SQL, reports and background jobs.`,
        { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${ctx.tableName}; the view still serves it` }),
      {
        release: 2,
        title: `Drop the view ${ctx.tableName}`,
        kind: 'ddl',
        instruction: '',
        sql: [dropView],
        transactional: true,
        lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
        timeouts,
        checkpoint: relationExists(ctx.ref, false, 'view'),
        rollback: { kind: 'sql', sql: [createView], transactional: true },
        caveats: [
          `Locks only the view, not ${newName}. From here on any statement naming ${ctx.tableName} fails: only once no instance of release A is running.`,
        ],
        changes: [],
      },
    ],
  };
}

function byApplication(ctx: RecipeContext, to: TableRef): RecipeResult {
  const old = qualify(ctx.ref);
  const neu = qualify(to);
  const newName = displayName(to);
  return {
    warnings: [
      `No view: between the rename and the application's switch to ${newName}, every statement that names ${ctx.tableName} fails, so the application must handle both names for one release. ` +
        `With via: "view" (the default) a view under the old name keeps the current application working instead, at the cost of what a view cannot do (TRUNCATE, ALTER TABLE, LOCK TABLE, COPY … FROM through it).`,
    ],
    steps: [
      appStep(1, `Application works with either ${ctx.tableName} or ${to.name}`,
        `Deploy the application version that uses ${newName} and, when a statement fails with SQLSTATE 42P01 (undefined_table) because the rename has not happened yet, retries it with ${ctx.tableName} ` +
          `(or reads the table name from configuration that you switch right after the next step).`,
        { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${ctx.tableName}; the table still has that name` }),
      {
        release: 1,
        title: `Rename ${ctx.tableName} to ${to.name}`,
        kind: 'ddl',
        instruction: '',
        sql: [`ALTER TABLE ${old} RENAME TO ${quoteIdent(to.name)}`],
        transactional: true,
        lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
        timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
        checkpoint: {
          description: `${newName} exists and ${ctx.tableName} does not`,
          sql: `SELECT to_regclass(${quoteLiteral(neu)}) IS NOT NULL AND to_regclass(${quoteLiteral(old)}) IS NULL`,
          expected: true,
        },
        rollback: { kind: 'sql', sql: [`ALTER TABLE ${neu} RENAME TO ${quoteIdent(ctx.ref.name)}`], transactional: true },
        caveats: [
          `A catalog change under ACCESS EXCLUSIVE (milliseconds once granted). Statements prepared before it keep working (they are bound to the table itself); new statements naming ${ctx.tableName} fail from here on, so only once every instance runs the previous release.`,
          `Only the table is renamed: its sequences, indexes and constraints keep their names (e.g. ${ctx.ref.name}_pkey).`,
        ],
        changes: [{ op: 'rename_table', table: ctx.ref, to: to.name }],
      },
      appStep(2, `Application uses only ${to.name}`, `Deploy the application version that uses ${newName} without the fallback to ${ctx.tableName}.`, {
        kind: 'deploy',
        release: 'A+1',
        instruction: `deploy back the version with the fallback`,
      }),
    ],
  };
}
