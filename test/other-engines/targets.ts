import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { onTestFinished } from 'vitest';
import type { SchemaSnapshot } from '@liveshift/core';
import { connectSession } from '@liveshift/runtime';

/**
 * The non-PostgreSQL databases the framework adapters are tested on: a scratch database on the
 * machine's MariaDB (.ci/run starts it) and a scratch SQLite file, each seeded with the same
 * users table, removed when the test finishes.
 */

export type OtherEngine = 'mariadb' | 'sqlite';
export const OTHER_ENGINES: OtherEngine[] = ['mariadb', 'sqlite'];

const MARIADB_URL = process.env.LIVESHIFT_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
export const USERS_ROWS = 1500;

export interface Target {
  engine: OtherEngine;
  /** The --db / DATABASE_URL form. */
  url: string;
  /** knex configuration object literal (JSON) for this database. */
  knexConfig: Record<string, unknown>;
  /** Rows as [id, full_name] for a query on users, in id order. */
  rows(sql: string): Promise<unknown[][]>;
  introspect(): Promise<SchemaSnapshot>;
}

/** A fresh database holding users(id, full_name, email) with USERS_ROWS rows. */
export async function seededTarget(engine: OtherEngine): Promise<Target> {
  return engine === 'mariadb' ? mariadbTarget() : sqliteTarget();
}

async function mariadbTarget(): Promise<Target> {
  const name = `liveshift_fw_${randomBytes(5).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: MARIADB_URL });
  await admin.query(`CREATE DATABASE \`${name}\``);
  const url = `${MARIADB_URL.replace(/\/$/, '')}/${name}`;
  const db = await mysql.createConnection({ uri: url, supportBigNumbers: true, bigNumberStrings: true });
  onTestFinished(async () => {
    await db.end().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  });
  await db.query('CREATE TABLE users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, full_name varchar(200) NULL, email varchar(200) NULL) ENGINE=InnoDB');
  await db.query(`SET SESSION max_recursive_iterations = ${USERS_ROWS + 10}`);
  await db.query(
    `INSERT INTO users (full_name, email) WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${USERS_ROWS})
     SELECT CONCAT('user ', n), CONCAT('u', n, '@example.com') FROM seq`,
  );
  await db.query('ANALYZE TABLE users');
  const parsed = new URL(url);
  return {
    engine: 'mariadb',
    url,
    knexConfig: { client: 'mysql2', connection: { host: parsed.hostname, port: Number(parsed.port || 3306), user: parsed.username, password: parsed.password, database: name } },
    rows: async (sql) => (await db.query({ sql, rowsAsArray: true }))[0] as unknown[][],
    introspect: () => introspectUrl(url),
  };
}

async function sqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(path.join(tmpdir(), 'liveshift-fw-sqlite-'));
  const file = path.join(dir, 'app.db');
  const db = new Database(file);
  onTestFinished(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT)');
  db.prepare(
    `INSERT INTO users (full_name, email) WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${USERS_ROWS})
     SELECT 'user ' || n, 'u' || n || '@example.com' FROM seq`,
  ).run();
  const url = `sqlite:${file}`;
  return {
    engine: 'sqlite',
    url,
    knexConfig: { client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true },
    rows: async (sql) => db.prepare(sql).raw().all() as unknown[][],
    introspect: () => introspectUrl(url),
  };
}

async function introspectUrl(url: string): Promise<SchemaSnapshot> {
  const session = await connectSession(url);
  try {
    return await session.introspect();
  } finally {
    await session.close();
  }
}

/** A framework's own bookkeeping tables are not part of the plan's schema. */
export function withoutTables(snapshot: SchemaSnapshot, names: string[]): SchemaSnapshot {
  return { ...snapshot, tables: snapshot.tables.filter((t) => !names.includes(t.name)) };
}
