import { SqliteSyntaxError, isName, matchingParen, nameOf, sourceOf, splitTopLevel, tokenize, type Token } from './tokens.js';

/**
 * The structure of the CREATE TABLE / CREATE INDEX text sqlite_schema stores, read from its tokens:
 * constraint names (the pragmas do not report them), CHECK expressions (no pragma reports them),
 * and the features a table rebuild must not silently lose (AUTOINCREMENT, COLLATE, generated
 * columns, STRICT, WITHOUT ROWID).
 */

export type ClauseKind = 'primary_key' | 'unique' | 'check' | 'foreign_key' | 'not_null' | 'null' | 'default' | 'collate' | 'generated';

export interface Clause {
  /** The CONSTRAINT name given in the text, if any. */
  name: string | null;
  kind: ClauseKind;
  /** The clause as written, without its CONSTRAINT name. */
  text: string;
  /** Table constraints: the columns listed; column constraints: the column itself. */
  columns: string[];
  /** CHECK: the expression inside the parentheses. */
  expression?: string;
  /** FOREIGN KEY / REFERENCES: the referenced table and columns ([] when it names none: the parent's primary key). */
  references?: { table: string; columns: string[] };
}

export interface ParsedColumn {
  name: string;
  /** The declared type as written ('' when none). */
  type: string;
  clauses: Clause[];
  autoincrement: boolean;
}

export interface ParsedCreateTable {
  name: string;
  columns: ParsedColumn[];
  constraints: Clause[];
  /** Table options after the closing parenthesis, upper-cased: "STRICT", "WITHOUT ROWID". */
  options: string[];
}

const COLUMN_CLAUSE_STARTERS = new Set(['CONSTRAINT', 'PRIMARY', 'NOT', 'NULL', 'UNIQUE', 'CHECK', 'DEFAULT', 'COLLATE', 'REFERENCES', 'GENERATED', 'AS']);
const TABLE_CONSTRAINT_STARTERS = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);

export function parseCreateTable(sql: string): ParsedCreateTable {
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.text === '(');
  if (tokens[0]?.upper !== 'CREATE' || open < 0 || !tokens.slice(0, open).some((t) => t.upper === 'TABLE')) {
    throw new SqliteSyntaxError(`not a CREATE TABLE statement: ${sql.slice(0, 80)}`);
  }
  if (tokens.slice(0, open).some((t) => t.upper === 'AS')) throw new SqliteSyntaxError('CREATE TABLE … AS SELECT has no column definitions');
  const nameToken = tokens[open - 1]!;
  const close = matchingParen(tokens, open);
  const parsed: ParsedCreateTable = { name: nameOf(nameToken), columns: [], constraints: [], options: [] };
  for (const item of splitTopLevel(tokens, open, close)) {
    if (TABLE_CONSTRAINT_STARTERS.has(item[0]!.upper)) parsed.constraints.push(tableConstraint(sql, item));
    else parsed.columns.push(columnDefinition(sql, item));
  }
  parsed.options = splitOptions(tokens.slice(close + 1));
  return parsed;
}

function splitOptions(tokens: Token[]): string[] {
  const options: string[] = [];
  let current: string[] = [];
  for (const t of tokens) {
    if (t.text === ',') {
      options.push(current.join(' '));
      current = [];
    } else if (t.text !== ';') current.push(t.upper);
  }
  if (current.length) options.push(current.join(' '));
  return options;
}

function columnDefinition(sql: string, item: Token[]): ParsedColumn {
  const name = nameOf(item[0]!);
  let i = 1;
  const typeTokens: Token[] = [];
  while (i < item.length && !COLUMN_CLAUSE_STARTERS.has(item[i]!.upper)) {
    if (item[i]!.text === '(') {
      const end = item.findIndex((t, k) => k > i && t.text === ')');
      typeTokens.push(...item.slice(i, end + 1));
      i = end + 1;
    } else typeTokens.push(item[i++]!);
  }
  const column: ParsedColumn = { name, type: sourceOf(sql, typeTokens), clauses: [], autoincrement: item.some((t) => t.upper === 'AUTOINCREMENT') };
  for (const clause of columnClauses(item.slice(i))) column.clauses.push(describeClause(sql, clause.tokens, clause.name, [name]));
  return column;
}

/** Column constraints, each from its starter keyword to the next one at depth 0. */
function columnClauses(tokens: Token[]): { name: string | null; tokens: Token[] }[] {
  const out: { name: string | null; tokens: Token[] }[] = [];
  let name: string | null = null;
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.upper === 'CONSTRAINT') {
      name = nameOf(tokens[i + 1]!);
      i += 2;
      continue;
    }
    const start = i;
    const kind = t.upper;
    i++;
    // DEFAULT's value is the next literal, signed number or parenthesised expression (even NULL)
    if (kind === 'DEFAULT') i = tokens[i]?.text === '(' ? matchingParen(tokens, i) + 1 : i + (tokens[i]?.text === '-' || tokens[i]?.text === '+' ? 2 : 1);
    let depth = 0;
    while (i < tokens.length) {
      const u = tokens[i]!;
      if (u.text === '(') depth++;
      if (u.text === ')') depth--;
      if (depth === 0 && COLUMN_CLAUSE_STARTERS.has(u.upper)) {
        const prev = tokens[i - 1]?.upper;
        // inside REFERENCES: ON DELETE SET NULL / SET DEFAULT, NOT DEFERRABLE belong to the clause
        const inReferences = kind === 'REFERENCES' && (prev === 'SET' || (u.upper === 'NOT' && tokens[i + 1]?.upper === 'DEFERRABLE'));
        // NOT NULL's second word
        const notNull = kind === 'NOT' && u.upper === 'NULL' && i === start + 1;
        // GENERATED ALWAYS AS (…)
        const generated = kind === 'GENERATED' && u.upper === 'AS';
        if (!inReferences && !notNull && !generated) break;
      }
      i++;
    }
    out.push({ name, tokens: tokens.slice(start, i) });
    name = null;
  }
  return out;
}

function tableConstraint(sql: string, item: Token[]): Clause {
  let name: string | null = null;
  let tokens = item;
  if (item[0]!.upper === 'CONSTRAINT') {
    name = nameOf(item[1]!);
    tokens = item.slice(2);
  }
  return describeClause(sql, tokens, name, null);
}

/** Names in a parenthesised column list starting at `open` (each item's first token: COLLATE/ASC/DESC dropped). */
function listedColumns(tokens: Token[], open: number): { columns: string[]; close: number } {
  const close = matchingParen(tokens, open);
  return { columns: splitTopLevel(tokens, open, close).map((item) => nameOf(item[0]!)), close };
}

function describeClause(sql: string, tokens: Token[], name: string | null, column: string[] | null): Clause {
  const text = sourceOf(sql, tokens);
  const head = tokens[0]!.upper;
  const base = { name, text };
  switch (head) {
    case 'PRIMARY':
    case 'UNIQUE': {
      const kind = head === 'PRIMARY' ? 'primary_key' : 'unique';
      if (column) return { ...base, kind, columns: column };
      const open = tokens.findIndex((t) => t.text === '(');
      return { ...base, kind, columns: listedColumns(tokens, open).columns };
    }
    case 'CHECK': {
      const close = matchingParen(tokens, 1);
      return { ...base, kind: 'check', columns: column ?? [], expression: sourceOf(sql, tokens.slice(2, close)) };
    }
    case 'FOREIGN':
    case 'REFERENCES': {
      let columns = column ?? [];
      let at = 0;
      if (head === 'FOREIGN') {
        const open = tokens.findIndex((t) => t.text === '(');
        const listed = listedColumns(tokens, open);
        columns = listed.columns;
        at = listed.close + 1;
      }
      if (tokens[at]?.upper !== 'REFERENCES' || !isName(tokens[at + 1])) throw new SqliteSyntaxError(`malformed foreign key: ${text}`);
      const table = nameOf(tokens[at + 1]!);
      const refColumns = tokens[at + 2]?.text === '(' ? listedColumns(tokens, at + 2).columns : [];
      return { ...base, kind: 'foreign_key', columns, references: { table, columns: refColumns } };
    }
    case 'NOT':
      return { ...base, kind: 'not_null', columns: column ?? [] };
    case 'NULL':
      return { ...base, kind: 'null', columns: column ?? [] };
    case 'DEFAULT':
      return { ...base, kind: 'default', columns: column ?? [] };
    case 'COLLATE':
      return { ...base, kind: 'collate', columns: column ?? [] };
    case 'GENERATED':
    case 'AS':
      return { ...base, kind: 'generated', columns: column ?? [] };
    default:
      throw new SqliteSyntaxError(`unexpected constraint: ${text}`);
  }
}

export interface ParsedCreateIndex {
  name: string;
  unique: boolean;
  table: string;
  /** Key items as written: a column name, or an expression's text. */
  keys: { column: string | null; text: string }[];
  /** The WHERE predicate's text, or null. */
  predicate: string | null;
}

export function parseCreateIndex(sql: string): ParsedCreateIndex {
  const tokens = tokenize(sql);
  const on = tokens.findIndex((t) => t.upper === 'ON');
  if (tokens[0]?.upper !== 'CREATE' || on < 0) throw new SqliteSyntaxError(`not a CREATE INDEX statement: ${sql.slice(0, 80)}`);
  const open = on + 2;
  if (tokens[open]?.text !== '(') throw new SqliteSyntaxError(`malformed CREATE INDEX: ${sql.slice(0, 80)}`);
  const close = matchingParen(tokens, open);
  const keys = splitTopLevel(tokens, open, close).map((item) => {
    // drop a trailing ASC/DESC and COLLATE x: they are not part of the key's identity
    let end = item.length;
    if (['ASC', 'DESC'].includes(item[end - 1]!.upper)) end--;
    if (end >= 2 && item[end - 2]!.upper === 'COLLATE') end -= 2;
    const key = item.slice(0, end);
    return { column: key.length === 1 && isName(key[0]) && key[0]!.kind !== 'string' ? nameOf(key[0]!) : null, text: sourceOf(sql, key) };
  });
  const where = tokens.findIndex((t, k) => k > close && t.upper === 'WHERE');
  const nameToken = tokens[on - 1]!;
  return {
    name: nameOf(nameToken),
    unique: tokens[1]?.upper === 'UNIQUE',
    table: nameOf(tokens[on + 1]!),
    keys,
    predicate: where < 0 ? null : sourceOf(sql, tokens.slice(where + 1).filter((t) => t.text !== ';')),
  };
}

/** Column names an expression mentions, among `columns` (identifier tokens only: strings are values). */
export function mentionedColumns(expression: string, columns: string[]): string[] {
  const names = new Set(tokenize(expression).filter((t) => t.kind === 'word' || t.kind === 'quoted').map((t) => t.value.toLowerCase()));
  return columns.filter((c) => names.has(c.toLowerCase()));
}
