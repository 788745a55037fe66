import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { sqliteSnapshot } from '../../engines/sqlite/fixtures.test-support.js';

describe('create table on SQLite', () => {
  it('one write transaction, every constraint named, key columns NOT NULL', async () => {
    const plan = await planChange({ sql: 'CREATE TABLE tags (id integer PRIMARY KEY, user_id integer REFERENCES users, name text UNIQUE, CHECK (length(name) > 0))' }, sqliteSnapshot(3045001));
    expect(plan.steps[0]!.sql).toEqual([
      'CREATE TABLE "tags" ("id" INTEGER NOT NULL, "user_id" INTEGER, "name" TEXT, CONSTRAINT "tags_pkey" PRIMARY KEY ("id"), CONSTRAINT "tags_name_key" UNIQUE ("name"), CONSTRAINT "tags_name_check" CHECK (length(name) > 0), CONSTRAINT "tags_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id"))',
    ]);
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['DROP TABLE "tags"'] });
  });

  it('serial is PostgreSQL\'s: refused with the SQLite way', async () => {
    await expect(planChange({ sql: 'CREATE TABLE tags (id serial PRIMARY KEY)' }, sqliteSnapshot(3045001))).rejects.toThrow(/INTEGER PRIMARY KEY/);
  });
});
