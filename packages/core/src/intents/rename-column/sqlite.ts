import type { ColumnSchema, ConstraintSchema, IndexSchema, TableSchema, TriggerSchema } from '../../schema/snapshot.js';
import { releaseName, type SchemaChange } from '../../plan/types.js';
import { derivedName } from '../../engines/postgres/quote.js';
import { renameIdentifier } from '../../engines/sqlite/tokens.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { RenameColumnIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { quoteIdent, tableSql } from '../../engines/sqlite/quote.js';
import { mentionedColumns } from '../../engines/sqlite/create-statement.js';
import { rebuildStatements, rebuildStep, requireSmallEnough } from '../../engines/sqlite/rebuild.js';
import { backfillKey, backfillStep, columnExists, indexExists, readCheckStep, writeStep } from '../../engines/sqlite/steps.js';
import { dropColumnStatements } from '../drop-column/sqlite.js';
import { isConstant } from '../add-column/sqlite.js';
import { requireColumn, requireNoColumn, type RecipeContext } from '../context.js';

/**
 * Expand/contract rename on SQLite (recipes.md I-19 option C), not ALTER TABLE … RENAME COLUMN:
 * the in-place rename is instant (3.25+, and it rewrites the column's indexes, triggers and views),
 * but every application instance still using the old name fails from that moment, and a rolling
 * restart of several processes on one database file has such instances. So: add the new column,
 * the application writes both, batched backfill, parity check, the application moves to the new
 * name, and the old column is dropped (the point of no return). SQLite-specific: a NOT NULL column
 * without a default is made nullable (a rebuild) before the application stops writing it.
 */
export function renameColumnRecipe(ctx: RecipeContext, intent: RenameColumnIntent): RecipeResult {
  const old = requireColumn(ctx, intent.from);
  requireNoColumn(ctx, intent.to);
  if (intent.from === intent.to) throw new PlanningError('the new name equals the old one', ctx.statement);
  refuseDependents(ctx, old.name);
  // the contract step rewrites the table (DROP COLUMN or a rebuild) under the write lock: say so now, not after three deploys
  requireSmallEnough(ctx, `renaming ${old.name}: its last step drops the old column, which rewrites the table`);
  if (old.default !== null && !isConstant(old.default)) {
    throw new PlanningError(`column "${old.name}" has a non-constant default (${old.default}), which SQLite's ADD COLUMN cannot give the new column; rename it in the ORM mapping instead (Prisma @map, TypeORM @Column({ name }))`, ctx.statement);
  }
  const o = quoteIdent(old.name);
  const n = quoteIdent(intent.to);
  const withDefault = old.default !== null;
  // NOT NULL is possible at once only with a default (ADD COLUMN's rule); otherwise after the backfill
  const added: ColumnSchema = { name: intent.to, type: old.type, nullable: old.nullable || !withDefault, default: old.default };
  const steps: StepDraft[] = [];
  steps.push(
    writeStep(ctx, {
      title: `Add column ${intent.to} ${old.type}${added.nullable ? '' : ' NOT NULL'}${withDefault ? ` DEFAULT ${old.default}` : ''}`,
      release: 0,
      sql: [`ALTER TABLE ${tableSql(ctx.ref)} ADD COLUMN ${n} ${old.type}${added.nullable ? '' : ' NOT NULL'}${withDefault ? ` DEFAULT ${old.default}` : ''}`],
      rollback: (() => {
        const drop = dropColumnStatements(ctx, { ...ctx.table, columns: [...ctx.table.columns, added] }, intent.to);
        return { kind: 'sql' as const, sql: drop.sql, transactional: drop.transactional, note: `with ${drop.how}` };
      })(),
      changes: [{ op: 'add_column', table: ctx.ref, column: added }],
      checkpoint: columnExists(ctx.ref, intent.to, true),
      caveats: ['Catalog-only: existing rows are not touched.'],
    }),
  );
  const byTrigger = intent.sync === 'trigger';
  // with triggers keeping the columns equal there is no dual-write deploy: everything up to the switch is release A
  const syncRelease = byTrigger ? 0 : 1;
  const sync = syncTriggers(ctx, old.name, intent.to, old.default);
  if (byTrigger) {
    steps.push(
      writeStep(ctx, {
        title: `Triggers keep ${old.name} and ${intent.to} equal on every insert and update`,
        release: 0,
        sql: sync.map((tr) => tr.definition!),
        rollback: { kind: 'sql', sql: sync.map((tr) => `DROP TRIGGER IF EXISTS ${quoteIdent(tr.name)}`), transactional: true },
        changes: sync.map((trigger): SchemaChange => ({ op: 'add_trigger', table: ctx.ref, trigger })),
        checkpoint: { description: 'both sync triggers exist', sql: `SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN (${sync.map((tr) => `'${tr.name.replace(/'/g, "''")}'`).join(', ')})`, expected: sync.length },
        caveats: [
          `From now on a write to either column is copied to the other (${intent.to} wins when an update changes both), so no application deploy is needed to dual-write; an insert that sets only one of them fills the other.`,
          'Each insert and update of the table also runs one UPDATE of the same row until the triggers are dropped. They rely on SQLite\'s default recursive_triggers = OFF; with it on, their WHEN clause still ends the recursion after one round.',
        ],
      }),
    );
  } else {
  steps.push(
    appStep(1, `Application writes both ${old.name} and ${intent.to}`, `Deploy the application version that writes the same value to both ${old.name} and ${intent.to} on every INSERT and UPDATE of ${ctx.tableName}, and still reads ${old.name}.`, {
      kind: 'deploy',
      release: 'A',
      instruction: `deploy back the version that writes only ${old.name}`,
    }),
  );
  }
  steps.push(
    backfillStep(ctx, {
      title: `Backfill ${intent.to} from ${old.name}`,
      set: `${n} = ${o}`,
      predicate: `${n} IS NOT ${o}`,
      release: syncRelease,
      rollback: { kind: 'none', reason: `only fills ${intent.to}; rolling back the "add column" step removes it with its data` },
    }),
  );
  steps.push(
    readCheckStep(ctx, {
      release: syncRelease,
      title: `Validate parity: ${intent.to} equals ${old.name} on every row`,
      checkpoint: { description: 'both columns equal on every row', sql: `SELECT NOT EXISTS (SELECT 1 FROM ${tableSql(ctx.ref)} WHERE ${n} IS NOT ${o})`, expected: 1 },
      caveats: ['Fails if an instance still writes only the old column: confirm release A+1 everywhere, run the backfill again, then this check.'],
    }),
  );
  // the table as the later steps find it: the new column, and the sync triggers (a rebuild must recreate them)
  let table: TableSchema = { ...ctx.table, columns: [...ctx.table.columns, added], triggers: [...ctx.table.triggers, ...(byTrigger ? sync : [])] };
  if (!old.nullable && !withDefault) {
    const columns = table.columns.map((c) => (c.name === old.name ? { ...c, nullable: true } : c.name === intent.to ? { ...c, nullable: false } : c));
    steps.push(
      rebuildStep({ ...ctx, table }, {
        title: `Make ${intent.to} NOT NULL and ${old.name} nullable (table rebuild)`,
        release: syncRelease,
        target: { columns, constraints: ctx.table.constraints },
        changes: [
          { op: 'set_nullable', table: ctx.ref, column: old.name, nullable: true },
          { op: 'set_nullable', table: ctx.ref, column: intent.to, nullable: false },
        ],
        checkpoint: null,
        caveats: [`${old.name} is NOT NULL without a default: once the next release stops writing it, every INSERT would fail, so it becomes nullable now; ${intent.to} takes over the NOT NULL.`],
      }),
    );
    table = { ...table, columns };
  }
  const moving = movingDependents(ctx, old.name);
  if (moving.indexes.length || moving.constraints.length) {
    requireSmallEnough(ctx, `moving ${[...moving.indexes.map((ix) => `index ${ix.name}`), ...moving.constraints.map((k) => k.name)].join(', ')} to ${intent.to}`);
  }
  // the indexes, built on the new column before the application reads it; SQLite has no RENAME INDEX,
  // so they are copies under other names until the last step gives them the original names
  const copies = moving.indexes.map((ix) => {
    const name = derivedName([ix.name], 'next');
    const moved = movedIndex(ctx, ix, old.name, intent.to);
    return { original: ix, moved, copy: { ...moved, name, definition: renameIndexDefinition(moved.definition, ix.name, name) } };
  });
  for (const { original, copy } of copies) {
    steps.push(
      writeStep(ctx, {
        title: `Build index ${copy.name} on ${intent.to} (a copy of ${original.name}, before the application reads ${intent.to})`,
        release: syncRelease,
        sql: [copy.definition],
        duration: 'scan',
        rollback: { kind: 'sql', sql: [`DROP INDEX IF EXISTS ${quoteIdent(copy.name)}`], transactional: true },
        changes: [{ op: 'add_index', table: ctx.ref, index: copy }],
        checkpoint: indexExists(copy.name, true),
        caveats: ['SQLite builds an index in one write transaction: writers of the whole database wait for the build (planned only because the table is small).'],
      }),
    );
    table = { ...table, indexes: [...table.indexes, copy] };
  }
  steps.push(
    appStep(syncRelease + 1, `Application reads and writes only ${intent.to}`, `Deploy the application version that uses ${intent.to} everywhere and no longer reads or writes ${old.name} (remove it from the ORM model).`, {
      kind: 'deploy',
      release: byTrigger ? 'A' : 'A+1',
      instruction: byTrigger ? `deploy back the version that uses ${old.name} (the triggers keep it filled)` : `deploy back the version that writes both columns`,
    }),
  );
  const contractRelease = syncRelease + 2;
  if (byTrigger) {
    steps.push(
      writeStep(ctx, {
        title: `Drop the sync triggers`,
        release: contractRelease,
        sql: sync.map((tr) => `DROP TRIGGER IF EXISTS ${quoteIdent(tr.name)}`),
        rollback: { kind: 'sql', sql: sync.map((tr) => tr.definition!), transactional: true },
        changes: sync.map((tr): SchemaChange => ({ op: 'drop_trigger', table: ctx.ref, trigger: tr.name })),
        checkpoint: { description: 'the sync triggers are gone', sql: `SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name IN (${sync.map((tr) => `'${tr.name.replace(/'/g, "''")}'`).join(', ')})`, expected: 0 },
        caveats: [`Only once every instance runs release ${releaseName(syncRelease + 1)}: from here on ${old.name} is no longer kept up to date.`],
      }),
    );
    table = { ...table, triggers: table.triggers.filter((tr) => !sync.includes(tr)) };
  }
  const movedConstraints = moving.constraints.map((k) => movedConstraint(k, old.name, intent.to));
  const drop =
    copies.length || movedConstraints.length
      ? {
          sql: rebuildStatements(ctx, table, {
            columns: table.columns.filter((c) => c.name !== old.name),
            constraints: [...table.constraints.filter((k) => !moving.constraints.includes(k)), ...movedConstraints],
            indexes: [...table.indexes.filter((ix) => !moving.indexes.includes(ix) && !copies.some((c) => c.copy === ix)), ...copies.map((c) => c.moved)],
          }),
          transactional: false,
          how: `a table rebuild that also gives ${intent.to} the index(es) and constraint(s) of ${old.name}, under their names`,
        }
      : dropColumnStatements(ctx, table, old.name);
  const changes: SchemaChange[] = [
    ...moving.indexes.map((ix): SchemaChange => ({ op: 'drop_index', table: ctx.ref, index: ix.name })),
    ...copies.map(({ copy }): SchemaChange => ({ op: 'drop_index', table: ctx.ref, index: copy.name })),
    ...moving.constraints.map((k): SchemaChange => ({ op: 'drop_constraint', table: ctx.ref, constraint: k.name })),
    { op: 'drop_column', table: ctx.ref, column: old.name },
    ...copies.map(({ moved }): SchemaChange => ({ op: 'add_index', table: ctx.ref, index: moved })),
    ...movedConstraints.map((k): SchemaChange => ({ op: 'add_constraint', table: ctx.ref, constraint: k })),
  ];
  const last = writeStep(ctx, {
    title: `Drop the old column ${old.name}`,
    release: contractRelease,
    sql: drop.sql,
    duration: 'rewrite',
    rollback: { kind: 'irreversible', reason: `dropping ${old.name} removes it; the application already uses ${intent.to}, which holds the same values`, dataLost: `the ${old.name} column (its values live on in ${intent.to})` },
    changes,
    checkpoint: columnExists(ctx.ref, old.name, false),
    caveats: [
      `Done with ${drop.how}, which rewrites the table under the database write lock.`,
      `Only once every instance runs release ${releaseName(syncRelease + 1)}: an older one that still uses ${old.name} fails from here on.`,
      `Fails, changing nothing, if a view or another table's trigger still uses ${old.name}: change those to ${intent.to}, then run the step again.`,
      ...(movedConstraints.length
        ? [`Until this step ${movedConstraints.map((k) => k.name).join(', ')} hold${movedConstraints.length === 1 ? 's' : ''} on ${old.name} only; ${intent.to} equals it on every row (the parity check), and the rebuild puts ${movedConstraints.length === 1 ? 'it' : 'them'} on ${intent.to}.`]
        : []),
    ],
  });
  steps.push({ ...last, transactional: drop.transactional });
  return { steps, warnings: [] };
}

/**
 * Two AFTER triggers keeping the columns equal while both exist: an insert that sets one fills the
 * other (the one still at its default is the one not written), an update copies the column that
 * changed (the new one when both did). Their UPDATE of the same row does not fire them again
 * (recursive_triggers is off by default; with it on, the WHEN clause ends it after one round).
 */
function syncTriggers(ctx: RecipeContext, from: string, to: string, defaultExpr: string | null): TriggerSchema[] {
  const t = tableSql(ctx.ref);
  const f = quoteIdent(from);
  const n = quoteIdent(to);
  const d = defaultExpr ?? 'NULL';
  const row = backfillKey(ctx).map((k) => `${quoteIdent(k)} = NEW.${quoteIdent(k)}`).join(' AND ');
  const insertName = derivedName([ctx.ref.name, from, to], 'sync_insert');
  const updateName = derivedName([ctx.ref.name, from, to], 'sync_update');
  const insertValue = `CASE WHEN NEW.${n} IS ${d} THEN NEW.${f} ELSE NEW.${n} END`;
  const updateValue = `CASE WHEN NEW.${n} IS NOT OLD.${n} THEN NEW.${n} ELSE NEW.${f} END`;
  const trigger = (name: string, definition: string): TriggerSchema => ({ name, function: 'inline', enabled: true, definition });
  return [
    trigger(insertName, `CREATE TRIGGER ${quoteIdent(insertName)} AFTER INSERT ON ${t} WHEN NEW.${n} IS NOT NEW.${f} BEGIN UPDATE ${t} SET ${n} = ${insertValue}, ${f} = ${insertValue} WHERE ${row}; END`),
    trigger(updateName, `CREATE TRIGGER ${quoteIdent(updateName)} AFTER UPDATE OF ${f}, ${n} ON ${t} WHEN NEW.${n} IS NOT NEW.${f} BEGIN UPDATE ${t} SET ${n} = ${updateValue}, ${f} = ${updateValue} WHERE ${row}; END`),
  ];
}

/** The old column's indexes and constraints, which move to the new column. */
function movingDependents(ctx: RecipeContext, column: string): { indexes: IndexSchema[]; constraints: ConstraintSchema[] } {
  return {
    indexes: ctx.table.indexes.filter((ix) => mentionedColumns([...ix.columns, ix.predicate ?? ''].join(' '), [column]).length > 0),
    constraints: ctx.table.constraints.filter((k) => k.columns.includes(column)),
  };
}

/** The index as it must end up: the same name and shape, on the new column. */
function movedIndex(ctx: RecipeContext, ix: IndexSchema, from: string, to: string): IndexSchema {
  const plain = new Set(ctx.table.columns.map((c) => c.name));
  const keys = ix.columns.map((c) => (c === from ? to : plain.has(c) ? c : renameIdentifier(c, from, to)));
  const keySql = keys.map((k) => (k === to || plain.has(k) ? quoteIdent(k) : k)).join(', ');
  const predicate = ix.predicate === null ? null : renameIdentifier(ix.predicate, from, to);
  const definition = `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(ix.name)} ON ${tableSql(ctx.ref)} (${keySql})${predicate ? ` WHERE ${predicate}` : ''}`;
  return { ...ix, columns: keys, predicate, definition };
}

/** Only the index's own name, which comes before ON. */
function renameIndexDefinition(definition: string, from: string, to: string): string {
  const on = definition.indexOf(' ON ');
  return renameIdentifier(definition.slice(0, on), from, to) + definition.slice(on);
}

function movedConstraint(k: ConstraintSchema, from: string, to: string): ConstraintSchema {
  return { ...k, columns: k.columns.map((c) => (c === from ? to : c)), definition: renameIdentifier(k.definition, from, to) };
}

function refuseDependents(ctx: RecipeContext, column: string): void {
  const uses = [
    ...ctx.table.constraints.filter((k) => k.type === 'primary_key' && k.columns.includes(column)).map((k) => `the primary key ${k.name}`),
    ...ctx.table.triggers.filter((tr) => tr.definition && mentionedColumns(tr.definition, [column]).length).map((tr) => `trigger ${tr.name}`),
    ...ctx.snapshot.tables.flatMap((t) => t.constraints.filter((k) => k.references?.table === ctx.tableName && k.references.columns.includes(column)).map((k) => `foreign key ${k.name} on ${t.name}`)),
  ];
  if (uses.length) {
    throw new PlanningError(
      `column "${column}" of ${ctx.tableName} is used by ${uses.join(', ')}; the SQLite expand/contract rename does not move those to the new column. Rename it in the ORM mapping instead (Prisma @map, TypeORM @Column({ name })), or change them first`,
      ctx.statement,
    );
  }
}
