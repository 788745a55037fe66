import type { ConstraintSchema, IndexSchema, TableRef } from '../../schema/snapshot.js';
import type { StepDraft } from '../../plan/draft.js';
import { PlanningError } from '../../errors.js';
import { derivedName, displayName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { formatBytes, scanSeconds } from '../../engines/postgres/size.js';
import { constraintState, indexValid } from '../../engines/postgres/catalog-checks.js';
import { collectNodes, deparseNode, parseExpression, parseStatements, type Node } from '../../input/pg-parser.js';
import { readOnlyCheckStep } from '../read-only-check/postgres.js';
import { requireFreeRelationName, type RecipeContext } from '../context.js';
import { typeShape } from './binary-coercible.js';

/**
 * What moves onto the new column before the swap, each rebuilt from its catalog definition by the
 * real parser with the column replaced: indexes (CONCURRENTLY; a unique one after a duplicate check
 * when the conversion can map two values to one) and the column's CHECK constraints and foreign
 * keys (NOT VALID, then VALIDATE). The swap gives each copy the original's name.
 */

/** An index on the column, its copy on the new column, and the names both carry during and after the swap. */
export interface IndexCopy {
  original: IndexSchema;
  /** The primary key or unique constraint the index implements, if any. */
  constraint: ConstraintSchema | undefined;
  /** The copy's name until the swap: <index>__new. */
  copyName: string;
  /** The original's name after the swap (plain indexes only): <index>__old. */
  oldName: string;
  /** CREATE [UNIQUE] INDEX CONCURRENTLY … on the new column. */
  build: string;
  /** The copy as introspection will list it before the swap. */
  copy: IndexSchema;
  /** CREATE UNIQUE INDEX CONCURRENTLY of the original on the old column (for a rollback of the swap). */
  rebuildOnOld: (name: string, column: string) => string;
}

export function indexCopy(ctx: RecipeContext, ix: IndexSchema, column: string, tmp: string, old: string): IndexCopy {
  const constraint = ctx.table.constraints.find((k) => (k.type === 'primary_key' || k.type === 'unique') && k.name === ix.name);
  const copyName = derivedName([ix.name], '_new');
  const oldName = derivedName([ix.name], '_old');
  requireFreeRelationName(ctx, copyName);
  if (!constraint) requireFreeRelationName(ctx, oldName);
  const sql = (name: string, to: string) => indexSql(ctx, ix, column, to, name);
  const build = sql(copyName, tmp);
  return {
    original: ix,
    constraint,
    copyName,
    oldName,
    build,
    copy: { ...ix, name: copyName, columns: ix.columns.map((k) => (k === column ? tmp : k)), primary: false, valid: true, definition: build },
    rebuildOnOld: (name) => sql(name, old),
  };
}

/**
 * The index rebuilt on another column: its pg_get_indexdef text parsed by the real parser, the
 * column replaced, printed CONCURRENTLY under the new name, so operator classes, sort order,
 * INCLUDE and storage parameters carry over. Without a definition (a hand-written snapshot) it is
 * built from the snapshot's key list.
 */
function indexSql(ctx: RecipeContext, ix: IndexSchema, from: string, to: string, name: string): string {
  const parsed = ix.definition.trim() ? parseStatements(ix.definition) : [];
  if (parsed.length === 1 && parsed[0]!.type === 'IndexStmt') {
    const node = structuredClone(parsed[0]!.node);
    node.concurrent = true;
    node.idxname = name;
    node.relation = { ...node.relation, schemaname: ctx.ref.schema, relname: ctx.ref.name };
    for (const p of [...((node.indexParams as Node[]) ?? []), ...((node.indexIncludingParams as Node[]) ?? [])]) {
      if (p.IndexElem?.name === from) p.IndexElem.name = to;
    }
    return deparseNode({ IndexStmt: node });
  }
  const keys = ix.columns.map((k) => (k === from ? quoteIdent(to) : ctx.table.columns.some((c) => c.name === k) ? quoteIdent(k) : `(${k})`)).join(', ');
  const using = ix.method === 'btree' ? '' : ` USING ${ix.method}`;
  const where = ix.predicate ? ` WHERE ${deparseNode(parseExpression(ix.predicate, `index ${ix.name} predicate`))}` : '';
  return `CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${quoteIdent(name)} ON ${qualify(ctx.ref)}${using} (${keys})${where}`;
}

/** smallint → integer/bigint, integer → bigint: every old value is a distinct new value. */
export function integerWidening(from: string, to: string): boolean {
  const rank: Record<string, number> = { int2: 1, int4: 2, int8: 3 };
  const [a, b] = [rank[typeShape(from).base], rank[typeShape(to).base]];
  return a !== undefined && b !== undefined && b > a;
}

export function indexCopySteps(ctx: RecipeContext, ix: IndexCopy, checkDuplicates: boolean): StepDraft[] {
  const steps: StepDraft[] = [];
  const qi = `${quoteIdent(ctx.ref.schema)}.${quoteIdent(ix.copyName)}`;
  const keys = ix.copy.columns;
  if (ix.copy.unique && checkDuplicates) {
    const keySql = keys.map((k) => (ctx.table.columns.some((c) => c.name === k) || !ix.original.columns.includes(k) ? quoteIdent(k) : `(${k})`));
    const keyList = keySql.join(', ');
    const nonNull = keySql.map((k) => `${k} IS NOT NULL`).join(' AND ');
    steps.push(
      readOnlyCheckStep(ctx, {
        release: 0,
        title: `Check that no duplicates of (${keys.join(', ')}) exist`,
        checkpoint: {
          description: 'no duplicate keys (the unique build would fail on the first one and leave an INVALID index)',
          sql: `SELECT count(*) FROM (SELECT 1 FROM ${qualify(ctx.ref)} WHERE ${nonNull} GROUP BY ${keyList} HAVING count(*) > 1 LIMIT 1) AS duplicates`,
          expected: 0,
        },
        caveats: [`${ix.original.name} guarantees unique values of the old column; a conversion that maps two of them to one ${ix.copy.columns.join(', ')} value would break it, and this check finds that first.`],
        scanBasis: 'one scan and sort',
      }),
    );
  }
  steps.push({
    release: 0,
    title: `Copy index ${ix.original.name} onto the new column as ${ix.copyName}`,
    kind: 'ddl',
    instruction: '',
    sql: [ix.build],
    transactional: false,
    lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'scan'),
    timeouts: ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries),
    checkpoint: indexValid(ctx.ref, ix.copyName),
    rollback: { kind: 'sql', sql: [`DROP INDEX CONCURRENTLY IF EXISTS ${qi}`], transactional: false },
    caveats: [
      'CONCURRENTLY cannot run inside a transaction block: this step runs on its own.',
      'Two table scans under SHARE UPDATE EXCLUSIVE: reads and writes continue; it waits for transactions older than itself.',
      `If it is interrupted or fails it leaves an INVALID index ${ix.copyName}: the runner drops it with DROP INDEX CONCURRENTLY and retries.`,
      ...(ix.constraint ? [`The swap turns it into ${ix.constraint.type === 'primary_key' ? 'the primary key' : 'the unique constraint'} ${ix.constraint.name} (ADD CONSTRAINT … USING INDEX), without building anything under the lock.`] : []),
    ],
    estimate: { rows: ctx.rows, seconds: scanSeconds(ctx.table.sizeBytes, 2), basis: `two scans of ${formatBytes(ctx.table.sizeBytes)} plus sort; machine-dependent` },
    changes: [{ op: 'add_index', table: ctx.ref, index: ix.copy }],
  });
  return steps;
}

/** A CHECK constraint or foreign key of the column, rebuilt on the new column under <name>__new. */
export interface ConstraintCopy {
  original: ConstraintSchema;
  copyName: string;
  /** The original's name after the swap until the old column (and it) goes: <name>__old. */
  oldName: string;
  /** ALTER TABLE … ADD CONSTRAINT <name>__new … NOT VALID */
  add: string;
  copy: ConstraintSchema;
  /** For a foreign key: the referenced table (locked by ADD and DROP). */
  referenced: TableRef | undefined;
}

/**
 * The constraint's pg_get_constraintdef text parsed by the real parser, the column replaced (in the
 * key list of a foreign key, in the expression of a CHECK), added NOT VALID under a new name.
 */
export function constraintCopy(ctx: RecipeContext, k: ConstraintSchema, column: string, tmp: string): ConstraintCopy {
  const copyName = derivedName([k.name], '_new');
  const oldName = derivedName([k.name], '_old');
  for (const name of [copyName, oldName]) {
    if (ctx.table.constraints.some((x) => x.name === name)) throw new PlanningError(`constraint "${name}" already exists on ${ctx.tableName}`, ctx.statement);
  }
  const parsed = parseStatements(`ALTER TABLE ${qualify(ctx.ref)} ADD CONSTRAINT ${quoteIdent(copyName)} ${k.definition.replace(/\s+NOT VALID$/, '')}`);
  const stmt = structuredClone(parsed[0]!.node);
  const def = stmt.cmds[0].AlterTableCmd.def.Constraint as Node;
  if (k.type === 'foreign_key') {
    def.fk_attrs = (def.fk_attrs as Node[]).map((a) => (a.String.sval === column ? { String: { sval: tmp } } : a));
  } else {
    for (const ref of collectNodes(def.raw_expr, 'ColumnRef')) {
      const fields = ref.fields as Node[];
      if (fields.length === 1 && fields[0]!.String?.sval === column) fields[0] = { String: { sval: tmp } };
    }
  }
  def.skip_validation = true;
  def.initially_valid = false;
  const add = deparseNode({ AlterTableStmt: stmt }).replace(/\s+/g, ' ').trim();
  const referenced = k.type === 'foreign_key' ? ctx.snapshot.tables.find((x) => displayName(x) === k.references?.table) : undefined;
  const columns = k.columns.map((x) => (x === column ? tmp : x));
  return {
    original: k,
    copyName,
    oldName,
    add,
    copy: { ...k, name: copyName, columns, definition: `${add.replace(/^.*? ADD CONSTRAINT \S+ /, '')}`, validated: false },
    referenced: referenced && { schema: referenced.schema, name: referenced.name },
  };
}

export function constraintCopySteps(ctx: RecipeContext, k: ConstraintCopy): StepDraft[] {
  const t = qualify(ctx.ref);
  const fk = k.original.type === 'foreign_key';
  const other = k.referenced && displayName(k.referenced) !== ctx.tableName ? k.referenced : undefined;
  const drop = `ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(k.copyName)}`;
  const timeouts = ddlTimeouts(ctx.options.lockTimeoutMs, ctx.options.retries);
  const what = fk ? `foreign key ${k.original.name}` : `CHECK ${k.original.name}`;
  const steps: StepDraft[] = [
    {
      release: 0,
      title: `Copy ${what} onto the new column as ${k.copyName} NOT VALID`,
      kind: 'ddl',
      instruction: '',
      sql: [k.add],
      transactional: true,
      lock: fk ? lockClaim('SHARE ROW EXCLUSIVE', [ctx.tableName, ...(other ? [displayName(other)] : [])], 'brief') : lockClaim('ACCESS EXCLUSIVE', [ctx.tableName], 'brief'),
      timeouts,
      checkpoint: constraintState(ctx.ref, k.copyName, 'not_valid'),
      rollback: { kind: 'sql', sql: [drop], transactional: true },
      caveats: [
        `NOT VALID: existing rows are not read now; every write is checked from now on — the trigger fills the new column, so a write the old ${what} accepts is accepted here too unless the conversion changes the value.`,
        ...(fk && other ? [`Takes SHARE ROW EXCLUSIVE on ${ctx.tableName} and ${displayName(other)} for the moment it takes: writes to both wait, reads continue.`] : []),
      ],
      changes: [{ op: 'add_constraint', table: ctx.ref, constraint: k.copy }],
    },
    {
      release: 0,
      title: `Validate ${k.copyName} on existing rows`,
      kind: 'validate',
      instruction: '',
      sql: [`ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(k.copyName)}`],
      transactional: true,
      lock: lockClaim('SHARE UPDATE EXCLUSIVE', [ctx.tableName], 'scan', fk && other ? [{ table: displayName(other), mode: 'ROW SHARE' }] : undefined),
      timeouts,
      checkpoint: constraintState(ctx.ref, k.copyName, 'validated'),
      rollback: { kind: 'sql', sql: [drop, k.add], transactional: true, note: `returns ${k.copyName} to NOT VALID` },
      caveats: [
        `Reads the whole table under SHARE UPDATE EXCLUSIVE${fk && other ? ` (and ROW SHARE on ${displayName(other)})` : ''}: reads and writes continue.`,
        `Fails without changing anything if a converted value breaks it; the swap renames it to ${k.original.name}, and the old one (renamed ${k.oldName}) goes with the old column.`,
      ],
      estimate: { rows: ctx.rows, seconds: scanSeconds(ctx.table.sizeBytes), basis: `one scan of ${formatBytes(ctx.table.sizeBytes)}; machine-dependent` },
      changes: [{ op: 'validate_constraint', table: ctx.ref, constraint: k.copyName }],
    },
  ];
  // a constraint that was NOT VALID stays so: only new writes are checked, as before
  return k.original.validated ? steps : steps.slice(0, 1);
}
