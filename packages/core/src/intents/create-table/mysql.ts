import type { ColumnSchema, ConstraintSchema, IndexSchema, SchemaSnapshot, TableRef } from '../../schema/snapshot.js';
import { findTable } from '../../schema/snapshot.js';
import type { RecipeResult } from '../../plan/draft.js';
import type { CreateTableIntent } from '../types.js';
import { PlanningError } from '../../errors.js';
import { derivedName, displayName } from '../../engines/postgres/quote.js';
import { flavourOf } from '../../engines/mysql/capabilities.js';
import { qualify, quoteIdent } from '../../engines/mysql/quote.js';
import { mysqlType } from '../../engines/mysql/column-type.js';
import { isConstantDefault } from '../../engines/mysql/column-definition.js';
import { parseMysql, referencedColumnNames } from '../../engines/mysql/parser.js';
import { mysqlMetadataStep } from '../../engines/mysql/ddl-step.js';
import { relationExists } from '../../engines/mysql/catalog-checks.js';
import { makeContext, resolveTable, type ResolvedOptions } from '../context.js';

const MAX_NAME = 64;

/**
 * recipes.md I-27 (MySQL/MariaDB): a new, empty InnoDB table is one CREATE TABLE, a catalog change
 * (a foreign key also takes the referenced table's metadata lock for a moment). Every key and
 * constraint is named explicitly, and the plan's schema is what the server will show: the primary
 * key is always called PRIMARY, a unique key is an index of its name, and a foreign key without an
 * index starting with its columns gets one named like the key (InnoDB creates it).
 */
export function createTableRecipeMysql(snapshot: SchemaSnapshot, intent: CreateTableIntent, options: ResolvedOptions, statement: string): { ref: TableRef; result: RecipeResult } {
  const database = snapshot.tables[0]?.schema;
  if (typeof intent.table === 'string' && database === undefined) throw new PlanningError(`the snapshot has no table to tell the database by; name it: { schema: '<database>', name: '${intent.table}' }`, statement);
  const ref: TableRef = typeof intent.table === 'string' ? { schema: database!, name: intent.table } : intent.table;
  if (ref.name.length > MAX_NAME) throw new PlanningError(`"${ref.name}" is longer than ${MAX_NAME} characters, the MySQL/MariaDB limit`, statement);
  if (findTable(snapshot, ref)) throw new PlanningError(`table ${displayName(ref)} already exists`, statement);
  const engine = snapshot.engine;
  const pk = intent.primaryKey?.columns ?? [];
  const names = intent.columns.map((c) => c.name);
  const known = (cols: string[], what: string) => {
    for (const c of cols) if (!names.includes(c)) throw new PlanningError(`${what} names column "${c}", which is not among the new table's columns (${names.join(', ')})`, statement);
    return cols;
  };
  const indexes: IndexSchema[] = [];
  const constraints: ConstraintSchema[] = [];
  const body: string[] = [];
  const list = (cols: string[]) => cols.map(quoteIdent).join(', ');
  const index = (name: string, columns: string[], unique: boolean, primary: boolean): IndexSchema => ({ name, columns, unique, primary, valid: true, predicate: null, method: 'btree', definition: `${primary ? 'PRIMARY KEY' : unique ? 'UNIQUE KEY' : 'KEY'} ${name} (${columns.join(', ')})` });

  const columns: ColumnSchema[] = intent.columns.map((c) => {
    if (/serial$/i.test(c.type)) throw new PlanningError(`column "${c.name}": ${c.type} is PostgreSQL's; give an integer type with identity: 'by default' (AUTO_INCREMENT)`, statement);
    if (c.identity === 'always') throw new PlanningError(`column "${c.name}": MySQL/MariaDB have no GENERATED ALWAYS identity (AUTO_INCREMENT accepts explicit values); use identity: 'by default'`, statement);
    const type = mysqlType(c.type, engine, statement);
    const nullable = c.nullable && !pk.includes(c.name) && !c.identity;
    // a new table has no rows to fill, so an expression default costs nothing here; the server wants it in parentheses
    const dflt = c.default === undefined ? null : c.default;
    const dfltSql = dflt === null ? '' : ` DEFAULT ${isConstantDefault(dflt, engine) ? dflt : `(${dflt})`}`;
    body.push(`${quoteIdent(c.name)} ${type.sql} ${nullable ? 'NULL' : 'NOT NULL'}${dfltSql}${c.identity ? ' AUTO_INCREMENT' : ''}`);
    return { name: c.name, type: type.printed, nullable, default: dflt };
  });
  if (intent.primaryKey) {
    const cols = known(intent.primaryKey.columns, 'the primary key');
    body.push(`PRIMARY KEY (${list(cols)})`);
    indexes.push(index('PRIMARY', cols, true, true));
    constraints.push({ name: 'PRIMARY', type: 'primary_key', columns: cols, definition: `PRIMARY KEY (${cols.join(', ')})`, validated: true, references: null });
  }
  for (const u of intent.unique) {
    const cols = known(u.columns, 'a unique constraint');
    const name = u.name ?? derivedName([ref.name, ...cols], 'key');
    body.push(`UNIQUE KEY ${quoteIdent(name)} (${list(cols)})`);
    indexes.push(index(name, cols, true, false));
    constraints.push({ name, type: 'unique', columns: cols, definition: `UNIQUE (${cols.join(', ')})`, validated: true, references: null });
  }
  for (const c of intent.columns.filter((x) => x.identity)) {
    // AUTO_INCREMENT needs a key that starts with the column (error 1075)
    if (!indexes.some((i) => i.columns[0] === c.name)) throw new PlanningError(`AUTO_INCREMENT column "${c.name}" must be the first column of the primary key or a unique key (the server refuses it otherwise, error 1075)`, statement);
  }
  for (const check of intent.checks) {
    let cols: string[];
    try {
      cols = referencedColumnNames(parseMysql(`SELECT 1 FROM t WHERE ${check.expr}`, flavourOf(engine))[0]!.ast.where);
    } catch {
      throw new PlanningError(`cannot read the CHECK expression "${check.expr}"`, statement);
    }
    known(cols, `CHECK (${check.expr})`);
    const name = check.name ?? derivedName([ref.name, ...(cols.length === 1 ? cols : [])], 'check');
    body.push(`CONSTRAINT ${quoteIdent(name)} CHECK (${check.expr})`);
    constraints.push({ name, type: 'check', columns: cols, definition: `CHECK (${check.expr})`, validated: true, references: null });
  }
  const parents: string[] = [];
  for (const fk of intent.foreignKeys) {
    const cols = known(fk.columns, 'a foreign key');
    const self = (typeof fk.references.table === 'string' ? fk.references.table : fk.references.table.name) === ref.name;
    const parentRef = self ? ref : resolveTable(snapshot, fk.references.table, statement);
    const parent = self ? undefined : findTable(snapshot, parentRef)!;
    const parentColumns = fk.references.columns ?? (self ? pk : parent!.constraints.find((k) => k.type === 'primary_key')?.columns);
    if (!parentColumns?.length) throw new PlanningError(`${displayName(parentRef)} has no primary key; name the referenced columns`, statement);
    if (parentColumns.length !== cols.length) throw new PlanningError(`${cols.length} referencing column(s) but ${parentColumns.length} referenced`, statement);
    const parentCols = self ? columns : parent!.columns;
    cols.forEach((c, i) => {
      const target = parentCols.find((x) => x.name === parentColumns[i]);
      if (!target) throw new PlanningError(`column "${parentColumns[i]}" does not exist in ${displayName(parentRef)}`, statement);
      const a = columns.find((x) => x.name === c)!.type;
      if (mysqlType(a, engine, statement).printed !== mysqlType(target.type, engine, statement).printed) {
        throw new PlanningError(`${c} is ${a} but ${displayName(parentRef)}.${target.name} is ${target.type}: InnoDB needs the same type and sign on both ends (error 150)`, statement);
      }
    });
    if (fk.onDelete === 'set default' || fk.onUpdate === 'set default') throw new PlanningError('InnoDB does not support SET DEFAULT referential actions', statement);
    const name = fk.name ?? derivedName([ref.name, ...cols], 'fkey');
    const actions = `${fk.onDelete ? ` ON DELETE ${fk.onDelete.toUpperCase()}` : ''}${fk.onUpdate ? ` ON UPDATE ${fk.onUpdate.toUpperCase()}` : ''}`;
    body.push(`CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${list(cols)}) REFERENCES ${qualify(parentRef)} (${list(parentColumns)})${actions}`);
    // InnoDB creates an index named like the key when none starts with its columns
    if (!indexes.some((i) => cols.every((c, k) => i.columns[k] === c))) indexes.push(index(name, cols, false, false));
    constraints.push({ name, type: 'foreign_key', columns: cols, definition: `FOREIGN KEY (${cols.join(', ')}) REFERENCES ${displayName(parentRef)} (${parentColumns.join(', ')})${actions}`, validated: true, references: { table: displayName(parentRef), columns: parentColumns } });
    if (!self) parents.push(displayName(parentRef));
  }
  const twice = [...constraints, ...indexes.filter((i) => !constraints.some((k) => k.name === i.name))].find((k, i, all) => all.findIndex((x) => x.name.toLowerCase() === k.name.toLowerCase()) !== i);
  if (twice) throw new PlanningError(`two keys or constraints are named "${twice.name}"`, statement);

  // a context over the table-to-be, for the shared step builder
  const bare = { schema: ref.schema, name: ref.name, columns, indexes, constraints, triggers: [], rowEstimate: 0, sizeBytes: 0 };
  const ctx = makeContext({ ...snapshot, tables: [...snapshot.tables, bare] }, ref, options, statement);
  const uniqueParents = [...new Set(parents)];
  const step = mysqlMetadataStep(ctx, {
    release: 0,
    title: `Create table ${ref.name}`,
    sql: `CREATE TABLE ${qualify(ref)} (${body.join(', ')}) ENGINE=InnoDB`,
    tables: [displayName(ref), ...uniqueParents],
    checkpoint: relationExists(ref, true),
    rollback: { kind: 'sql', sql: [`DROP TABLE ${qualify(ref)}`], transactional: false, note: 'while no application writes to it (its rows go with it)' },
    caveats: [
      'A new, empty table: a catalog change, no row is read or written.',
      ...(uniqueParents.length ? [`Its foreign keys also take the metadata lock of ${uniqueParents.join(', ')} for a moment.`] : []),
      ...(intent.primaryKey?.name && intent.primaryKey.name !== 'PRIMARY' ? [`MySQL/MariaDB call every primary key PRIMARY; the name ${intent.primaryKey.name} is not kept.`] : []),
      ...(intent.primaryKey ? [] : ['No primary key: InnoDB clusters the rows by a hidden row id, and liveshift cannot backfill this table by key ranges later. Give it a primary key.']),
    ],
    changes: [{ op: 'create_table', table: ref, columns, indexes, constraints }],
  });
  return { ref, result: { steps: [step], warnings: [] } };
}
