import type { ConstraintSchema, IndexSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { SchemaChange } from '../../plan/types.js';
import type { AddUniqueConstraintIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { formatBytes } from '../../engines/postgres/size.js';
import { constraintState } from '../../engines/postgres/catalog-checks.js';
import { concurrentIndexSteps } from '../create-index/postgres.js';
import { requireColumn, requireFreeConstraintName, requireFreeRelationName, type RecipeContext } from '../context.js';

/**
 * recipes.md I-11: ADD CONSTRAINT … UNIQUE (cols) builds its index under ACCESS EXCLUSIVE, blocking
 * reads and writes for the whole build. Instead: check for duplicates (rows with a NULL key never
 * clash), build the unique index CONCURRENTLY on its own, then attach it with
 * ADD CONSTRAINT … UNIQUE USING INDEX, a catalog change under a brief ACCESS EXCLUSIVE.
 */
export function addUniqueConstraintRecipe(ctx: RecipeContext, intent: AddUniqueConstraintIntent): RecipeResult {
  const columns = keyColumnsOf(ctx, intent.columns, 'unique constraint');
  const existing = ctx.table.constraints.find((k) => (k.type === 'unique' || k.type === 'primary_key') && sameList(k.columns, columns));
  if (existing) {
    throw new PlanningError(`${ctx.tableName} already has ${existing.type === 'unique' ? 'unique constraint' : 'primary key'} ${existing.name} on (${columns.join(', ')}); nothing to add`, ctx.statement);
  }
  const name = intent.name ?? generatedKeyName(ctx, columns);
  requireFreeRelationName(ctx, name);
  requireFreeConstraintName(ctx, name);
  const result = uniqueKeySteps(ctx, { name, columns, primary: false, release: 0 });
  return { ...result, warnings: [...result.warnings, ...equivalentIndexWarning(ctx, columns)] };
}

/** An existing unique index on the same columns could back the constraint; building a second one doubles write cost. */
export function equivalentIndexWarning(ctx: RecipeContext, columns: string[]): string[] {
  const same = ctx.table.indexes.find((ix) => ix.unique && ix.valid && ix.predicate === null && ix.method === 'btree' && sameList(ix.columns, columns));
  if (!same) return [];
  return [
    `${ctx.tableName} already has the unique index ${same.name} on (${columns.join(', ')}); this plan builds a second one. ` +
      `To reuse it instead, run ALTER TABLE ${qualify(ctx.ref)} ADD CONSTRAINT … USING INDEX ${quoteIdent(same.name)} yourself (a brief ACCESS EXCLUSIVE; the index is renamed to the constraint's name).`,
  ];
}

/** The key's columns: each must exist and appear once. */
export function keyColumnsOf(ctx: RecipeContext, names: string[], what: string): string[] {
  const columns = names.map((c) => requireColumn(ctx, c).name);
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice !== undefined) throw new PlanningError(`column "${twice}" appears twice in the ${what}`, ctx.statement);
  return columns;
}

/** PostgreSQL's own choice for an unnamed UNIQUE (cols): <table>_<col>_<col>_key, numbered when taken. */
function generatedKeyName(ctx: RecipeContext, columns: string[]): string {
  const used = new Set(
    ctx.snapshot.tables.filter((t) => t.schema === ctx.ref.schema).flatMap((t) => [t.name, ...t.indexes.map((i) => i.name), ...t.constraints.map((k) => k.name)]),
  );
  for (let n = 0; ; n++) {
    const name = derivedName([ctx.ref.name, ...columns], n === 0 ? 'key' : `key${n}`);
    if (!used.has(name)) return name;
  }
}

/**
 * A unique constraint or primary key on plain columns. Small table: the one ADD CONSTRAINT statement
 * (its index build under ACCESS EXCLUSIVE lasts milliseconds). Otherwise the concurrent build
 * (duplicate check, CREATE UNIQUE INDEX CONCURRENTLY) and the attach. A primary key's columns must
 * already be NOT NULL here, or the attach would scan the table under ACCESS EXCLUSIVE to set it.
 */
export function uniqueKeySteps(ctx: RecipeContext, spec: { name: string; columns: string[]; primary: boolean; release: number }): RecipeResult {
  const t = qualify(ctx.ref);
  const qn = quoteIdent(spec.name);
  const cols = spec.columns.map(quoteIdent).join(', ');
  const kind = spec.primary ? 'PRIMARY KEY' : 'UNIQUE';
  const what = spec.primary ? 'primary key' : 'unique constraint';
  const timeouts = ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries);
  const index: IndexSchema = {
    name: spec.name,
    columns: spec.columns,
    unique: true,
    primary: spec.primary,
    valid: true,
    predicate: null,
    method: 'btree',
    definition: `CREATE UNIQUE INDEX ${qn} ON ${t} USING btree (${cols})`,
  };
  const constraint: ConstraintSchema = {
    name: spec.name,
    type: spec.primary ? 'primary_key' : 'unique',
    columns: spec.columns,
    definition: `${kind} (${cols})`,
    validated: true,
    references: null,
  };
  const drop = `ALTER TABLE ${t} DROP CONSTRAINT ${qn}`;

  if (ctx.small) {
    const madeNotNull = spec.primary ? spec.columns.filter((c) => ctx.table.columns.find((x) => x.name === c)!.nullable) : [];
    const changes: SchemaChange[] = [
      ...madeNotNull.map((column): SchemaChange => ({ op: 'set_nullable', table: ctx.ref, column, nullable: false })),
      { op: 'add_index', table: ctx.ref, index },
      { op: 'add_constraint', table: ctx.ref, constraint },
    ];
    return {
      warnings: [],
      steps: [
        {
          release: spec.release,
          title: `Add ${what} ${spec.name} (${spec.columns.join(', ')}) (small table: one statement)`,
          kind: 'ddl',
          instruction: '',
          sql: [`ALTER TABLE ${t} ADD CONSTRAINT ${qn} ${kind} (${cols})`],
          transactional: true,
          lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'scan'),
          timeouts,
          checkpoint: constraintState(ctx.ref, spec.name, 'validated'),
          rollback: {
            kind: 'sql',
            // ALTER TABLE … DROP CONSTRAINT leaves the NOT NULL the primary key set
            sql: [madeNotNull.length ? `${drop}, ${madeNotNull.map((c) => `ALTER COLUMN ${quoteIdent(c)} DROP NOT NULL`).join(', ')}` : drop],
            transactional: true,
          },
          caveats: [
            `${ctx.tableName} is ${formatBytes(ctx.table.sizeBytes)}, under the small-table threshold (${formatBytes(ctx.options.smallTableBytes)}): building the index under ACCESS EXCLUSIVE, which blocks reads and writes, lasts milliseconds, so the concurrent build is not needed.`,
            `Fails (and changes nothing) if two rows share a key${spec.primary ? ' or a key column is NULL' : ' (rows with a NULL in a key column never clash)'}.`,
            ...(madeNotNull.length ? [`Also sets NOT NULL on ${madeNotNull.join(', ')} (a primary key implies it); rolling back drops it again.`] : []),
          ],
          changes,
        },
      ],
    };
  }

  if (spec.primary) {
    const nullable = spec.columns.filter((c) => ctx.table.columns.find((x) => x.name === c)!.nullable);
    if (nullable.length) throw new Error(`internal error: primary key columns ${nullable.join(', ')} must be NOT NULL before the attach`);
  }
  const build = concurrentIndexSteps(ctx, {
    name: spec.name,
    keys: spec.columns.map((c) => ({ sql: quoteIdent(c), label: c })),
    unique: true,
    where: undefined,
    method: 'btree',
    release: spec.release,
    title: `Build the unique index ${spec.name} on ${ctx.tableName} (${spec.columns.join(', ')}) for the ${what}`,
  });
  const rebuild = `CREATE UNIQUE INDEX CONCURRENTLY ${qn} ON ${t} (${cols})`;
  const attach: StepDraft = {
    release: spec.release,
    title: `Attach index ${spec.name} as ${what} ${spec.name}`,
    kind: 'ddl',
    instruction: '',
    sql: [`ALTER TABLE ${t} ADD CONSTRAINT ${qn} ${kind} USING INDEX ${qn}`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
    timeouts,
    checkpoint: constraintState(ctx.ref, spec.name, 'validated'),
    rollback: {
      kind: 'sql',
      sql: [drop, rebuild],
      transactional: false,
      note: `dropping the constraint drops its index too, so the index is rebuilt CONCURRENTLY (two scans, reads and writes continue) to return to the state before this step; if you are rolling back further, skip the rebuild and the previous step's rollback`,
    },
    caveats: [
      `A catalog change: the index is already built and unique${spec.primary ? ' and the columns are NOT NULL' : ''}, so nothing is scanned. ACCESS EXCLUSIVE on ${ctx.tableName} blocks reads and writes for milliseconds once granted; the wait for it is bounded by lock_timeout and retried.`,
      ...(spec.primary
        ? [`Other tables' foreign keys can now reference ${ctx.tableName} (${spec.columns.join(', ')}), and ORMs that need a primary key (for updates by key) see one.`]
        : [`From now on the key is enforced as a constraint, and foreign keys can reference ${ctx.tableName} (${spec.columns.join(', ')}).`]),
    ],
    changes: [
      ...(spec.primary ? [{ op: 'set_index_primary' as const, table: ctx.ref, index: spec.name, primary: true }] : []),
      { op: 'add_constraint', table: ctx.ref, constraint },
    ],
  };
  return { steps: [...build.steps, attach], warnings: build.warnings };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => b[i] === x);
}
