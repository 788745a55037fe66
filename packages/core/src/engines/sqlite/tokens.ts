/**
 * SQLite's lexical grammar (tokenize.c: identifiers in "", ``, [] or bare; '' strings; x'' blobs;
 * numbers; -- and C comments; operators), enough to read the structure of the CREATE statements
 * sqlite_schema stores and of the statements a plan carries — never by regular expression over
 * whole statements. Whitespace and comments are dropped; every token keeps its source text.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'blob' | 'punct' | 'variable';

export interface Token {
  kind: TokenKind;
  /** The token exactly as written. */
  text: string;
  /** Identifiers unquoted ("a""b" → a"b); keywords upper-cased in `upper`. */
  value: string;
  upper: string;
  start: number;
  end: number;
}

export class SqliteSyntaxError extends Error {}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, value?: string) => {
    const text = sql.slice(start, end);
    const v = value ?? text;
    tokens.push({ kind, text, value: v, upper: kind === 'word' ? v.toUpperCase() : v, start, end });
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === '"' || c === '`' || c === '[') {
      const closer = c === '[' ? ']' : c;
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new SqliteSyntaxError(`unterminated quoted identifier at ${start}`);
        if (sql[i] === closer) {
          if (closer !== ']' && sql[i + 1] === closer) {
            value += closer;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += sql[i++];
      }
      push('quoted', start, i, value);
    } else if (c === "'" || ((c === 'x' || c === 'X') && sql[i + 1] === "'")) {
      const start = i;
      if (c !== "'") i++;
      i++;
      for (;;) {
        if (i >= sql.length) throw new SqliteSyntaxError(`unterminated string literal at ${start}`);
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      push(c === "'" ? 'string' : 'blob', start, i);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const start = i;
      while (i < sql.length && /[0-9a-zA-Z_.]/.test(sql[i]!)) {
        // exponent signs: 1e-5
        if ((sql[i] === 'e' || sql[i] === 'E') && (sql[i + 1] === '-' || sql[i + 1] === '+')) i++;
        i++;
      }
      push('number', start, i);
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      while (i < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i]!)) i++;
      push('word', start, i);
    } else if (c === '?' || c === ':' || c === '@' || c === '$') {
      const start = i;
      i++;
      while (i < sql.length && /[A-Za-z0-9_]/.test(sql[i]!)) i++;
      push('variable', start, i);
    } else {
      const two = sql.slice(i, i + 2);
      const len = ['||', '<=', '>=', '==', '!=', '<>', '<<', '>>', '->'].includes(two) ? (sql.slice(i, i + 3) === '->>' ? 3 : 2) : 1;
      push('punct', i, i + len);
      i += len;
    }
  }
  return tokens;
}

/** An identifier token's name (quoted or bare). */
export function isName(token: Token | undefined): token is Token {
  return token !== undefined && (token.kind === 'word' || token.kind === 'quoted' || (token.kind === 'string'));
}

export function nameOf(token: Token): string {
  // SQLite accepts a string literal where a name is expected ('t'), as a compatibility quirk
  if (token.kind === 'string') return token.text.slice(1, -1).replace(/''/g, "'");
  return token.value;
}

/** Index of the token closing the parenthesis opened at `open`. */
export function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    else if (tokens[i]!.text === ')' && --depth === 0) return i;
  }
  throw new SqliteSyntaxError('unbalanced parentheses');
}

/** The items of a parenthesised list (tokens open+1 … close-1) split at top-level commas. */
export function splitTopLevel(tokens: Token[], open: number, close: number): Token[][] {
  const items: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && depth === 0) {
      items.push(current);
      current = [];
    } else current.push(t);
  }
  if (current.length) items.push(current);
  return items;
}

/** The original text a run of tokens covers (comments inside it included). */
export function sourceOf(sql: string, tokens: Token[]): string {
  if (!tokens.length) return '';
  return sql.slice(tokens[0]!.start, tokens[tokens.length - 1]!.end);
}

/** Splits a script into statements at top-level semicolons (not inside a trigger's BEGIN … END). */
export function splitStatements(sql: string): string[] {
  const tokens = tokenize(sql);
  const out: string[] = [];
  let from = 0;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // CREATE TRIGGER … BEGIN … ; … END: the body's semicolons are not statement ends
    if (t.upper === 'BEGIN' && tokens.slice(from, i).some((x) => x.upper === 'TRIGGER')) depth++;
    if (t.upper === 'END' && depth > 0 && (tokens[i + 1] === undefined || tokens[i + 1]!.text === ';')) depth--;
    if (t.text === ';' && depth === 0) {
      if (i > from) out.push(sql.slice(tokens[from]!.start, tokens[i - 1]!.end));
      from = i + 1;
    }
  }
  if (from < tokens.length) out.push(sql.slice(tokens[from]!.start, tokens[tokens.length - 1]!.end));
  return out;
}

/** `sql` with every identifier token naming `from` (any quoting, any case) replaced by `to`, quoted; strings untouched. */
export function renameIdentifier(sql: string, from: string, to: string): string {
  const quoted = `"${to.replace(/"/g, '""')}"`;
  let out = '';
  let at = 0;
  for (const t of tokenize(sql)) {
    if ((t.kind === 'word' || t.kind === 'quoted') && t.value.toLowerCase() === from.toLowerCase()) {
      out += sql.slice(at, t.start) + quoted;
      at = t.end;
    }
  }
  return out + sql.slice(at);
}
