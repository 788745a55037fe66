import { PlanningError, loadParser, sqlToIntents, type IntentInput, type SchemaSnapshot } from '@liveshift/core';

/**
 * What changed between the schema the migrations produce and schema.prisma, as liveshift intents.
 * Prisma decides *what* changed (`prisma migrate diff`, its own differ); liveshift decides *how*.
 * Prisma cannot tell a rename from a drop and an add, so renames are declared in the schema, on
 * the field under its new name:
 *
 *     /// @liveshift.renamedFrom(full_name)
 *     displayName String @map("display_name")
 *
 * and a backfill for a new required column without a default, the same way:
 *
 *     /// @liveshift.backfill('en')
 *     locale String
 */

/** The parts of a Prisma DMMF model this reads (`@prisma/internals` getDMMF, or the generator's options.dmmf). */
export interface DmmfModel {
  name: string;
  dbName?: string | null;
  schema?: string | null;
  fields: readonly { name: string; dbName?: string | null; kind: string; documentation?: string }[];
}

export interface SchemaDeclarations {
  /** table → [{ from, to }], column names as in the database. */
  renames: { table: string; schema: string | null; from: string; to: string }[];
  /** "<table>.<column>" → SQL expression for existing rows. */
  backfills: Map<string, string>;
}

const RENAMED_FROM = /@liveshift\.renamedFrom\(\s*["']?([^"')\s]+)["']?\s*\)/;
const BACKFILL = /@liveshift\.backfill\((.*)\)\s*$/m;

export function schemaDeclarations(models: readonly DmmfModel[]): SchemaDeclarations {
  const renames: SchemaDeclarations['renames'] = [];
  const backfills = new Map<string, string>();
  for (const model of models) {
    const table = model.dbName ?? model.name;
    for (const field of model.fields) {
      if (field.kind !== 'scalar' && field.kind !== 'enum') continue;
      const column = field.dbName ?? field.name;
      const doc = field.documentation ?? '';
      const renamed = RENAMED_FROM.exec(doc);
      if (renamed && renamed[1] !== column) renames.push({ table, schema: model.schema ?? null, from: renamed[1]!, to: column });
      const backfill = BACKFILL.exec(doc);
      if (backfill) backfills.set(`${table}.${column}`, backfill[1]!.trim());
    }
  }
  return { renames, backfills };
}

export interface SchemaChange {
  intents: IntentInput[];
  /** Renames declared in the schema and found in the difference. */
  renamed: string[];
  /** Things the operator should know (an undeclared drop and add that looks like a rename). */
  warnings: string[];
}

function tableName(table: unknown): string {
  return typeof table === 'string' ? table : (table as { name: string }).name;
}

/**
 * Prisma's SQL for the difference → intents, with each declared rename's drop + add turned into
 * one rename, and declared backfills attached to the new required columns.
 */
export async function schemaChange(diffSql: string, declarations: SchemaDeclarations, snapshot: SchemaSnapshot | undefined): Promise<SchemaChange> {
  await loadParser();
  const intents = sqlToIntents(diffSql).map((s) => s.intent);
  const renamed: string[] = [];
  const warnings: string[] = [];
  for (const rename of declarations.renames) {
    const drop = intents.findIndex((i) => i.kind === 'drop_column' && tableName(i.table) === rename.table && i.column === rename.from);
    const add = intents.findIndex((i) => i.kind === 'add_column' && tableName(i.table) === rename.table && i.column.name === rename.to);
    if (drop < 0 && add < 0) continue; // done already: the declaration stays in the schema, harmlessly
    if (drop < 0 || add < 0) {
      throw new PlanningError(
        `${rename.table}.${rename.to} is declared @liveshift.renamedFrom(${rename.from}), but the difference ${drop < 0 ? `does not drop ${rename.from}` : `does not add ${rename.to}`}: ` +
          'check the column names (as in the database, i.e. the @map names)',
      );
    }
    const added = intents[add] as Extract<IntentInput, { kind: 'add_column' }>;
    const old = snapshot?.tables.find((t) => t.name === rename.table && (rename.schema === null || t.schema === rename.schema))?.columns.find((c) => c.name === rename.from);
    if (old && (old.type.toLowerCase() !== added.column.type.toLowerCase() || old.nullable !== (added.column.nullable ?? true) || added.column.default)) {
      throw new PlanningError(
        `${rename.table}.${rename.from} → ${rename.to} is declared as a rename, but the new field also changes the column ` +
          `(${old.type}${old.nullable ? '' : ' NOT NULL'} → ${added.column.type}${added.column.nullable === false ? ' NOT NULL' : ''}${added.column.default ? ` DEFAULT ${added.column.default}` : ''}): ` +
          'rename it first with the same type, nullability and default, and change it in a later step',
      );
    }
    const replacement: IntentInput = { kind: 'rename_column', table: added.table, from: rename.from, to: rename.to };
    intents.splice(Math.max(drop, add), 1);
    intents.splice(Math.min(drop, add), 1, replacement);
    renamed.push(`${rename.table}.${rename.from} → ${rename.to}`);
  }
  for (const intent of intents) {
    if (intent.kind !== 'add_column') continue;
    const backfill = declarations.backfills.get(`${tableName(intent.table)}.${intent.column.name}`);
    if (backfill !== undefined && intent.column.nullable === false && !intent.column.default) intent.column = { ...intent.column, backfill };
  }
  // an undeclared drop and add on one table may be a rename Prisma cannot see
  for (const drop of intents.filter((i) => i.kind === 'drop_column')) {
    const adds = intents.filter((i) => i.kind === 'add_column' && tableName(i.table) === tableName(drop.table));
    for (const add of adds) {
      if (add.kind !== 'add_column' || drop.kind !== 'drop_column') continue;
      warnings.push(
        `${tableName(drop.table)}: ${drop.column} is dropped and ${add.column.name} added. If that is a rename, declare it above the field, ` +
          `/// @liveshift.renamedFrom(${drop.column}), so that the data is kept; as it stands, ${drop.column} and its data go away.`,
      );
    }
  }
  return { intents, renamed, warnings };
}
