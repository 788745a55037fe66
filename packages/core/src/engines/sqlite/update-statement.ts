import { tokenize, type Token } from './tokens.js';

/**
 * The assignments and WHERE clause of an `UPDATE t SET a = expr, … [WHERE …]` exactly as written,
 * read by SQLite's tokens. SQL input goes through the PostgreSQL parser, whose deparsed expressions
 * are PostgreSQL's (CAST(x AS TEXT) comes back as x::text, which SQLite cannot run); a backfill on
 * SQLite runs the user's own text instead. Undefined when the statement is not of that plain shape.
 */
export function updateStatementTexts(sql: string): { set: { column: string; expr: string }[]; where?: string } | undefined {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    return undefined;
  }
  while (tokens.length && tokens[tokens.length - 1]!.text === ';') tokens.pop();
  if (tokens[0]?.upper !== 'UPDATE') return undefined;
  const atTop = (word: string, from: number): number => {
    let depth = 0;
    for (let i = from; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.text === '(') depth++;
      else if (t.text === ')') depth--;
      else if (depth === 0 && t.kind === 'word' && t.upper === word) return i;
    }
    return -1;
  };
  const set = atTop('SET', 1);
  if (set < 0) return undefined;
  const where = atTop('WHERE', set + 1);
  const end = where < 0 ? tokens.length : where;
  const items: Token[][] = [[]];
  let depth = 0;
  for (let i = set + 1; i < end; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && depth === 0) items.push([]);
    else items[items.length - 1]!.push(t);
  }
  const assignments = items.map((item) => {
    if (item.length < 3 || (item[0]!.kind !== 'word' && item[0]!.kind !== 'quoted') || item[1]!.text !== '=') return undefined;
    return { column: item[0]!.value, expr: sql.slice(item[2]!.start, item[item.length - 1]!.end) };
  });
  if (assignments.some((a) => a === undefined)) return undefined;
  const whereTokens = where < 0 ? [] : tokens.slice(where + 1);
  return {
    set: assignments as { column: string; expr: string }[],
    ...(whereTokens.length ? { where: sql.slice(whereTokens[0]!.start, whereTokens[whereTokens.length - 1]!.end) } : {}),
  };
}
