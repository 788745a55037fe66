import { afterEach, describe, expect, it } from 'vitest';
import { planChange } from '@liveshift/core';
import { applyPlan, introspectSqlite, openSqlite, sqliteSession } from '@liveshift/runtime';
import { scratchDatabase, tableRows } from './support/sqlite.js';

/** What the SQLite introspection reads from a real file, beyond what the recipe tests compare. */
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

const SCHEMA = `
CREATE TABLE parents (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE);
CREATE TABLE children (
  id INTEGER PRIMARY KEY,
  parent_code TEXT CONSTRAINT children_parent REFERENCES parents (code) ON DELETE CASCADE,
  other_parent INTEGER REFERENCES parents,
  qty INT DEFAULT 0 CHECK (qty >= 0),
  label TEXT,
  doubled INT GENERATED ALWAYS AS (qty * 2) VIRTUAL,
  CONSTRAINT children_label_known CHECK (label IN ('a', 'b')),
  UNIQUE (label, qty)
);
CREATE INDEX children_label_partial ON children (lower(label)) WHERE qty > 0;
CREATE TRIGGER children_log AFTER INSERT ON children BEGIN SELECT 1; END;
`;

describe('SQLite introspection', () => {
  it('names every constraint (given names kept, unnamed ones derived), reads CHECKs, foreign keys, generated columns, partial expression indexes and triggers', () => {
    const db = scratchDatabase(SCHEMA);
    cleanups.push(db.cleanup);
    const conn = openSqlite(db.url);
    try {
      const snapshot = introspectSqlite(conn);
      expect(snapshot.engine.name).toBe('sqlite');
      const children = snapshot.tables.find((t) => t.name === 'children')!;
      expect(children.schema).toBe('main');
      expect(children.columns.map((c) => [c.name, c.type, c.nullable, c.default, c.generated ?? null])).toEqual([
        ['id', 'INTEGER', true, null, null],
        ['parent_code', 'TEXT', true, null, null],
        ['other_parent', 'INTEGER', true, null, null],
        ['qty', 'INT', true, '0', null],
        ['label', 'TEXT', true, null, null],
        ['doubled', 'INT', true, null, 'virtual'],
      ]);
      expect(children.constraints.map((k) => [k.name, k.type, k.columns, k.references])).toEqual([
        ['children_label_known', 'check', ['label'], null],
        ['children_label_qty_key', 'unique', ['label', 'qty'], null],
        ['children_other_parent_fkey', 'foreign_key', ['other_parent'], { table: 'main.parents', columns: ['id'] }],
        ['children_parent', 'foreign_key', ['parent_code'], { table: 'main.parents', columns: ['code'] }],
        ['children_pkey', 'primary_key', ['id'], null],
        ['children_qty_check', 'check', ['qty'], null],
      ]);
      expect(children.constraints.find((k) => k.name === 'children_parent')!.definition).toBe('FOREIGN KEY ("parent_code") REFERENCES "parents" ("code") ON DELETE CASCADE');
      expect(children.constraints.find((k) => k.name === 'children_label_known')!.definition).toBe("CHECK (label IN ('a', 'b'))");
      expect(children.indexes).toEqual([
        { name: 'children_label_partial', columns: ['lower(label)'], unique: false, primary: false, valid: true, predicate: 'qty > 0', method: 'btree', definition: 'CREATE INDEX children_label_partial ON children (lower(label)) WHERE qty > 0' },
      ]);
      expect(children.triggers).toEqual([{ name: 'children_log', function: 'inline', enabled: true, definition: 'CREATE TRIGGER children_log AFTER INSERT ON children BEGIN SELECT 1; END' }]);
      const parents = snapshot.tables.find((t) => t.name === 'parents')!;
      expect(parents.constraints.map((k) => [k.name, k.definition])).toEqual([
        ['parents_code_key', 'UNIQUE ("code")'],
        ['parents_pkey', 'PRIMARY KEY ("id" AUTOINCREMENT)'],
      ]);
      expect(snapshot.tables.map((t) => t.name), 'no sqlite_sequence, no liveshift tables').toEqual(['children', 'parents']);
    } finally {
      conn.close();
    }
  });

  it('a rebuild of an AUTOINCREMENT table keeps its counter: a deleted last id is never reused', async () => {
    const db = scratchDatabase(`${SCHEMA.replace('doubled INT GENERATED ALWAYS AS (qty * 2) VIRTUAL,', '')}
      INSERT INTO parents (code) VALUES ('p1'), ('p2'), ('p3'); DELETE FROM parents WHERE id = 3;`);
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      const plan = await planChange({ sql: "ALTER TABLE parents ADD CONSTRAINT parents_code_shape CHECK (code LIKE 'p%')" }, await session.introspect());
      await applyPlan(session, plan, { log: () => {}, onProgress: false });
      session.db.prepare("INSERT INTO parents (code) VALUES ('p4')").run();
      expect(tableRows(db.path, 'SELECT id, code FROM parents ORDER BY id')).toBe('[{"id":1,"code":"p1"},{"id":2,"code":"p2"},{"id":4,"code":"p4"}]');
      expect(tableRows(db.path, 'SELECT name, seq FROM sqlite_sequence')).toBe('[{"name":"parents","seq":4}]');
    } finally {
      await session.close();
    }
  });

  it('a generated column stops a rebuild with the reason, rather than turning it into a plain column', async () => {
    const db = scratchDatabase(SCHEMA);
    cleanups.push(db.cleanup);
    const session = sqliteSession(openSqlite(db.url), { owned: true });
    try {
      await expect(planChange({ sql: 'ALTER TABLE children ALTER COLUMN label SET NOT NULL' }, await session.introspect())).rejects.toThrow(/generated column\(s\) \(doubled\)/);
    } finally {
      await session.close();
    }
  });
});
