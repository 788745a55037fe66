import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  PlanningError,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  SUPPORTED_INTENTS,
  formatSchemaIssues,
  intentSchema,
  releaseIndex,
  type Intent,
  type PlanInput,
  type SchemaSnapshot,
} from '@liveshift/core';
import { connectSession, parseDatabaseUrl, redactUrl } from '@liveshift/runtime';
import { UsageError } from './errors.js';
import { info } from './output.js';

/** Reads a file the user named; a missing file is bad input (exit 2), not a crash. */
export async function readUserFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new UsageError(`cannot read ${what} ${path}: ${why}`);
  }
}

/** Commander argument parser for whole numbers, e.g. `--batch-size 5000`. */
export function integerOption(min: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };
}

/** Commander argument parser for release names: A, A+1, A+2, ... */
export function releaseOption(value: string): string {
  try {
    releaseIndex(value);
  } catch {
    throw new InvalidArgumentError('expected a release name: A, A+1, A+2, ...');
  }
  return value.trim();
}

export interface SchemaSource {
  db?: string;
  snapshot?: string;
}

/** The schema facts to plan against: a live database (--db) or a snapshot file (--snapshot). */
export async function loadSchema(source: SchemaSource): Promise<SchemaSnapshot> {
  if (source.db && source.snapshot) throw new UsageError('give either --db or --snapshot, not both');
  if (source.snapshot) return readSnapshotFile(source.snapshot);
  if (source.db) return snapshotFromDatabase(source.db);
  throw new UsageError('liveshift needs the schema: pass --db <url> (a live database) or --snapshot <file> (written by `liveshift snapshot`)');
}

export async function snapshotFromDatabase(url: string): Promise<SchemaSnapshot> {
  parseDatabaseUrl(url); // an unsupported or malformed URL is bad input, before anything is printed
  info(`reading the schema from ${redactUrl(url)}`);
  const session = await connectSession(url);
  try {
    return await session.introspect();
  } finally {
    await session.close().catch(() => {});
  }
}

export async function readSnapshotFile(path: string): Promise<SchemaSnapshot> {
  const text = await readUserFile(path, 'snapshot');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`snapshot ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const snap = data as Partial<SchemaSnapshot> | null;
  if (typeof snap !== 'object' || snap === null || snap.format !== SNAPSHOT_FORMAT) {
    throw new UsageError(`${path} is not a liveshift snapshot: expected "format": "${SNAPSHOT_FORMAT}" (write one with \`liveshift snapshot --db <url> --out ${path}\`)`);
  }
  if (snap.version !== SNAPSHOT_VERSION) {
    throw new UsageError(`snapshot ${path} has format version ${String(snap.version)}; this liveshift reads version ${SNAPSHOT_VERSION}`);
  }
  if (typeof snap.engine !== 'object' || snap.engine === null || !Array.isArray(snap.tables)) {
    throw new UsageError(`snapshot ${path} is incomplete: it needs "engine" and "tables"`);
  }
  return snap as SchemaSnapshot;
}

export interface ChangeSource {
  sql?: string;
  file?: string;
}

/** What to plan: SQL on the command line, or a .sql file, or a YAML/JSON intent file. */
export async function loadChange(source: ChangeSource): Promise<PlanInput> {
  if (source.sql !== undefined && source.file) throw new UsageError('give the change either as SQL on the command line or with --file, not both');
  if (source.sql !== undefined) {
    if (source.sql.trim() === '') throw new UsageError('the SQL statement is empty');
    return { sql: source.sql };
  }
  if (!source.file) {
    throw new UsageError('what should be planned? Pass a SQL statement, e.g. liveshift plan "ALTER TABLE users RENAME COLUMN full_name TO display_name" --snapshot schema.json, or --file <file.sql|intents.yaml>');
  }
  const text = await readUserFile(source.file, 'file');
  const ext = extname(source.file).toLowerCase();
  if (ext === '.sql') return { sql: text };
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') return { intents: parseIntentFile(text, source.file) };
  throw new UsageError(`--file ${source.file}: expected a .sql file (statements) or a .yaml/.yml/.json intent file`);
}

/**
 * An intent file holds one intent, a list of intents, or `{ intents: [...] }`. Each is validated
 * with core's intent schema; the error names the intent (by position and kind) and the field.
 */
export function parseIntentFile(text: string, path: string): Intent[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new PlanningError(`${path} is not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  let list: unknown[];
  let prefix: string;
  if (Array.isArray(data)) {
    list = data;
    prefix = '';
  } else if (typeof data === 'object' && data !== null && 'intents' in data) {
    const extra = Object.keys(data).filter((k) => k !== 'intents');
    if (extra.length) throw new PlanningError(`${path}: unknown top-level key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}; an intent file has only "intents"`);
    const intents = (data as { intents: unknown }).intents;
    if (!Array.isArray(intents)) throw new PlanningError(`${path}: "intents" must be a list`);
    list = intents;
    prefix = 'intents';
  } else if (typeof data === 'object' && data !== null && 'kind' in data) {
    list = [data];
    prefix = '';
  } else {
    throw new PlanningError(`${path}: expected an intent (an object with "kind"), a list of intents, or { intents: [...] }; kinds: ${kinds()}`);
  }
  if (list.length === 0) throw new PlanningError(`${path}: the file lists no intents`);

  const problems: string[] = [];
  const intents: Intent[] = [];
  list.forEach((item, i) => {
    const result = intentSchema.safeParse(item);
    if (result.success) {
      intents.push(result.data);
      return;
    }
    const kind = typeof item === 'object' && item !== null && typeof (item as { kind?: unknown }).kind === 'string' ? ` (${(item as { kind: string }).kind})` : '';
    const where = list.length === 1 && prefix === '' ? 'the intent' : `intent ${i + 1}${kind}`;
    for (const line of formatSchemaIssues(result.error.issues, prefix ? [prefix, i] : [])) {
      problems.push(`${where}: ${line.replace(/^\(top level\): /, '')}`);
    }
  });
  if (problems.length) {
    throw new PlanningError(`${path} has invalid intents:\n  ${problems.join('\n  ')}\nSupported kinds: ${kinds()}`);
  }
  return intents;
}

function kinds(): string {
  return SUPPORTED_INTENTS.map((s) => s.kind).join(', ');
}
