import type { ConstraintSchema } from '../../schema/snapshot.js';
import type { SchemaChange } from '../../plan/types.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { AddPrimaryKeyIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { derivedConstraintName } from '../../engines/sqlite/constraint-names.js';
import { rebuildStep } from '../../engines/sqlite/rebuild.js';
import { constraintExists, readCheckStep } from '../../engines/sqlite/steps.js';
import { requireColumn, requireFreeConstraintName, type RecipeContext } from '../context.js';

/**
 * recipes.md I-11/I-05 on SQLite: ALTER TABLE cannot add a PRIMARY KEY, so it is a table rebuild
 * (the shared 12-step builder) after a read-only check that the key columns hold no NULL and no two
 * rows share a key — so the copy cannot fail half-way under the write lock. The key columns are
 * written NOT NULL: SQLite lets a PRIMARY KEY column of a rowid table hold NULLs (a legacy quirk)
 * unless it says NOT NULL.
 *
 * A single column declared exactly INTEGER becomes the rowid alias (lang_createtable.html
 * "ROWID and the INTEGER PRIMARY KEY"): the table's implicit rowids are not kept, each row's rowid
 * becomes its key value, so the check also requires every key value to be an integer. Any other key
 * leaves the table's own rowids as they are (the rebuild copies them) and builds a separate unique
 * index behind the key.
 */
export function addPrimaryKeyRecipeSqlite(ctx: RecipeContext, intent: AddPrimaryKeyIntent): RecipeResult {
  const pk = ctx.table.constraints.find((k) => k.type === 'primary_key');
  if (pk) {
    throw new PlanningError(
      `${ctx.tableName} already has primary key ${pk.name} (${pk.columns.join(', ')}); a table has one. Replacing a primary key is not supported: add a unique constraint on the new columns instead`,
      ctx.statement,
    );
  }
  const columns = intent.columns.map((c) => requireColumn(ctx, c));
  const twice = columns.find((c, i) => columns.findIndex((d) => d.name === c.name) !== i);
  if (twice) throw new PlanningError(`column "${twice.name}" is named twice in the primary key`, ctx.statement);
  const name = intent.name ?? derivedConstraintName(ctx.ref.name, 'primary_key', intent.columns);
  requireFreeConstraintName(ctx, name);
  const withoutRowid = /\bWITHOUT\s+ROWID\b/i.test(ctx.table.definition ?? '');
  const rowidAlias = !withoutRowid && columns.length === 1 && columns[0]!.type.trim().toUpperCase() === 'INTEGER';
  const names = columns.map((c) => c.name);
  const cols = names.map(quoteIdent).join(', ');
  const t = tableSql(ctx.ref);
  const constraint: ConstraintSchema = { name, type: 'primary_key', columns: names, definition: `PRIMARY KEY (${cols})`, validated: true, references: null };
  const nullable = columns.filter((c) => c.nullable);
  const changes: SchemaChange[] = [
    ...nullable.map((c) => ({ op: 'set_nullable' as const, table: ctx.ref, column: c.name, nullable: false })),
    { op: 'add_constraint', table: ctx.ref, constraint },
  ];
  const rowidCaveat = rowidAlias
    ? `${names[0]} is declared INTEGER, so as the primary key it becomes the rowid alias: the table's implicit rowids are not kept — after the rebuild each row's rowid is its ${names[0]} value (anything that stored rowids must use ${names[0]}), and a NULL inserted into ${names[0]} is given the next rowid instead of failing. The rebuild back (the rollback) keeps those rowids: the original implicit rowids are not restored.`
    : `${withoutRowid ? 'The table is WITHOUT ROWID: the rebuild keeps that.' : `The implicit rowids are kept (the rebuild copies them): ${columns.length === 1 ? `${names[0]} is declared ${columns[0]!.type || 'without a type'}, not exactly INTEGER, so it does not become the rowid alias` : 'a key of several columns never becomes the rowid alias'}; SQLite builds a unique index behind the key.`}`;
  return {
    warnings: [],
    steps: [
      readCheckStep(ctx, {
        release: 0,
        title: `Check that (${names.join(', ')}) holds no NULL and no duplicate${rowidAlias ? ', and only integers' : ''}`,
        checkpoint: {
          description: `every row has a distinct, non-NULL key${rowidAlias ? ' of type integer' : ''}`,
          sql:
            `SELECT NOT EXISTS (SELECT 1 FROM ${t} WHERE ${names.map((c) => `${quoteIdent(c)} IS NULL`).join(' OR ')}${rowidAlias ? ` OR typeof(${quoteIdent(names[0]!)}) <> 'integer'` : ''})` +
            ` AND NOT EXISTS (SELECT 1 FROM ${t} GROUP BY ${cols} HAVING count(*) > 1)`,
          expected: 1,
        },
        caveats: ['The application must already write a distinct, non-NULL key on every insert: a row written after this check that breaks it makes the rebuild fail (and roll back, nothing changed).'],
      }),
      rebuildStep(ctx, {
        title: `Add primary key ${name} (${names.join(', ')}) (table rebuild)`,
        release: 0,
        target: {
          columns: ctx.table.columns.map((c) => (names.includes(c.name) ? { ...c, nullable: false } : c)),
          constraints: [constraint, ...ctx.table.constraints],
        },
        changes,
        checkpoint: constraintExists(ctx.ref, name, true),
        caveats: [`SQLite cannot add a PRIMARY KEY with ALTER TABLE; the table is rebuilt with it${nullable.length ? `, and ${nullable.map((c) => c.name).join(', ')} made NOT NULL (a PRIMARY KEY column of a rowid table otherwise accepts NULL in SQLite)` : ''}.`, rowidCaveat],
      }),
    ],
  };
}
