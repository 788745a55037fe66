import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { SchemaChange } from '../../plan/types.js';
import { derivedConstraintName, unnamedConstraints } from '../../engines/sqlite/constraint-names.js';
import type { RenameTableIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { hasCapability } from '../../engines/sqlite/capabilities.js';
import { tableExists, writeStep } from '../../engines/sqlite/steps.js';
import type { RecipeContext } from '../context.js';

/**
 * recipes.md I-20 on SQLite: ALTER TABLE … RENAME TO is catalog-only and carries indexes, triggers,
 * views (3.25+) and other tables' foreign keys (3.26+) to the new name. A view with the old name
 * (via: 'view') keeps old instances' reads working until the application moves; SQLite views are
 * read-only, so old instances' writes fail from the rename on — there is no online path for them,
 * and the plan says so. via: 'app' renames without the view.
 */
export function renameTableRecipe(ctx: RecipeContext, intent: RenameTableIntent): RecipeResult {
  if (ctx.snapshot.tables.some((t) => t.schema === ctx.ref.schema && t.name === intent.to)) throw new PlanningError(`a table named "${intent.to}" already exists`, ctx.statement);
  if (!hasCapability(ctx.engine, 'renameTableRewritesForeignKeys') && ctx.snapshot.tables.some((t) => t.constraints.some((k) => k.references?.table === ctx.tableName))) {
    throw new PlanningError(`SQLite ${ctx.engine.version} does not carry other tables' foreign keys along a table rename (3.26.0+); they would point at a missing table`, ctx.statement);
  }
  const old = tableSql(ctx.ref);
  const renamed = quoteIdent(intent.to);
  const withView = intent.via === 'view';
  const steps: StepDraft[] = [
    writeStep(ctx, {
      title: `Rename ${ctx.ref.name} to ${intent.to}${withView ? `, with a read-only view named ${ctx.ref.name}` : ''}`,
      release: 0,
      sql: [`ALTER TABLE ${old} RENAME TO ${renamed}`, ...(withView ? [`CREATE VIEW ${old} AS SELECT * FROM ${renamed}`] : [])],
      rollback: { kind: 'sql', sql: [...(withView ? [`DROP VIEW ${old}`] : []), `ALTER TABLE ${renamed} RENAME TO ${old}`], transactional: true },
      changes: [{ op: 'rename_table', table: ctx.ref, to: intent.to }, ...renamedConstraints(ctx, intent.to)],
      checkpoint: tableExists(intent.to, true),
      caveats: [
        'Catalog-only: indexes, triggers, views and (3.26+) other tables\' foreign keys follow the new name.',
        withView
          ? `Instances still on the old name keep reading through the view ${ctx.ref.name}, but their INSERT/UPDATE/DELETE on it fail (SQLite views are read-only) until they run release A+1.`
          : `Instances still on the old name fail from here on until they run release A+1.`,
      ],
    }),
    appStep(1, `Application uses ${intent.to}`, `Deploy the application version that reads and writes ${intent.to} instead of ${ctx.ref.name}.`, { kind: 'deploy', release: 'A', instruction: `deploy back the version that uses ${ctx.ref.name}` }),
  ];
  if (withView) {
    steps.push(
      writeStep(ctx, {
        title: `Drop the compatibility view ${ctx.ref.name}`,
        release: 1,
        sql: [`DROP VIEW IF EXISTS ${old}`],
        rollback: { kind: 'sql', sql: [`CREATE VIEW ${old} AS SELECT * FROM ${renamed}`], transactional: true },
        changes: [],
        checkpoint: { description: `no view named ${ctx.ref.name}`, sql: `SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = '${ctx.ref.name.replace(/'/g, "''")}'`, expected: 0 },
        caveats: [],
        tables: [`${ctx.ref.schema}.${intent.to}`],
      }),
    );
  }
  return {
    steps,
    warnings: [`SQLite has no online path for renaming ${ctx.tableName} under application instances that write it: from step 1 until every instance runs release A+1, writes that use the old name fail${withView ? ' (reads go on through the view)' : ''}.`],
  };
}

/** Unnamed constraints are known by names derived from the table's: they follow it to the new name. */
function renamedConstraints(ctx: RecipeContext, to: string): SchemaChange[] {
  const ref = { schema: ctx.ref.schema, name: to };
  return unnamedConstraints(ctx.table).flatMap((k): SchemaChange[] => {
    const name = derivedConstraintName(to, k.type, k.columns);
    return name === k.name ? [] : [{ op: 'drop_constraint', table: ref, constraint: k.name }, { op: 'add_constraint', table: ref, constraint: { ...k, name } }];
  });
}
