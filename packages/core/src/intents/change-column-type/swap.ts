import type { ColumnSchema } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { Rollback, SchemaChange } from '../../plan/types.js';
import type { ChangeColumnTypeIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { appStep } from '../app-step/postgres.js';
import { derivedName, displayName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { hasCapability } from '../../engines/postgres/capabilities.js';
import { formatBytes, scanSeconds } from '../../engines/postgres/size.js';
import { columnExists, columnType, constraintState, triggerExists } from '../../engines/postgres/catalog-checks.js';
import { collectNodes, parseExpression, type Node } from '../../input/pg-parser.js';
import { addColumnStep } from '../add-column/postgres.js';
import { backfillStep } from '../backfill/postgres.js';
import { readOnlyCheckStep } from '../read-only-check/postgres.js';
import { notNullSteps } from '../set-not-null/postgres.js';
import { rowTrigger, type RowTrigger } from '../sync-trigger/postgres.js';
import { requireNoColumn, type RecipeContext } from '../context.js';
import { rowExpression, readsColumn } from './column-expression.js';
import { foreignKeyNeighbours, lockOrder, MULTI_TABLE_CAVEAT, multiTableTimeouts, uniqueRefs, type ForeignKeyNeighbour } from './related-tables.js';
import { constraintCopy, constraintCopySteps, indexCopy, indexCopySteps, integerWidening, type ConstraintCopy, type IndexCopy } from './copies.js';
import { typeShape } from './binary-coercible.js';

/**
 * The column swap for a type change PostgreSQL would make by rewriting the table (recipes.md I-17,
 * I-18; GitLab's change_column_type_concurrently and its int → bigint conversion):
 *
 * 1. add `c__new` with the new type (NOT NULL with a placeholder default when `c` is NOT NULL:
 *    catalog-only since 11, so NOT NULL needs no scan on any version);
 * 2. a trigger computes `c__new` from the row on every insert and update;
 * 3. keyset-batched backfill with the USING expression, 4. parity check;
 * 5. indexes on `c` copied onto `c__new` CONCURRENTLY (a unique one after a duplicate check);
 * 6. the swap, one short transaction that takes ACCESS EXCLUSIVE up front and then only changes the
 *    catalog: renames `c` → `c__old` and `c__new` → `c`, moves the index names, the primary key or
 *    unique constraints (USING INDEX, on the prebuilt index), the default and the sequence, re-points
 *    foreign keys that reference the column (NOT VALID), and turns the trigger around so `c__old`
 *    keeps the old-type value and the swap stays reversible;
 * 7. VALIDATE of each re-pointed foreign key; 8. the application confirms the new type;
 * 9. the old column is dropped — the point of no return.
 * Every scan happens under a lock that lets reads and writes through.
 */
export function columnSwapRecipe(ctx: RecipeContext, col: ColumnSchema, newType: string, intent: ChangeColumnTypeIntent, warnings: string[]): RecipeResult {
  const c = col.name;
  const tmp = derivedName([c], '_new');
  const old = derivedName([c], '_old');
  requireNoColumn(ctx, tmp);
  requireNoColumn(ctx, old);
  const neighbours = foreignKeyNeighbours(ctx, c);
  refuseWhatTheSwapCannotCarry(ctx, col, newType, neighbours);

  const t = qualify(ctx.ref);
  const q = quoteIdent;
  const using = rowExpression(ctx.table, intent.using, c, newType, 'the USING expression', ctx.statement);
  const down = rowExpression(ctx.table, intent.down, c, col.type, 'the down expression', ctx.statement);
  // a constant default on ADD COLUMN is catalog-only from 11 (all supported versions): NOT NULL without a scan
  const placeholder = col.nullable || !hasCapability(ctx.engine, 'fastConstantDefault') ? undefined : placeholderFor(newType);
  const converted = `CAST(${using.sql} AS ${newType})`;
  const differs = distinct(q(tmp), converted, newType);

  const forward = rowTrigger(ctx.ref, derivedName(['liveshift', ctx.ref.name, c], 'to_new'), [`new.${q(tmp)} := ${using.overNew};`]);
  const backward = rowTrigger(ctx.ref, derivedName(['liveshift', ctx.ref.name, c], 'to_old'), [`new.${q(old)} := ${down.overNew};`]);
  const indexes = ctx.table.indexes.filter((ix) => ix.columns.includes(c)).map((ix) => indexCopy(ctx, ix, c, tmp, old));
  const referencing = neighbours.filter((n) => !n.referencing);
  const constraints = ctx.table.constraints.filter((k) => (k.type === 'check' || k.type === 'foreign_key') && k.columns.includes(c)).map((k) => constraintCopy(ctx, k, c, tmp));
  // tables whose foreign key from this column goes when the old column is dropped (DROP COLUMN takes ACCESS EXCLUSIVE on them)
  const parents = uniqueRefs(neighbours.filter((n) => n.referencing).map((n) => n.ref)).filter((r) => displayName(r) !== ctx.tableName);
  const steps: StepDraft[] = [];
  const release = 0;

  // 1. the new column
  const newColumn: ColumnSchema = { name: tmp, type: newType, nullable: placeholder === undefined, default: placeholder ?? null };
  steps.push(
    addColumnStep(ctx, newColumn, `${q(tmp)} ${newType}${placeholder !== undefined ? ` NOT NULL DEFAULT ${placeholder}` : ''}`, {
      title: `Add column ${tmp} ${newType}${placeholder !== undefined ? ` NOT NULL DEFAULT ${placeholder} (placeholder)` : ' (nullable)'}`,
      caveats: placeholder !== undefined
        ? [
            `${c} is NOT NULL, so ${tmp} is added NOT NULL with the constant default ${placeholder}: catalog-only from PostgreSQL 11 (no rewrite, no scan), so NOT NULL needs no CHECK detour. The placeholder is never read: the trigger and the backfill overwrite it, and the parity check proves it.`,
          ]
        : [],
    }),
  );

  // 2. the trigger that computes the new column on every write
  steps.push(triggerStep(ctx, forward, {
    title: `Trigger computes ${tmp} from ${c} on every insert and update`,
    caveats: [
      `From now on every insert and update sets ${tmp} = ${using.sql} (as ALTER … TYPE would convert it), so no application deploy is needed.`,
      'A write whose value cannot be converted now fails, as the type change itself would have failed; the backfill finds such rows among the existing ones.',
      'Adds the cost of a row trigger to every insert and update until the last step.',
    ],
  }));

  // 3–4. backfill and parity
  steps.push(
    backfillStep(ctx, {
      title: `Backfill ${tmp} from ${c}`,
      set: `${q(tmp)} = ${using.sql}`,
      predicate: differs,
      release,
      rollback: { kind: 'none', reason: `only fills ${tmp}; rolling back the "add column" step removes it with its data` },
      caveats: [`A value that cannot be converted to ${newType} stops the backfill with the server's error: fix the row (or the USING expression) and run the step again.`],
    }),
  );
  steps.push(
    readOnlyCheckStep(ctx, {
      release,
      title: `Validate parity: ${tmp} equals ${c} converted, on every row`,
      checkpoint: { description: `no row where ${tmp} differs from ${c} converted to ${newType}`, sql: `SELECT count(*) FROM ${t} WHERE ${differs}`, expected: 0 },
      caveats: [`A non-zero count means something wrote ${c} without the trigger (e.g. with session_replication_role = replica): run the backfill again, then this check.`],
    }),
  );

  // NOT NULL for a type without a placeholder: the CHECK detour
  if (!col.nullable && placeholder === undefined) {
    const nn = notNullSteps(ctx, tmp, release);
    steps.push(...nn.steps);
    warnings.push(...nn.warnings);
  }

  // 5. indexes onto the new column
  // a unique copy can only meet duplicates when the conversion can map two old values to one
  const injective = using.plainColumn && integerWidening(col.type, newType);
  for (const ix of indexes) steps.push(...indexCopySteps(ctx, ix, !injective));

  // 5b. CHECK constraints and foreign keys of the column, onto the new column (NOT VALID, then VALIDATE)
  for (const k of constraints) steps.push(...constraintCopySteps(ctx, k));

  // 6. the swap
  const swap = swapStatements(ctx, { col, newType, constraints, tmp, old, placeholder, forward, backward, indexes, referencing });
  const lockedRefs = uniqueRefs([ctx.ref, ...referencing.map((n) => n.ref)]);
  steps.push({
    release,
    title: `Swap: ${c} becomes the ${newType} column, the old one is kept as ${old}`,
    kind: 'ddl',
    instruction: '',
    sql: swap.forward,
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', lockedRefs.map(displayName), 'brief'),
    timeouts: multiTableTimeouts(ctx, lockedRefs.length),
    checkpoint: columnType(ctx.ref, c, newType),
    rollback: swap.rollback,
    caveats: [
      `One transaction: LOCK TABLE takes ACCESS EXCLUSIVE on ${lockedRefs.map(displayName).join(' and ')} first (bounded by lock_timeout and retried), then only catalog changes follow — renames, ${indexes.some((i) => i.constraint) ? 'the constraint moved onto its prebuilt index, ' : ''}the default${swap.sequence ? ' and sequence' : ''}, the trigger's direction${referencing.length ? ', the foreign keys re-added NOT VALID' : ''}: nothing is scanned or rewritten, so reads and writes wait milliseconds.`,
      `The application keeps using the name ${c}; from now on it reads and writes ${newType} values. SELECT * returns ${c} as the last column (it is physically new): code that reads columns by position must not rely on the order. A statement prepared on the server before the swap (named prepared statements, a driver's statement cache) that returns ${c} fails with "cached plan must not change result type" until it is prepared again: check that your driver re-prepares on that error, or reconnect the pool after this step.`,
      `Until the last step drops ${old}, a trigger writes every new ${c} back into ${old} as ${col.type}${intent.down !== undefined ? ` (${down.sql})` : ''}, so this swap can be undone: a value ${col.type} cannot hold then fails its write — as it did before the change. Run the last step soon when values approach the old type's limit.`,
      `Views, rules and generated columns that use ${c} keep using the old column, now ${old} (PostgreSQL tracks them by column number): recreate them on ${c} before the last step, which fails while they depend on ${old}.`,
      ...(lockedRefs.length > 1 ? [MULTI_TABLE_CAVEAT] : []),
      ...(swap.sequence ? [`The sequence ${swap.sequence} is now owned by the new ${c}${swap.widenedSequence ? ' and counts as bigint' : ''}; rolling back leaves it ${swap.widenedSequence ? 'bigint (harmless for an integer column until it overflows, as before)' : 'as it is'}.`] : []),
    ],
    changes: swap.changes,
  });

  // 7. the re-pointed foreign keys
  for (const n of referencing) steps.push(validateForeignKeyStep(ctx, n));

  // 8. the application confirms, 9. the point of no return
  steps.push(
    appStep(
      release + 1,
      `Application works with ${c} as ${newType}`,
      `Nothing to deploy: the column keeps its name. Check that the application reads and writes ${ctx.tableName}.${c} as ${newType} — including the type its driver or ORM maps it to (node-postgres, for one, returns bigint and numeric as strings) — then confirm this release. The next step drops ${old}; until then the swap can be rolled back.`,
      { kind: 'deploy', release: 'A', instruction: `nothing to deploy back; to return to ${col.type}, roll back the swap step` },
      ['This is the last moment to go back to the old type without a restore.'],
    ),
  );
  steps.push({
    release: release + 1,
    title: `Drop the old column ${old} and the sync triggers`,
    kind: 'ddl',
    instruction: '',
    sql: [`LOCK TABLE ${[ctx.ref, ...parents].map(qualify).join(', ')} IN ACCESS EXCLUSIVE MODE`, backward.dropTrigger, backward.dropFunction, forward.dropFunction, `ALTER TABLE ${t} DROP COLUMN ${q(old)}`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [ctx.tableName, ...parents.map(displayName)], 'brief'),
    timeouts: multiTableTimeouts(ctx, 1 + parents.length),
    checkpoint: columnExists(ctx.ref, old, false),
    rollback: {
      kind: 'irreversible',
      reason: `DROP COLUMN removes ${old}${indexes.some((i) => !i.constraint) ? ' and its indexes' : ''}; only a restore from backup brings the ${col.type} column back`,
      dataLost: `the ${col.type} copy ${old} (its values are ${c} converted back, so nothing is lost unless something wrote ${old} directly)`,
    },
    caveats: [
      'Catalog-only (the space is reclaimed by later rewrites or VACUUM FULL); the trigger goes in the same brief transaction, so no write finds it half-removed.',
      `Fails if a view, rule or generated column still uses ${old}: move it to ${c} first.`,
      ...(parents.length ? [`The old foreign key${constraints.filter((k) => k.original.type === 'foreign_key').length > 1 ? 's go' : ' goes'} with ${old}, which takes ACCESS EXCLUSIVE on ${parents.map(displayName).join(', ')} too for the moment (locked up front, ${ctx.tableName} first).`, MULTI_TABLE_CAVEAT] : []),
    ],
    changes: [
      { op: 'drop_trigger', table: ctx.ref, trigger: backward.trigger.name },
      { op: 'drop_column', table: ctx.ref, column: old },
    ],
  });

  return { steps, warnings, alsoLocked: uniqueRefs([...lockedRefs, ...parents]).filter((r) => displayName(r) !== ctx.tableName) };
}

/** What the swap does not move yet, refused with the way to do it by hand. */
function refuseWhatTheSwapCannotCarry(ctx: RecipeContext, col: ColumnSchema, newType: string, neighbours: ForeignKeyNeighbour[]): void {
  const c = col.name;
  const t = qualify(ctx.ref);
  if (ctx.table.partitioning) {
    throw new PlanningError(
      `${ctx.tableName} is partitioned, and this change would rewrite its partitions (or rebuild each partition's index on ${c}: measured on 11, 12, 18, partitions do not keep them the way a plain table does) under ACCESS EXCLUSIVE. ` +
        `The column swap needs CREATE INDEX CONCURRENTLY on the partitioned table, which PostgreSQL does not take (through 18), and a partition cannot change a column type on its own. ` +
        `For an in-place change, drop the indexes on ${c} first (DROP INDEX on the partitioned table) and create them again after; otherwise use a maintenance window, or a new partitioned table filled in the background`,
      ctx.statement,
    );
  }
  if (col.identity) {
    const seq = quoteIdent(`${ctx.ref.name}_${c}_seq`);
    throw new PlanningError(
      `${c} is an identity column (GENERATED ${col.identity.toUpperCase()} AS IDENTITY); its sequence belongs to the column and cannot move to another one. ` +
        `Turn it into a sequence default first, in one short transaction: CREATE SEQUENCE ${seq}; SELECT setval('${seq.replace(/'/g, "''")}', (SELECT max(${quoteIdent(c)}) FROM ${t})); ` +
        `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(c)} DROP IDENTITY, ALTER COLUMN ${quoteIdent(c)} SET DEFAULT nextval('${seq.replace(/'/g, "''")}'); ALTER SEQUENCE ${seq} OWNED BY ${t}.${quoteIdent(c)}; then plan this change again`,
      ctx.statement,
    );
  }
  for (const ix of ctx.table.indexes) {
    const inExpression = ix.columns.some((k) => !ctx.table.columns.some((x) => x.name === k) && readsColumn(k, c));
    if (inExpression || readsColumn(ix.predicate, c)) {
      throw new PlanningError(
        `index ${ix.name} uses ${c} in an expression or predicate; the column swap copies only indexes on the column itself. Drop it (DROP INDEX CONCURRENTLY ${quoteIdent(ctx.ref.schema)}.${quoteIdent(ix.name)}), plan this change, then create it again (liveshift builds it CONCURRENTLY)`,
        ctx.statement,
      );
    }
  }
  for (const k of ctx.table.constraints.filter((x) => (x.type === 'primary_key' || x.type === 'unique') && x.columns.includes(c))) {
    if (/\bDEFERRABLE\b/i.test(k.definition) && !/\bNOT DEFERRABLE\b/i.test(k.definition)) {
      throw new PlanningError(`${k.type === 'primary_key' ? 'primary key' : 'unique constraint'} ${k.name} is DEFERRABLE, and USING INDEX cannot recreate it as it is; the column swap does not support it`, ctx.statement);
    }
    if (k.type === 'primary_key' && col.nullable === false && placeholderFor(newType) === undefined && !hasCapability(ctx.engine, 'setNotNullUsesCheck')) {
      throw new PlanningError(
        `on PostgreSQL ${ctx.engine.version} the new ${newType} column cannot be made NOT NULL without a scan under ACCESS EXCLUSIVE (no placeholder value is known for ${newType}, and SET NOT NULL uses a validated CHECK only from 12), and ADD PRIMARY KEY USING INDEX would do that scan inside the swap. Upgrade to 12+ or change the type in a maintenance window`,
        ctx.statement,
      );
    }
  }
  const selfReferencing = neighbours.some((n) => !n.referencing && displayName(n.ref) === ctx.tableName);
  if (selfReferencing) throw new PlanningError(`${ctx.tableName} references its own ${c} through a foreign key; the column swap does not re-point self-references yet`, ctx.statement);
}

/**
 * A constant of the new type for the NOT NULL placeholder: stored in the catalog by ADD COLUMN on
 * 11+ (no rewrite, no scan) and overwritten by the trigger and the backfill before anything reads it.
 * Types not listed fall back to the CHECK detour.
 */
export function placeholderFor(type: string): string | undefined {
  const s = typeShape(type);
  if (s.array) return `'{}'`;
  // each printed back by the server exactly as written (measured on 11 and 18), so the plan's schema matches the catalog's
  const byBase: Record<string, string> = {
    int2: '0', int4: '0', int8: '0', numeric: '0', float4: '0', float8: '0', money: '0',
    text: `''`, varchar: `''`, bpchar: `''`, citext: `''`, bytea: `'\\x'`,
    bool: 'false', uuid: `'00000000-0000-0000-0000-000000000000'`,
    date: `'-infinity'`, timestamp: `'-infinity'`, timestamptz: `'-infinity'`, time: `'00:00:00'`, timetz: `'00:00:00+00'`, interval: `'00:00:00'`,
    json: `'null'`, jsonb: `'null'`, inet: `'0.0.0.0'`, cidr: `'0.0.0.0/32'`, macaddr: `'00:00:00:00:00:00'`, varbit: `''`,
  };
  return byBase[s.base];
}

/** Types without an equality operator are compared by their text form. */
function distinct(a: string, b: string, type: string): string {
  const noEquality = ['json', 'xml', 'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle'];
  const base = typeShape(type).base;
  return noEquality.includes(base) ? `(${a})::text IS DISTINCT FROM (${b})::text` : `${a} IS DISTINCT FROM ${b}`;
}

function triggerStep(ctx: RecipeContext, trigger: RowTrigger, spec: { title: string; caveats: string[] }): StepDraft {
  return {
    release: 0,
    title: spec.title,
    kind: 'ddl',
    instruction: '',
    sql: trigger.create,
    transactional: true,
    lock: lockClaim('SHARE ROW EXCLUSIVE', [ctx.tableName], 'brief'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: triggerExists(ctx.ref, trigger.trigger.name, true),
    rollback: { kind: 'sql', sql: trigger.drop, transactional: true },
    caveats: spec.caveats,
    changes: [{ op: 'add_trigger', table: ctx.ref, trigger: trigger.trigger }],
  };
}

interface SwapParts {
  col: ColumnSchema;
  newType: string;
  constraints: ConstraintCopy[];
  tmp: string;
  old: string;
  placeholder: string | undefined;
  forward: RowTrigger;
  backward: RowTrigger;
  indexes: IndexCopy[];
  referencing: ForeignKeyNeighbour[];
}

function swapStatements(ctx: RecipeContext, p: SwapParts): { forward: string[]; rollback: Rollback; changes: SchemaChange[]; sequence: string | undefined; widenedSequence: boolean } {
  const t = qualify(ctx.ref);
  const q = quoteIdent;
  const c = p.col.name;
  const idx = (name: string) => `${q(ctx.ref.schema)}.${q(name)}`;
  const lock = `LOCK TABLE ${lockOrder(ctx, p.referencing).map(qualify).join(', ')} IN ACCESS EXCLUSIVE MODE`;
  const plain = p.indexes.filter((i) => !i.constraint);
  const owned = p.indexes.filter((i) => i.constraint);
  const fkSql = (n: ForeignKeyNeighbour) => ({
    drop: `ALTER TABLE ${qualify(n.ref)} DROP CONSTRAINT ${q(n.constraint.name)}`,
    addNotValid: `ALTER TABLE ${qualify(n.ref)} ADD CONSTRAINT ${q(n.constraint.name)} ${n.constraint.definition.replace(/\s+NOT VALID$/, '')} NOT VALID`,
    validate: `ALTER TABLE ${qualify(n.ref)} VALIDATE CONSTRAINT ${q(n.constraint.name)}`,
  });
  const renameConstraint = (from: string, to: string) => `ALTER TABLE ${t} RENAME CONSTRAINT ${q(from)} TO ${q(to)}`;
  const constraintSql = (i: IndexCopy, index: string) =>
    `ALTER TABLE ${t} ADD CONSTRAINT ${q(i.constraint!.name)} ${i.constraint!.type === 'primary_key' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${q(index)}`;
  const sequence = sequenceOf(p.col.default);
  // a serial's sequence is AS integer: it must count as far as the new column can hold
  const widen = sequence !== undefined && ['int2', 'int4'].includes(typeShape(p.col.type).base) && typeShape(p.newType).base === 'int8';
  const newDefault = p.col.default;

  const forward = [
    lock,
    ...p.referencing.map((n) => fkSql(n).drop),
    ...owned.map((i) => `ALTER TABLE ${t} DROP CONSTRAINT ${q(i.constraint!.name)}`),
    p.forward.dropTrigger,
    `ALTER TABLE ${t} RENAME COLUMN ${q(c)} TO ${q(p.old)}`,
    `ALTER TABLE ${t} RENAME COLUMN ${q(p.tmp)} TO ${q(c)}`,
    ...plain.flatMap((i) => [`ALTER INDEX ${idx(i.original.name)} RENAME TO ${q(i.oldName)}`, `ALTER INDEX ${idx(i.copyName)} RENAME TO ${q(i.original.name)}`]),
    ...owned.map((i) => constraintSql(i, i.copyName)),
    ...p.constraints.flatMap((k) => [renameConstraint(k.original.name, k.oldName), renameConstraint(k.copyName, k.original.name)]),
    ...p.referencing.map((n) => fkSql(n).addNotValid),
    ...(newDefault !== null
      ? [`ALTER TABLE ${t} ALTER COLUMN ${q(p.old)} DROP DEFAULT, ALTER COLUMN ${q(c)} SET DEFAULT ${newDefault}`]
      : p.placeholder !== undefined
        ? [`ALTER TABLE ${t} ALTER COLUMN ${q(c)} DROP DEFAULT`]
        : []),
    ...(sequence ? [`ALTER SEQUENCE ${sequence} OWNED BY ${t}.${q(c)}`] : []),
    ...(widen ? [`ALTER SEQUENCE ${sequence} AS bigint`] : []),
    ...p.backward.create,
  ];

  // back: the same catalog moves in reverse (the sequence keeps its bigint type: harmless)
  const backCore = (spare: (i: IndexCopy) => string) => [
    ...p.referencing.map((n) => fkSql(n).drop),
    ...owned.map((i) => `ALTER TABLE ${t} DROP CONSTRAINT ${q(i.constraint!.name)}`),
    p.backward.dropTrigger,
    p.backward.dropFunction,
    ...plain.flatMap((i) => [`ALTER INDEX ${idx(i.original.name)} RENAME TO ${q(i.copyName)}`, `ALTER INDEX ${idx(i.oldName)} RENAME TO ${q(i.original.name)}`]),
    `ALTER TABLE ${t} RENAME COLUMN ${q(c)} TO ${q(p.tmp)}`,
    `ALTER TABLE ${t} RENAME COLUMN ${q(p.old)} TO ${q(c)}`,
    ...owned.map((i) => constraintSql(i, spare(i))),
    ...p.constraints.flatMap((k) => [renameConstraint(k.original.name, k.copyName), renameConstraint(k.oldName, k.original.name)]),
    ...p.referencing.map((n) => fkSql(n).addNotValid),
    ...(newDefault !== null
      ? [`ALTER TABLE ${t} ALTER COLUMN ${q(c)} SET DEFAULT ${newDefault}, ALTER COLUMN ${q(p.tmp)} ${p.placeholder !== undefined ? `SET DEFAULT ${p.placeholder}` : 'DROP DEFAULT'}`]
      : p.placeholder !== undefined
        ? [`ALTER TABLE ${t} ALTER COLUMN ${q(p.tmp)} SET DEFAULT ${p.placeholder}`]
        : []),
    ...(sequence ? [`ALTER SEQUENCE ${sequence} OWNED BY ${t}.${q(c)}`] : []),
    p.forward.createTrigger,
  ];

  let rollback: Rollback;
  if (!owned.length && !p.referencing.length) {
    rollback = { kind: 'sql', sql: [lock, ...backCore(() => '')], transactional: true, note: `rows written since the swap keep their ${p.old} value (the trigger wrote it), so nothing is lost` };
  } else {
    // a constraint's index cannot be kept when the constraint is dropped: the old column's unique
    // index is rebuilt CONCURRENTLY first, the catalog moves back in one transaction (a DO block,
    // since the builds cannot share a transaction), then the foreign keys are validated and the new
    // column's index is rebuilt, as before the swap
    const spareName = (i: IndexCopy) => derivedName([i.constraint!.name], '_old');
    const body = [lock, ...backCore(spareName)].map((s) => `  ${s};`).join('\n');
    rollback = {
      kind: 'sql',
      sql: [
        ...owned.map((i) => i.rebuildOnOld(spareName(i), p.old)),
        `DO $liveshift_swap$\nBEGIN\n${body}\nEND\n$liveshift_swap$`,
        ...p.referencing.map((n) => fkSql(n).validate),
        ...owned.map((i) => i.build),
      ],
      transactional: false,
      note: `each statement on its own: the unique index on ${p.old} is built CONCURRENTLY, the swap is undone in one short transaction, ${p.referencing.length ? 'the foreign keys are validated, ' : ''}and the index on ${p.tmp} is built again CONCURRENTLY; nothing blocks reads or writes for longer than the catalog change`,
    };
  }

  const changes: SchemaChange[] = [
    ...p.referencing.map((n): SchemaChange => ({ op: 'drop_constraint', table: n.ref, constraint: n.constraint.name })),
    ...owned.flatMap((i): SchemaChange[] => [
      { op: 'drop_constraint', table: ctx.ref, constraint: i.constraint!.name },
      { op: 'drop_index', table: ctx.ref, index: i.original.name },
    ]),
    { op: 'drop_trigger', table: ctx.ref, trigger: p.forward.trigger.name },
    { op: 'rename_column', table: ctx.ref, from: c, to: p.old },
    { op: 'rename_column', table: ctx.ref, from: p.tmp, to: c },
    ...plain.flatMap((i): SchemaChange[] => [
      { op: 'rename_index', table: ctx.ref, from: i.original.name, to: i.oldName },
      { op: 'rename_index', table: ctx.ref, from: i.copyName, to: i.original.name },
    ]),
    ...owned.flatMap((i): SchemaChange[] => [
      { op: 'drop_index', table: ctx.ref, index: i.copyName },
      { op: 'add_index', table: ctx.ref, index: { ...i.original, primary: i.constraint!.type === 'primary_key' } },
      { op: 'add_constraint', table: ctx.ref, constraint: { ...i.constraint! } },
    ]),
    // after the column renames the old constraint names c__old and the copy names c: swap their names too
    ...p.constraints.flatMap((k): SchemaChange[] => [
      { op: 'drop_constraint', table: ctx.ref, constraint: k.original.name },
      { op: 'add_constraint', table: ctx.ref, constraint: { ...k.original, name: k.oldName, columns: k.original.columns.map((x) => (x === c ? p.old : x)) } },
      { op: 'drop_constraint', table: ctx.ref, constraint: k.copyName },
      { op: 'add_constraint', table: ctx.ref, constraint: { ...k.copy, name: k.original.name, columns: [...k.original.columns], validated: k.original.validated } },
    ]),
    ...p.referencing.map((n): SchemaChange => ({
      op: 'add_constraint',
      table: n.ref,
      constraint: { ...n.constraint, validated: false, definition: `${n.constraint.definition.replace(/\s+NOT VALID$/, '')} NOT VALID` },
    })),
    ...(newDefault !== null
      ? [
          { op: 'set_default', table: ctx.ref, column: p.old, default: null } as SchemaChange,
          { op: 'set_default', table: ctx.ref, column: c, default: newDefault } as SchemaChange,
        ]
      : p.placeholder !== undefined
        ? [{ op: 'set_default', table: ctx.ref, column: c, default: null } as SchemaChange]
        : []),
    { op: 'add_trigger', table: ctx.ref, trigger: p.backward.trigger },
  ];
  return { forward, rollback, changes, sequence, widenedSequence: widen };
}

function validateForeignKeyStep(ctx: RecipeContext, n: ForeignKeyNeighbour): StepDraft {
  const rt = qualify(n.ref);
  const k = quoteIdent(n.constraint.name);
  const addNotValid = `ALTER TABLE ${rt} ADD CONSTRAINT ${k} ${n.constraint.definition.replace(/\s+NOT VALID$/, '')} NOT VALID`;
  const other = ctx.snapshot.tables.find((x) => displayName(x) === n.table)!;
  return {
    release: 0,
    title: `Validate foreign key ${n.constraint.name} (${n.table}) against the new ${ctx.tableName} key`,
    kind: 'validate',
    instruction: '',
    sql: [`ALTER TABLE ${rt} VALIDATE CONSTRAINT ${k}`],
    transactional: true,
    lock: lockClaim('SHARE UPDATE EXCLUSIVE', [n.table], 'scan', [{ table: ctx.tableName, mode: 'ROW SHARE' }]),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: constraintState(n.ref, n.constraint.name, 'validated'),
    rollback: { kind: 'sql', sql: [`ALTER TABLE ${rt} DROP CONSTRAINT ${k}`, addNotValid], transactional: true, note: 'returns the foreign key to NOT VALID' },
    caveats: [
      `Reads all of ${n.table}, looking each key up in ${ctx.tableName}, under SHARE UPDATE EXCLUSIVE (and ROW SHARE on ${ctx.tableName}): reads and writes continue.`,
      'Between the swap and this step the key is NOT VALID but already checks every new write.',
    ],
    estimate: { rows: Math.max(0, Math.round(other.rowEstimate)), seconds: scanSeconds(other.sizeBytes + ctx.table.sizeBytes), basis: `one scan of ${n.table} (${formatBytes(other.sizeBytes)}) joined with ${ctx.tableName}; machine-dependent` },
    changes: [{ op: 'validate_constraint', table: n.ref, constraint: n.constraint.name }],
  };
}

/** The sequence of a `nextval('…'::regclass)` default, as the name the regclass literal holds. */
function sequenceOf(expr: string | null): string | undefined {
  if (expr === null) return undefined;
  const tree = parseExpression(expr, 'column default');
  const call = tree.FuncCall;
  if (!call || (call.funcname as Node[]).at(-1)?.String?.sval !== 'nextval') return undefined;
  const literal = collectNodes(call.args, 'A_Const')[0]?.sval?.sval as string | undefined;
  return literal;
}
