import { describe, expect, it } from 'vitest';
import { mentionedColumns, parseCreateIndex, parseCreateTable } from './create-statement.js';
import { splitStatements, tokenize } from './tokens.js';

describe('SQLite CREATE text, read by its tokens', () => {
  it('column and table constraints with their names, CHECK expressions, foreign keys and options', () => {
    const parsed = parseCreateTable(`CREATE TABLE "or""ders" (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      [customer id] INTEGER NOT NULL CONSTRAINT fk_customer REFERENCES customers (id) ON DELETE SET NULL NOT DEFERRABLE,
      qty INT DEFAULT -1 CHECK (qty <> 0), -- a comment, with a comma
      status TEXT COLLATE NOCASE DEFAULT 'new' NOT NULL,
      price DECIMAL(10, 2) DEFAULT (0.5 * 2),
      CONSTRAINT one_status CHECK (status IN ('new', 'paid')),
      UNIQUE (qty, status),
      FOREIGN KEY (qty) REFERENCES stock
    ) STRICT, WITHOUT ROWID`);
    expect(parsed.name).toBe('or"ders');
    expect(parsed.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'INTEGER'],
      ['customer id', 'INTEGER'],
      ['qty', 'INT'],
      ['status', 'TEXT'],
      ['price', 'DECIMAL(10, 2)'],
    ]);
    expect(parsed.columns[0]!.autoincrement).toBe(true);
    expect(parsed.columns[1]!.clauses.map((k) => [k.kind, k.name])).toEqual([
      ['not_null', null],
      ['foreign_key', 'fk_customer'],
    ]);
    expect(parsed.columns[1]!.clauses[1]).toMatchObject({ text: 'REFERENCES customers (id) ON DELETE SET NULL NOT DEFERRABLE', references: { table: 'customers', columns: ['id'] } });
    expect(parsed.columns[2]!.clauses.map((k) => [k.kind, k.text])).toEqual([
      ['default', 'DEFAULT -1'],
      ['check', 'CHECK (qty <> 0)'],
    ]);
    expect(parsed.columns[3]!.clauses.map((k) => k.kind)).toEqual(['collate', 'default', 'not_null']);
    expect(parsed.columns[4]!.clauses.map((k) => k.text)).toEqual(['DEFAULT (0.5 * 2)']);
    expect(parsed.constraints.map((k) => [k.kind, k.name, k.columns])).toEqual([
      ['check', 'one_status', []],
      ['unique', null, ['qty', 'status']],
      ['foreign_key', null, ['qty']],
    ]);
    expect(parsed.constraints[0]!.expression).toBe("status IN ('new', 'paid')");
    expect(parsed.constraints[2]!.references).toEqual({ table: 'stock', columns: [] });
    expect(parsed.options).toEqual(['STRICT', 'WITHOUT ROWID']);
  });

  it('CREATE INDEX: expression keys, ordering and collation dropped from the key, the partial predicate', () => {
    expect(parseCreateIndex('CREATE UNIQUE INDEX IF NOT EXISTS "ix" ON t (a DESC, lower(b) COLLATE NOCASE, "c") WHERE a > 0 AND b IS NOT NULL')).toEqual({
      name: 'ix',
      unique: true,
      table: 't',
      keys: [
        { column: 'a', text: 'a' },
        { column: null, text: 'lower(b)' },
        { column: 'c', text: '"c"' },
      ],
      predicate: 'a > 0 AND b IS NOT NULL',
    });
  });

  it('names in strings are values, not columns', () => {
    expect(mentionedColumns("status = 'qty' AND \"Price\" > 0", ['status', 'qty', 'price'])).toEqual(['status', 'price']);
  });

  it('statements split at top-level semicolons, not inside a trigger body or a string', () => {
    expect(splitStatements("CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = ';'; DELETE FROM c; END; SELECT 1;")).toEqual([
      "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = ';'; DELETE FROM c; END",
      'SELECT 1',
    ]);
  });

  it('an unterminated string is a syntax error, not a silent misread', () => {
    expect(() => tokenize("SELECT 'open")).toThrow(/unterminated string/);
  });
});
