import type { RecipeResult } from '../../plan/draft.js';
import type { DropTableIntent } from '../types.js';
import type { TableRef } from '../../schema/snapshot.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { formatBytes } from '../../engines/postgres/size.js';
import { relationExists } from '../../engines/postgres/catalog-checks.js';
import type { RecipeContext } from '../context.js';

/**
 * recipes.md I-22: the application stops using the table in one release; the DROP TABLE comes in
 * the release after, once going back to the old application is no longer an option, and is the
 * point of no return. A table other tables' foreign keys reference is refused: DROP TABLE would
 * fail, and CASCADE would silently drop those keys.
 */
export function dropTableRecipe(ctx: RecipeContext, _intent: DropTableIntent): RecipeResult {
  const { referencing, referenced, alsoLocked, contents: parts } = dropTableFacts(ctx);
  if (referencing.length) {
    const list = referencing.map((r) => `${r.key.name} on ${r.table.schema}.${r.table.name} (${r.key.columns.join(', ')})`).join(', ');
    const drops = referencing.map((r) => `ALTER TABLE ${qualify(r.table)} DROP CONSTRAINT ${quoteIdent(r.key.name)}`).join('; ');
    throw new PlanningError(
      `${ctx.tableName} is referenced by foreign key${referencing.length > 1 ? 's' : ''} ${list}: DROP TABLE would fail, and DROP TABLE … CASCADE would drop ${referencing.length > 1 ? 'those keys' : 'that key'} without a word. ` +
        `First make the application stop relying on ${referencing.length > 1 ? 'them' : 'it'}, then drop ${referencing.length > 1 ? 'them' : 'it'} (${drops}; each takes ACCESS EXCLUSIVE on both tables for a moment), ` +
        `or drop the referencing table${referencing.length > 1 ? 's' : ''} earlier in the same plan; then plan this again`,
      ctx.statement,
    );
  }
  const rows = ctx.table.rowEstimate < 0 ? 'all rows (row count unknown: never analyzed)' : `all ~${String(Math.round(ctx.table.rowEstimate)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} rows`;

  return {
    warnings: [],
    alsoLocked,
    steps: [
      appStep(
        1,
        `Application stops using ${ctx.tableName}`,
        `Deploy the application version that no longer reads or writes ${ctx.tableName}: remove its model or entity and every query, raw SQL, report and background job that names it. ` +
          `Keep the migration history as it is; the table is dropped by the next step.`,
        { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${ctx.tableName}; the table is still there` },
      ),
      {
        release: 2,
        title: `Drop table ${ctx.tableName}`,
        kind: 'ddl',
        instruction: '',
        sql: [`DROP TABLE ${qualify(ctx.ref)}`],
        transactional: true,
        lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName, ...referenced], 'brief'),
        timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
        checkpoint: relationExists(ctx.ref, false),
        rollback: {
          kind: 'irreversible',
          reason: `DROP TABLE removes ${ctx.tableName} with its data; only a restore from backup brings it back`,
          dataLost: `${rows} of ${ctx.tableName} (${formatBytes(ctx.table.sizeBytes)} with indexes)${parts.length ? `, its ${parts.join(', ')}` : ''}, and the sequences its columns own`,
        },
        caveats: [
          `Only once you will not go back to release A: from here on the table, with its rows, is gone. Keep a copy first if the rows may be needed (pg_dump --table=${qualify(ctx.ref)}, or CREATE TABLE … AS TABLE ${qualify(ctx.ref)}).`,
          `A catalog change under ACCESS EXCLUSIVE on ${ctx.tableName}${referenced.length ? ` and on ${referenced.join(', ')}, which its foreign keys reference (reads there wait for a moment too)` : ''}; the files are removed at commit, with no scan.`,
          'Fails, changing nothing, if a view (or a function with a SQL-standard body) depends on the table, as DROP TABLE runs without CASCADE: drop or change those first. Functions that name the table in their text are not tracked and fail when next called.',
        ],
        changes: [{ op: 'drop_table', table: ctx.ref }],
      },
    ],
  };
}

/**
 * What dropping a table touches, on every engine: the foreign keys of other tables that reference
 * it (which stop the drop), the tables its own keys reference (locked by the drop too), and the
 * indexes, constraints and triggers that go with it.
 */
export function dropTableFacts(ctx: RecipeContext) {
  const referencing = ctx.snapshot.tables.flatMap((t) =>
    t.schema === ctx.ref.schema && t.name === ctx.ref.name
      ? []
      : t.constraints.filter((k) => k.type === 'foreign_key' && k.references?.table === ctx.tableName).map((k) => ({ table: t, key: k })),
  );
  const referenced = [...new Set(ctx.table.constraints.filter((k) => k.type === 'foreign_key' && k.references!.table !== ctx.tableName).map((k) => k.references!.table))];
  const alsoLocked: TableRef[] = ctx.snapshot.tables.filter((t) => referenced.includes(`${t.schema}.${t.name}`)).map((t) => ({ schema: t.schema, name: t.name }));
  const contents = [
    ctx.table.indexes.length ? `indexes ${ctx.table.indexes.map((i) => i.name).join(', ')}` : '',
    ctx.table.constraints.length ? `constraints ${ctx.table.constraints.map((k) => k.name).join(', ')}` : '',
    ctx.table.triggers.length ? `triggers ${ctx.table.triggers.map((tr) => tr.name).join(', ')}` : '',
  ].filter(Boolean);
  return { referencing, referenced, alsoLocked, contents };
}
