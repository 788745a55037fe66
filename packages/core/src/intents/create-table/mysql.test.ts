import { describe, expect, it } from 'vitest';
import { planChange } from '../../planner.js';
import { MARIADB_10_11, mysqlSnapshot } from '../mysql-fixtures.test-support.js';

const SQL =
  'CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id bigint(20) NULL, code varchar(20) NOT NULL UNIQUE, total int NOT NULL DEFAULT 0, ' +
  'CONSTRAINT orders_total_check CHECK (total >= 0), CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE) ENGINE=InnoDB';

describe('create table on MySQL/MariaDB', () => {
  it('one CREATE TABLE with every key named as the server will show it; a foreign key without an index gets one named like the key', async () => {
    const plan = await planChange({ sql: SQL }, mysqlSnapshot(MARIADB_10_11));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.sql).toEqual([
      'CREATE TABLE `app`.`orders` (`id` bigint NOT NULL AUTO_INCREMENT, `user_id` bigint(20) NULL, `code` varchar(20) NOT NULL, `total` int NOT NULL DEFAULT 0, PRIMARY KEY (`id`), UNIQUE KEY `code` (`code`), ' +
        'CONSTRAINT `orders_total_check` CHECK (`total` >= 0), CONSTRAINT `orders_user_fk` FOREIGN KEY (`user_id`) REFERENCES `app`.`users` (`id`) ON DELETE CASCADE) ENGINE=InnoDB',
    ]);
    expect(plan.steps[0]!.lock).toMatchObject({ mode: 'LOCK=EXCLUSIVE', tables: ['app.orders', 'app.users'], duration: 'brief' });
    const change = plan.steps[0]!.changes[0] as { indexes: { name: string }[] };
    expect(change.indexes.map((i) => i.name)).toEqual(['PRIMARY', 'code', 'orders_user_fk']);
    expect(plan.steps[0]!.rollback).toMatchObject({ kind: 'sql', sql: ['DROP TABLE `app`.`orders`'] });
  });

  it('refused with the reason: an inline REFERENCES (ignored by the server), a plain KEY, another storage engine, an AUTO_INCREMENT outside a key, a foreign key type mismatch', async () => {
    const snap = mysqlSnapshot(MARIADB_10_11);
    await expect(planChange({ sql: 'CREATE TABLE t (id bigint PRIMARY KEY, u bigint REFERENCES users (id))' }, snap)).rejects.toThrow(/inline REFERENCES .* ignores it/);
    await expect(planChange({ sql: 'CREATE TABLE t (id bigint PRIMARY KEY, a int, KEY ix (a))' }, snap)).rejects.toThrow(/plain KEY in CREATE TABLE/);
    await expect(planChange({ sql: 'CREATE TABLE t (id bigint PRIMARY KEY) ENGINE=MyISAM' }, snap)).rejects.toThrow(/table option ENGINE/);
    await expect(planChange({ sql: 'CREATE TABLE t (id bigint NOT NULL AUTO_INCREMENT, a int)' }, snap)).rejects.toThrow(/error 1075/);
    await expect(planChange({ sql: 'CREATE TABLE t (id bigint PRIMARY KEY, u int, CONSTRAINT f FOREIGN KEY (u) REFERENCES users (id))' }, snap)).rejects.toThrow(/error 150/);
  });
});
