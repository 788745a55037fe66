import type { ColumnSchema, ConstraintSchema, IndexSchema, SchemaSnapshot, TableRef, TableSchema } from '../../schema/snapshot.js';
import { findTable } from '../../schema/snapshot.js';
import type { RecipeResult, StepDraft } from '../../plan/draft.js';
import type { CreateTableIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, displayName, qualify, quoteIdent } from '../../engines/postgres/quote.js';
import { lockClaim } from '../../engines/postgres/locks.js';
import { ddlTimeouts } from '../../engines/postgres/timeouts.js';
import { formatBytes, isSmallTable } from '../../engines/postgres/size.js';
import { formatTypeName } from '../../engines/postgres/types.js';
import { relationExists } from '../../engines/postgres/catalog-checks.js';
import { deparseOneLine, parseExpression, parseTypeName, referencedColumns } from '../../input/pg-parser.js';
import { snapshotsAfterSteps } from '../../schema/apply-to-snapshot.js';
import { addForeignKeyRecipe, foreignKeyClause, foreignKeyConstraint, resolveForeignKey, typeWarnings, type ForeignKey } from '../add-foreign-key/postgres.js';
import { makeContext, type RecipeContext, type ResolvedOptions } from '../context.js';

/**
 * recipes.md I-27: a new table is invisible to everyone until its transaction commits, so creating
 * it is one brief step. Its foreign keys still take SHARE ROW EXCLUSIVE on each referenced table
 * (writes there wait while it is held): declared inline when the referenced table is small, and
 * added afterwards as NOT VALID + VALIDATE when it is large, so the create never queues behind a
 * busy table. Constraints are always named explicitly (as PostgreSQL would name them), so the plan
 * knows every name. Rollback: DROP TABLE, while the table is still empty.
 */
export function createTableRecipe(snapshot: SchemaSnapshot, intent: CreateTableIntent, options: ResolvedOptions, statement: string): { ref: TableRef; result: RecipeResult } {
  const ref: TableRef = typeof intent.table === 'string' ? { schema: 'public', name: intent.table } : intent.table;
  const name = displayName(ref);
  if (findTable(snapshot, ref)) throw new PlanningError(`table ${name} already exists`, statement);
  const clash = snapshot.tables.find((t) => t.schema === ref.schema && t.indexes.some((i) => i.name === ref.name));
  if (clash) throw new PlanningError(`an index named "${ref.name}" already exists in schema ${ref.schema} (on ${displayName(clash)}); tables and indexes share one namespace`, statement);

  const names = new NameBook(snapshot, ref, statement);
  const columns = intent.columns.map((c) => columnOf(ref, c, statement));
  const twice = columns.find((c, i) => columns.findIndex((x) => x.schema.name === c.schema.name) !== i);
  if (twice) throw new PlanningError(`column "${twice.schema.name}" is listed twice`, statement);
  const known = (cols: string[], what: string) => {
    for (const c of cols) if (!columns.some((x) => x.schema.name === c)) throw new PlanningError(`${what} names column "${c}", which is not among the new table's columns (${columns.map((x) => x.schema.name).join(', ')})`, statement);
    const dup = cols.find((c, i) => cols.indexOf(c) !== i);
    if (dup !== undefined) throw new PlanningError(`column "${dup}" appears twice in the ${what}`, statement);
    return cols;
  };

  const indexes: IndexSchema[] = [];
  const constraints: ConstraintSchema[] = [];
  const clauses: string[] = [];
  const key = (type: 'primary_key' | 'unique', cols: string[], given: string | undefined) => {
    const keyName = type === 'primary_key' ? names.relation(given, [ref.name], 'pkey') : names.relation(given, [ref.name, ...cols], 'key');
    const word = type === 'primary_key' ? 'PRIMARY KEY' : 'UNIQUE';
    const list = cols.map(quoteIdent).join(', ');
    clauses.push(`CONSTRAINT ${quoteIdent(keyName)} ${word} (${list})`);
    indexes.push({ name: keyName, columns: cols, unique: true, primary: type === 'primary_key', valid: true, predicate: null, method: 'btree', definition: `CREATE UNIQUE INDEX ${quoteIdent(keyName)} ON ${qualify(ref)} USING btree (${list})` });
    constraints.push({ name: keyName, type, columns: cols, definition: `${word} (${list})`, validated: true, references: null });
  };
  if (intent.primaryKey) {
    const cols = known(intent.primaryKey.columns, 'primary key');
    key('primary_key', cols, intent.primaryKey.name);
    // a primary key makes its columns NOT NULL
    for (const c of columns) if (cols.includes(c.schema.name)) c.schema.nullable = false;
  }
  for (const u of intent.unique) key('unique', known(u.columns, 'unique constraint'), u.name);
  for (const check of intent.checks) {
    const expr = parseExpression(check.expr, `CHECK (${check.expr})`);
    const text = deparseOneLine(expr);
    const cols = [...new Set(referencedColumns(expr))];
    known(cols, `CHECK (${text})`);
    const checkName = names.constraint(check.name, [ref.name, ...(cols.length === 1 ? cols : [])], 'check');
    clauses.push(`CONSTRAINT ${quoteIdent(checkName)} CHECK (${text})`);
    constraints.push({ name: checkName, type: 'check', columns: cols, definition: `CHECK (${text})`, validated: true, references: null });
  }

  // the table without foreign keys: what their checks resolve against (a foreign key may reference the table itself)
  const bare: TableSchema = { schema: ref.schema, name: ref.name, columns: columns.map((c) => c.schema), indexes, constraints, triggers: [], rowEstimate: 0, sizeBytes: 0 };
  let ctx = makeContext({ ...snapshot, tables: [...snapshot.tables, bare] }, ref, options, statement);
  const inline: ForeignKey[] = [];
  const later: ForeignKey[] = [];
  const warnings: string[] = [];
  for (const spec of intent.foreignKeys) {
    known(spec.columns, 'foreign key');
    const fk = resolveForeignKey(ctx, {
      kind: 'add_foreign_key',
      table: ref,
      columns: spec.columns,
      references: spec.references,
      name: names.constraint(spec.name, [ref.name, ...spec.columns], 'fkey'),
      ...(spec.onDelete ? { onDelete: spec.onDelete } : {}),
      ...(spec.onUpdate ? { onUpdate: spec.onUpdate } : {}),
    });
    const self = fk.ref.schema === ref.schema && fk.ref.name === ref.name;
    (self || isSmallTable(fk.refTable, options.smallTableBytes) ? inline : later).push(fk);
    warnings.push(...typeWarnings(ctx, fk), ...unindexedWarning(ref, indexes, fk));
    // later keys' name checks see this one
    ctx = { ...ctx, table: { ...ctx.table, constraints: [...ctx.table.constraints, foreignKeyConstraint(fk, true)] } };
  }
  for (const fk of inline) {
    clauses.push(`CONSTRAINT ${quoteIdent(fk.name)} ${foreignKeyClause(fk)}`);
    constraints.push(foreignKeyConstraint(fk, true));
  }

  const referenced = uniqueTables(inline.filter((fk) => displayName(fk.ref) !== name).map((fk) => fk.refName));
  const create: StepDraft = {
    release: 0,
    title: `Create table ${name}${later.length ? ` (foreign keys to large tables follow)` : ''}`,
    kind: 'ddl',
    instruction: '',
    sql: [`CREATE TABLE ${qualify(ref)} (\n  ${[...columns.map((c) => c.sql), ...clauses].join(',\n  ')}\n)`],
    transactional: true,
    lock: lockClaim('ACCESS EXCLUSIVE', [name], 'brief', referenced.map((table) => ({ table, mode: 'SHARE ROW EXCLUSIVE' as const }))),
    timeouts: ddlTimeouts(options.lockTimeoutMs, options.retries),
    checkpoint: relationExists(ref, true),
    rollback: { kind: 'sql', sql: [`DROP TABLE ${qualify(ref)}`], transactional: true, note: 'only while the table is empty: once the application writes to it, dropping it loses those rows' },
    caveats: [
      `ACCESS EXCLUSIVE on the new table only: nobody else can see it before this step commits, so nothing waits on it.`,
      ...(referenced.length
        ? [
            `Its foreign keys take SHARE ROW EXCLUSIVE on ${referenced.join(', ')} until the step commits: inserts, updates and deletes there wait for that moment (reads continue); the wait for the lock is bounded by lock_timeout and retried. ` +
              `${referenced.length > 1 ? 'They are' : 'It is'} under the small-table threshold (${formatBytes(options.smallTableBytes)}), so the keys are declared inline.`,
            `Rolling back (DROP TABLE) takes ACCESS EXCLUSIVE on ${referenced.join(', ')} for a moment, blocking reads there too.`,
          ]
        : []),
      ...columns.flatMap((c) => (c.sequence ? [`${c.schema.name} (${c.serial}) creates the sequence ${c.sequence}, owned by the column, dropped with the table.`] : [])),
    ],
    changes: [{ op: 'create_table', table: ref, columns: columns.map((c) => c.schema), indexes, constraints }],
  };

  const steps: StepDraft[] = [create];
  for (const fk of later) {
    const snapshots = snapshotsAfterSteps(snapshot, steps.map((s, i) => ({ ...s, n: i + 1 })));
    const fkCtx = makeContext(snapshots[snapshots.length - 1]!, ref, options, statement);
    const added = addForeignKeyRecipe(fkCtx, {
      kind: 'add_foreign_key',
      table: ref,
      columns: fk.columns,
      references: { table: fk.ref, columns: fk.refColumns },
      name: fk.name,
      ...(fk.onDelete ? { onDelete: fk.onDelete } : {}),
      ...(fk.onUpdate ? { onUpdate: fk.onUpdate } : {}),
    });
    // the index warning of add_foreign_key is about an existing table; this recipe gives its own
    steps.push(...added.steps);
  }
  if (later.length) {
    warnings.push(
      `${uniqueTables(later.map((fk) => fk.refName)).join(', ')} ${later.length > 1 ? 'are' : 'is'} over the small-table threshold (${formatBytes(options.smallTableBytes)}): ` +
        `instead of declaring ${later.length > 1 ? 'those foreign keys' : 'that foreign key'} in CREATE TABLE, where SHARE ROW EXCLUSIVE on the referenced table would be taken with everything else, the plan creates the table first and adds each key NOT VALID (a brief SHARE ROW EXCLUSIVE on both tables) then validates it.`,
    );
  }
  return { ref, result: { steps, warnings, alsoLocked: uniqueRefs([...inline, ...later].map((fk) => fk.ref).filter((r) => displayName(r) !== name)) } };
}

interface PlannedColumn {
  schema: ColumnSchema;
  /** The column as written in CREATE TABLE. */
  sql: string;
  serial?: string;
  sequence?: string;
}

const SERIAL_TYPES: Record<string, string> = { smallserial: 'smallint', serial2: 'smallint', serial: 'integer', serial4: 'integer', bigserial: 'bigint', serial8: 'bigint' };

function columnOf(ref: TableRef, c: CreateTableIntent['columns'][number], statement: string): PlannedColumn {
  const q = quoteIdent(c.name);
  const serialBase = SERIAL_TYPES[c.type.trim().toLowerCase()];
  if (serialBase !== undefined) {
    if (c.default !== undefined || c.identity !== undefined) throw new PlanningError(`column "${c.name}" is ${c.type}, which brings its own default; drop the DEFAULT or identity`, statement);
    const sequence = pgObjectName(ref.name, c.name, 'seq');
    const seqText = ref.schema === 'public' ? catalogIdent(sequence) : `${catalogIdent(ref.schema)}.${catalogIdent(sequence)}`;
    return {
      schema: { name: c.name, type: serialBase, nullable: false, default: `nextval('${seqText.replace(/'/g, "''")}'::regclass)` },
      sql: `${q} ${c.type.trim().toLowerCase()}`,
      serial: c.type.trim().toLowerCase(),
      sequence: `${ref.schema}.${sequence}`,
    };
  }
  const type = formatTypeName(parseTypeName(c.type));
  if (c.identity !== undefined) {
    if (c.default !== undefined) throw new PlanningError(`column "${c.name}" cannot have both a DEFAULT and GENERATED … AS IDENTITY`, statement);
    return { schema: { name: c.name, type, nullable: false, default: null }, sql: `${q} ${type} GENERATED ${c.identity.toUpperCase()} AS IDENTITY` };
  }
  const def = c.default !== undefined ? deparseOneLine(parseExpression(c.default, `default ${c.default}`)) : undefined;
  return {
    schema: { name: c.name, type, nullable: c.nullable, default: def ?? null },
    sql: `${q} ${type}${c.nullable ? '' : ' NOT NULL'}${def !== undefined ? ` DEFAULT ${def}` : ''}`,
  };
}

/**
 * Constraint names, always explicit in the SQL: the given one, or PostgreSQL's own scheme
 * (<table>_<cols>_pkey|key|check|fkey), numbered when taken. Keys and their indexes share the
 * schema's relation namespace; CHECK and foreign key names only need to be unique on the table.
 */
class NameBook {
  private readonly relations: Set<string>;
  private readonly constraints = new Set<string>();

  constructor(snapshot: SchemaSnapshot, private readonly ref: TableRef, private readonly statement: string) {
    this.relations = new Set(snapshot.tables.filter((t) => t.schema === ref.schema).flatMap((t) => [t.name, ...t.indexes.map((i) => i.name)]));
    this.relations.add(ref.name);
  }

  relation(given: string | undefined, parts: string[], suffix: string): string {
    const name = this.pick(given, parts, suffix, (n) => this.relations.has(n) || this.constraints.has(n));
    this.relations.add(name);
    this.constraints.add(name);
    return name;
  }

  constraint(given: string | undefined, parts: string[], suffix: string): string {
    const name = this.pick(given, parts, suffix, (n) => this.constraints.has(n));
    this.constraints.add(name);
    return name;
  }

  private pick(given: string | undefined, parts: string[], suffix: string, taken: (n: string) => boolean): string {
    if (given !== undefined) {
      if (taken(given)) throw new PlanningError(`the name "${given}" is already used in schema ${this.ref.schema} or by another constraint of the new table`, this.statement);
      return given;
    }
    for (let n = 0; ; n++) {
      const name = derivedName(parts, n === 0 ? suffix : `${suffix}${n}`);
      if (!taken(name)) return name;
    }
  }
}

/** PostgreSQL's makeObjectName: name1_name2_label within 63 bytes, cutting the longer name first. */
function pgObjectName(name1: string, name2: string, label: string): string {
  const a = [...name1];
  const b = [...name2];
  const bytes = (chars: string[]) => Buffer.byteLength(chars.join(''), 'utf8');
  const available = 63 - (1 + label.length + 1);
  while (bytes(a) + bytes(b) > available) (bytes(a) > bytes(b) ? a : b).pop();
  return `${a.join('')}_${b.join('')}_${label}`;
}

/** How the server prints a name inside nextval('…'): quoted only when it has to be. */
function catalogIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name);
}

function unindexedWarning(ref: TableRef, indexes: IndexSchema[], fk: ForeignKey): string[] {
  const n = fk.columns.length;
  if (indexes.some((ix) => ix.columns.length >= n && fk.columns.every((c) => ix.columns.slice(0, n).includes(c)))) return [];
  return [
    `No index on ${displayName(ref)} starts with (${fk.columns.join(', ')}): every delete in ${fk.refName}, or update of its key, will scan ${displayName(ref)} for referencing rows. ` +
      `Put CREATE INDEX ON ${qualify(ref)} (${fk.columns.map(quoteIdent).join(', ')}) after the CREATE TABLE: on the new, empty table it is built at once.`,
  ];
}

function uniqueTables(names: string[]): string[] {
  return [...new Set(names)];
}

function uniqueRefs(refs: TableRef[]): TableRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(displayName(r)) && seen.add(displayName(r)));
}
