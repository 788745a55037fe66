import type { ColumnSchema, ConstraintSchema, IndexSchema } from '../../schema/snapshot.js';
import { findTable } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { AddReferenceColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { displayName, quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { hasCapability } from '../../engines/sqlite/capabilities.js';
import { derivedConstraintName } from '../../engines/sqlite/constraint-names.js';
import { rebuildStatements, requireSmallEnough } from '../../engines/sqlite/rebuild.js';
import { declaredType, requireStrictType } from '../../engines/sqlite/types.js';
import { columnExists, indexExists, writeStep } from '../../engines/sqlite/steps.js';
import { requireNoColumn, resolveTable, type RecipeContext } from '../context.js';

/**
 * recipes.md I-32 on SQLite: ADD COLUMN may carry its own REFERENCES clause when the column is
 * nullable without a default (with foreign keys on, SQLite requires the default NULL), and a new
 * all-NULL column has nothing to check: one catalog-only step, then the index on it. A NOT NULL
 * reference column is refused with the way there (add it nullable, backfill, set_not_null).
 */
export function addReferenceColumnRecipe(ctx: RecipeContext, intent: AddReferenceColumnIntent): RecipeResult {
  const c = { ...intent.column, type: declaredType(ctx.engine, intent.column.type) };
  requireNoColumn(ctx, c.name);
  requireStrictType(ctx.table, c.type, ctx.statement);
  if (!c.nullable || c.default !== undefined) {
    throw new PlanningError(
      `SQLite adds a REFERENCES column only nullable without a default (with foreign keys on, ADD COLUMN … REFERENCES needs the default NULL). Add "${c.name}" nullable, fill it with a backfill intent, then set_not_null`,
      ctx.statement,
    );
  }
  const parentRef = resolveTable(ctx.snapshot, intent.references.table, ctx.statement);
  const parent = findTable(ctx.snapshot, parentRef)!;
  const parentColumn = intent.references.column ?? onlyKeyColumn(ctx, parent.constraints, displayName(parentRef));
  const name = intent.name ?? derivedConstraintName(ctx.ref.name, 'foreign_key', [c.name]);
  const actions = `${intent.onDelete ? ` ON DELETE ${intent.onDelete.toUpperCase()}` : ''}${intent.onUpdate ? ` ON UPDATE ${intent.onUpdate.toUpperCase()}` : ''}`;
  const column: ColumnSchema = { name: c.name, type: c.type, nullable: true, default: null };
  const constraint: ConstraintSchema = {
    name,
    type: 'foreign_key',
    columns: [c.name],
    definition: `FOREIGN KEY (${quoteIdent(c.name)}) REFERENCES ${quoteIdent(parentRef.name)} (${quoteIdent(parentColumn)})${actions}`,
    validated: true,
    references: { table: displayName(parentRef), columns: [parentColumn] },
  };
  const after = { ...ctx.table, columns: [...ctx.table.columns, column], constraints: [...ctx.table.constraints, constraint] };
  // the column's own REFERENCES goes with DROP COLUMN (3.35+); before that, a rebuild without both
  const rollback = hasCapability(ctx.engine, 'dropColumn')
    ? { sql: [`ALTER TABLE ${tableSql(ctx.ref)} DROP COLUMN ${quoteIdent(c.name)}`], transactional: true }
    : { sql: rebuildStatements(ctx, after, { columns: ctx.table.columns, constraints: ctx.table.constraints }), transactional: false };
  const steps: StepDraft[] = [
    writeStep(ctx, {
      title: `Add column ${c.name} ${c.type} referencing ${displayName(parentRef)} (${parentColumn})`,
      release: 0,
      sql: [`ALTER TABLE ${tableSql(ctx.ref)} ADD COLUMN ${quoteIdent(c.name)} ${c.type} CONSTRAINT ${quoteIdent(name)} REFERENCES ${quoteIdent(parentRef.name)} (${quoteIdent(parentColumn)})${actions}`],
      rollback: { kind: 'sql', ...rollback, note: 'safe while no deployed application version writes the column' },
      changes: [
        { op: 'add_column', table: ctx.ref, column },
        { op: 'add_constraint', table: ctx.ref, constraint },
      ],
      checkpoint: columnExists(ctx.ref, c.name, true),
      caveats: [
        'Catalog-only: every existing row has NULL in the new column, so there is nothing to check against the parent.',
        'SQLite enforces the foreign key only on connections with PRAGMA foreign_keys = ON.',
      ],
    }),
  ];
  const warnings: string[] = [];
  if (intent.index) {
    if (!ctx.small) {
      warnings.push(`No index on ${c.name}: building one on ${ctx.tableName} would hold the database write lock for a whole scan (SQLite has no concurrent build); without it, deletes in ${displayName(parentRef)} scan ${ctx.tableName} to find referencing rows.`);
    } else {
      requireSmallEnough(ctx, `indexing ${c.name}`);
      const indexName = derivedName([ctx.ref.name, c.name], 'idx');
      const index: IndexSchema = { name: indexName, columns: [c.name], unique: false, primary: false, valid: true, predicate: null, method: 'btree', definition: `CREATE INDEX ${quoteIdent(indexName)} ON ${tableSql(ctx.ref)} (${quoteIdent(c.name)})` };
      steps.push(
        writeStep({ ...ctx, table: after }, {
          title: `Create index ${indexName} on ${c.name}`,
          release: 0,
          sql: [index.definition],
          duration: 'scan',
          rollback: { kind: 'sql', sql: [`DROP INDEX IF EXISTS ${quoteIdent(indexName)}`], transactional: true },
          changes: [{ op: 'add_index', table: ctx.ref, index }],
          checkpoint: indexExists(indexName, true),
          caveats: [`So that deletes and key updates in ${displayName(parentRef)} find referencing rows without scanning ${ctx.tableName}.`],
        }),
      );
    }
  }
  return { steps, warnings, alsoLocked: [parentRef] };
}

function onlyKeyColumn(ctx: RecipeContext, constraints: ConstraintSchema[], parent: string): string {
  const pk = constraints.find((k) => k.type === 'primary_key');
  if (!pk || pk.columns.length !== 1) throw new PlanningError(`${parent} has no one-column primary key; name the referenced column`, ctx.statement);
  return pk.columns[0]!;
}
