import { findTable, snapshotsAfterSteps, type Plan, type SchemaSnapshot, type TableRef, type TableSchema } from '@liveshift/core';
import { databaseFills, neverWritten, valueFamily, type ValueFamily } from './column-values.js';

/**
 * What the synthetic application does with each table at each release, derived from the schema
 * the release must live with rather than from the wording of the plan: a release deployed at an
 * application step keeps running through every step until the next application step, so it
 * reads and writes exactly the columns that exist throughout that stretch (the intersection of
 * the snapshots after those steps, as core's applyToSnapshot predicts them). For a rename that
 * gives: today's code uses full_name; the dual-write release writes both; the read-switch
 * release uses display_name only, and must survive full_name being dropped.
 */

export interface ColumnUse {
  name: string;
  /** The type as format_type prints it; parameters are cast to it. */
  type: string;
  family: ValueFamily;
  /** Enum labels, for enum columns. */
  labels: string[];
  /** Part of a foreign key: the workload reuses values already in the table. */
  foreignKey: boolean;
  /** Part of a unique index or the primary key: every value the workload writes must be new. */
  unique: boolean;
  /** Named by a CHECK constraint (other than IS NOT NULL): the workload reuses values already in the table, which pass it. */
  checked: boolean;
  nullable: boolean;
}

export interface TableApplication {
  /** schema.table */
  table: string;
  ref: TableRef;
  /** Primary key columns, in key order. */
  key: ColumnUse[];
  /** Inserts leave the key to the database (serial, identity, default). */
  keyFilledByDatabase: boolean;
  /** Columns a point read selects. */
  reads: string[];
  /** Columns an update sets (no key, no foreign key). */
  updates: ColumnUse[];
  /** Columns an insert sets. */
  inserts: ColumnUse[];
}

export interface ApplicationRelease {
  release: string;
  /** The application step that deploys it; null for the release live before the plan starts. */
  deployedAtStep: number | null;
  tables: TableApplication[];
  /** Tables of the plan the release cannot run queries on (no primary key, or absent in part of its stretch). */
  skipped: { table: string; reason: string }[];
}

/** Tables the plan changes, schema.table, in the order the plan lists them. */
export function touchedTables(plan: Plan): string[] {
  const names = [...plan.tables.map((t) => t.table), ...plan.steps.flatMap((s) => s.lock.tables)];
  return [...new Set(names)];
}

/** One release per application step of the plan, plus the release live before it ("A"). */
export function applicationFromPlan(plan: Plan, before: SchemaSnapshot): ApplicationRelease[] {
  const after = snapshotsAfterSteps(before, plan.steps);
  // schemaAt[i] = the schema once steps 1..i are done
  const schemaAt = [before, ...after];
  const tables = touchedTables(plan);
  const appSteps = plan.steps.filter((s) => s.kind === 'app');
  const last = plan.steps.length;
  const stretches: { release: string; deployedAtStep: number | null; from: number; to: number }[] = [];
  const firstRelease = plan.steps[0]?.deploy ?? 'A';
  stretches.push({ release: firstRelease, deployedAtStep: null, from: 0, to: (appSteps[0]?.n ?? last + 1) - 1 });
  appSteps.forEach((step, i) => {
    const next = appSteps[i + 1];
    stretches.push({ release: step.deploy, deployedAtStep: step.n, from: step.n - 1, to: next ? next.n - 1 : last });
  });
  return stretches.map((s) => releaseFor(s.release, s.deployedAtStep, schemaAt.slice(s.from, s.to + 1), tables));
}

/** A single release that uses every column of `tables` as they are in `snapshot` (no plan: e.g. a naive one-statement change). */
export function applicationFromSnapshot(snapshot: SchemaSnapshot, tables: readonly string[], release = 'A'): ApplicationRelease {
  return releaseFor(release, null, [snapshot], tables);
}

function releaseFor(release: string, deployedAtStep: number | null, schemas: SchemaSnapshot[], tables: readonly string[]): ApplicationRelease {
  const out: ApplicationRelease = { release, deployedAtStep, tables: [], skipped: [] };
  for (const name of tables) {
    const ref = parseTableName(name);
    const versions = schemas.map((s) => findTable(s, ref));
    if (versions.some((t) => t === undefined)) {
      out.skipped.push({ table: name, reason: `does not exist throughout release ${release}` });
      continue;
    }
    const app = tableApplication(name, ref, versions as TableSchema[], schemas[0]!);
    if (typeof app === 'string') out.skipped.push({ table: name, reason: app });
    else out.tables.push(app);
  }
  return out;
}

function tableApplication(name: string, ref: TableRef, versions: TableSchema[], schema: SchemaSnapshot): TableApplication | string {
  const first = versions[0]!;
  const primary = first.indexes.find((i) => i.primary);
  if (!primary) return 'has no primary key, so the workload cannot address single rows';
  const inEvery = (column: string) => versions.every((t) => t.columns.some((c) => c.name === column));
  const labelsOf = (type: string) => schema.enums?.find((e) => e.name === type.replace(/^"|"$/g, '') || `${e.schema}.${e.name}` === type)?.values;
  const foreignKeyColumns = new Set(first.constraints.filter((k) => k.type === 'foreign_key').flatMap((k) => k.columns));
  // unique anywhere in the release's stretch: an index the plan builds later must accept the values too
  const uniqueColumns = new Set(versions.flatMap((t) => t.indexes.filter((i) => i.unique).flatMap((i) => i.columns)));
  // a synthesised value may not pass a CHECK the application's real values pass; "x IS NOT NULL" checks every value passes
  const checkedColumns = new Set(
    versions.flatMap((t) => t.constraints.filter((k) => k.type === 'check' && !/^CHECK \(+\S+ IS NOT NULL\)+( NOT VALID)?$/.test(k.definition)).flatMap((k) => k.columns)),
  );
  const use = (columnName: string): ColumnUse | undefined => {
    const column = first.columns.find((c) => c.name === columnName)!;
    const family = valueFamily(column.type, labelsOf);
    if (!family) return undefined;
    return { name: column.name, type: column.type, family, labels: labelsOf(column.type) ?? [], foreignKey: foreignKeyColumns.has(column.name), unique: uniqueColumns.has(column.name), checked: checkedColumns.has(column.name), nullable: column.nullable };
  };
  const keyNames = primary.columns;
  if (!keyNames.every(inEvery)) return 'its primary key changes during the release';
  const key = keyNames.map(use);
  if (key.some((k) => k === undefined)) return 'its primary key has a type the workload cannot make values for';
  const columns = first.columns.filter((c) => inEvery(c.name));
  const keyFilledByDatabase = keyNames.every((k) => databaseFills(first.columns.find((c) => c.name === k)!));
  const writable = columns.filter((c) => !neverWritten(c) && !keyNames.includes(c.name));
  const updates = writable.filter((c) => !foreignKeyColumns.has(c.name)).map((c) => use(c.name)).filter((c): c is ColumnUse => c !== undefined);
  // a nullable foreign key is left NULL; a NOT NULL one reuses values already in the table
  const inserts = writable
    .filter((c) => !foreignKeyColumns.has(c.name) || !c.nullable)
    .map((c) => use(c.name))
    .filter((c): c is ColumnUse => c !== undefined);
  return {
    table: name,
    ref,
    key: key as ColumnUse[],
    keyFilledByDatabase,
    reads: columns.map((c) => c.name),
    updates,
    inserts: keyFilledByDatabase ? inserts : [...(key as ColumnUse[]), ...inserts],
  };
}

export function parseTableName(name: string): TableRef {
  const dot = name.indexOf('.');
  return dot < 0 ? { schema: 'public', name } : { schema: name.slice(0, dot), name: name.slice(dot + 1) };
}

/** "reads id, full_name, email; writes full_name, email" per table, for messages and the report. */
export function describeRelease(release: ApplicationRelease): string {
  return release.tables
    .map((t) => `${t.table}: reads ${t.reads.join(', ')}; writes ${[...new Set([...t.updates, ...t.inserts].map((c) => c.name))].join(', ') || 'nothing'}`)
    .join(' | ');
}
