import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';

/**
 * The machine's MariaDB (.ci/run starts it when it is not running): every test file gets scratch
 * databases named liveshift_t_<random>, dropped afterwards. LIVESHIFT_MARIADB_URL points elsewhere
 * (default mysql://root@127.0.0.1:3306, root with an empty password as .ci/run sets it up).
 */
export const SERVER_URL = process.env.LIVESHIFT_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';

export interface ScratchDatabase {
  name: string;
  url: string;
  /** A connection to it, closed after the file's tests. */
  connect(): Promise<mysql.Connection>;
}

export function withMariadb(): { database(): Promise<ScratchDatabase>; admin(): mysql.Connection } {
  const created: string[] = [];
  const open: mysql.Connection[] = [];
  let admin: mysql.Connection | undefined;
  beforeAll(async () => {
    admin = await mysql.createConnection({ uri: SERVER_URL });
  });
  afterAll(async () => {
    for (const c of open) await c.end().catch(() => {});
    for (const name of created) await admin!.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin?.end();
  });
  return {
    admin: () => admin!,
    async database() {
      const name = `liveshift_t_${randomBytes(5).toString('hex')}`;
      await admin!.query(`CREATE DATABASE \`${name}\``);
      created.push(name);
      const url = `${SERVER_URL.replace(/\/$/, '')}/${name}`;
      return {
        name,
        url,
        async connect() {
          const c = await mysql.createConnection({ uri: url, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
          open.push(c);
          return c;
        },
      };
    },
  };
}

export const SEED_ROWS = 3000;

/** users(id bigint auto_increment, full_name, email): every tenth email NULL; statistics analyzed. */
export async function seedUsers(c: mysql.Connection, rows = SEED_ROWS): Promise<void> {
  await c.query(`SET SESSION max_recursive_iterations = ${rows + 10}`);
  await c.query('CREATE TABLE users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, full_name varchar(200) NULL, email varchar(200) NULL, score int NOT NULL DEFAULT 0) ENGINE=InnoDB');
  await c.query(
    `INSERT INTO users (full_name, email, score) WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${rows})
     SELECT CONCAT('user ', n), IF(n % 10 = 0, NULL, CONCAT('u', n, '@example.com')), n FROM seq`,
  );
  await c.query('ANALYZE TABLE users');
}

/** orders(id, user_id bigint, total int) referencing users by user_id, not yet by a foreign key. */
export async function seedOrders(c: mysql.Connection, rows = SEED_ROWS): Promise<void> {
  await c.query(`SET SESSION max_recursive_iterations = ${rows + 10}`);
  await c.query('CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id bigint(20) NULL, total int NULL) ENGINE=InnoDB');
  await c.query(`INSERT INTO orders (user_id, total) WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${rows}) SELECT 1 + (n % 500), n FROM seq`);
  await c.query('ANALYZE TABLE orders');
}

/** The InnoDB table id: it changes when ALTER rebuilds the table (locks.md §0: "rebuild" measured this way). */
export async function innodbTableId(c: mysql.Connection, database: string, table: string): Promise<number | undefined> {
  const [rows] = await c.query('SELECT TABLE_ID AS id FROM information_schema.INNODB_SYS_TABLES WHERE NAME = ?', [`${database}/${table}`]);
  const id = (rows as { id: unknown }[])[0]?.id;
  return id === undefined ? undefined : Number(id);
}
