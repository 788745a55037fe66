import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Step, Timeouts } from '@liveshift/core';
import { LiveshiftError, applyPlan, openMysqlSession, type ApplyResult } from '@liveshift/runtime';
import { collectLog, planOf } from '../support/step-fixtures.js';
import { innodbTableId, seedUsers, withMariadb } from './mariadb.js';
import { MDL_FOR_CLAIM, heldWhileBlocked } from './step-by-step.js';

const FAST: Timeouts = { lockTimeoutMs: 1000, retries: 40, initialBackoffMs: 100, maxBackoffMs: 300, statementTimeoutMs: 0 };

function alterStep(sql: string, algorithm: 'INSTANT' | 'INPLACE', over: Partial<Step> = {}): Step {
  return {
    n: 1,
    title: 'alter users',
    kind: 'ddl',
    deploy: 'A',
    instruction: '',
    sql: [sql],
    transactional: false,
    lock: { mode: 'LOCK=NONE', algorithm, tables: ['db.users'], blocksReads: false, blocksWrites: false, duration: 'brief' },
    timeouts: FAST,
    checkpoint: null,
    rollback: { kind: 'none', reason: 'test step' },
    caveats: [],
    changes: [],
    ...over,
  };
}

describe('ALTER TABLE on MariaDB 10.11: explicit clauses and bounded metadata-lock waits', () => {
  const server = withMariadb();

  it('the explicit ALGORITHM=INPLACE, LOCK=NONE makes the server refuse a change that needs a table copy; without them it silently copies', async () => {
    const db = await server.database();
    const c = await db.connect();
    await seedUsers(c);
    const session = await openMysqlSession(db.url);
    const idBefore = await innodbTableId(c, db.name, 'users');
    const plan = planOf(await session.serverInfo(), [alterStep('ALTER TABLE `users` MODIFY `score` bigint NOT NULL DEFAULT 0, ALGORITHM=INPLACE, LOCK=NONE', 'INPLACE')]);
    const error = await applyPlan(session, plan, { log: () => {}, onProgress: false }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(LiveshiftError);
    expect((error as LiveshiftError).exitCode).toBe(1);
    expect((error as LiveshiftError).message).toMatch(/ALGORITHM=INPLACE is not supported.*Try ALGORITHM=COPY.*MySQL error 1846/s);
    expect(await innodbTableId(c, db.name, 'users')).toBe(idBefore);
    const [type] = await c.query("SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'score'");
    expect((type as { t: string }[])[0]!.t).toBe('int(11)');
    // the same change without the clauses: accepted, by copying the table (new InnoDB table id)
    await c.query('ALTER TABLE users MODIFY score bigint NOT NULL DEFAULT 0');
    expect(await innodbTableId(c, db.name, 'users')).not.toBe(idBefore);
    await session.close();
  });

  it('a DDL behind a long transaction: its metadata-lock wait is seen in METADATA_LOCK_INFO, it gives up within lock_wait_timeout, retries, and succeeds once the transaction ends; readers wait at most one timeout', async () => {
    const db = await server.database();
    const setup = await db.connect();
    await seedUsers(setup);
    try {
      await setup.query("INSTALL SONAME 'metadata_lock_info'");
    } catch {
      // already installed
    }
    const blocker = await db.connect();
    const reader = await db.connect();
    const observer = await db.connect();
    const session = await openMysqlSession(db.url);
    const runnerId = session.connection.threadId;
    const plan = planOf(await session.serverInfo(), [alterStep('ALTER TABLE `users` ADD COLUMN `note` varchar(20) NULL, ALGORITHM=INSTANT, LOCK=NONE', 'INSTANT')]);

    // an idle transaction that read the table holds its metadata lock until it ends
    await blocker.query('BEGIN');
    await blocker.query('SELECT COUNT(*) FROM users');
    const { log, text } = collectLog();
    let finished = false;
    const applying: Promise<ApplyResult> = applyPlan(session, plan, { log, onProgress: false }).finally(() => {
      finished = true;
    });

    const latencies: number[] = [];
    const reading = (async () => {
      while (!finished) {
        const t0 = performance.now();
        await reader.query('SELECT SUM(score) FROM users');
        latencies.push(performance.now() - t0);
        await sleep(20);
      }
    })();

    // the runner's ALTER, seen from a third session while it waits
    const seen = { upgradable: false, blockerRead: false, waiting: false };
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const [locks] = await observer.query('SELECT THREAD_ID AS thread, LOCK_MODE AS mode FROM information_schema.METADATA_LOCK_INFO WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [db.name, 'users']);
      for (const l of locks as { thread: number; mode: string }[]) {
        if (Number(l.thread) === runnerId && l.mode === 'MDL_SHARED_UPGRADABLE') seen.upgradable = true;
        if (Number(l.thread) === blocker.threadId && l.mode === 'MDL_SHARED_READ') seen.blockerRead = true;
      }
      const [state] = await observer.query('SELECT STATE AS state FROM information_schema.PROCESSLIST WHERE ID = ?', [runnerId]);
      if ((state as { state: string }[])[0]?.state === 'Waiting for table metadata lock') seen.waiting = true;
      await sleep(50);
    }
    expect(finished).toBe(false);
    expect(seen).toEqual({ upgradable: true, blockerRead: true, waiting: true });
    await blocker.query('COMMIT');
    const result = await applying;
    await reading;

    expect(result.ran).toEqual([1]);
    expect(text()).toMatch(/step 1 \(alter users\): lock not granted within lock_wait_timeout 1s \(error 1205\) \(attempt 1 of 41\); retrying in 100ms/);
    // a read waits up to one lock_wait_timeout each time the ALTER queues: few reads get through in 3 s
    expect(latencies.length).toBeGreaterThan(5);
    // reads queued behind the waiting ALTER (the lock-queue hazard is real here) — never longer than one wait
    expect(latencies.some((ms) => ms > 300)).toBe(true);
    expect(Math.max(...latencies)).toBeLessThan(1000 + 1000);
    const [cols] = await setup.query("SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'note'");
    expect(Number((cols as { n: unknown }[])[0]!.n)).toBe(1);
    await session.close();
  });

  it('fails with exit code 1, changing nothing, when the lock budget runs out', async () => {
    const db = await server.database();
    const setup = await db.connect();
    await seedUsers(setup);
    const blocker = await db.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT 1 FROM users LIMIT 1');
    const session = await openMysqlSession(db.url);
    const plan = planOf(await session.serverInfo(), [alterStep('ALTER TABLE `users` ADD COLUMN `note` varchar(20) NULL, ALGORITHM=INSTANT, LOCK=NONE', 'INSTANT', { timeouts: { ...FAST, retries: 1 } })]);
    const error = await applyPlan(session, plan, { log: () => {}, onProgress: false }).then(() => undefined, (e: unknown) => e);
    expect((error as LiveshiftError).exitCode).toBe(1);
    expect((error as LiveshiftError).message).toMatch(/could not take its lock on db\.users within the budget: 2 attempts of lock_wait_timeout 1s/);
    await blocker.query('COMMIT');
    const [cols] = await setup.query("SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'note'");
    expect(Number((cols as { n: unknown }[])[0]!.n)).toBe(0);
    await session.close();
  });

  it('the metadata lock observed while an ALTER runs tells its LOCK= apart: NONE holds MDL_SHARED_UPGRADABLE, SHARED holds MDL_SHARED_NO_WRITE', async () => {
    const db = await server.database();
    // large enough that the index build lasts long enough to be sampled
    await seedUsers(await db.connect(), 200_000);
    const session = await openMysqlSession(db.url);
    const seen: Record<string, string | undefined> = {};
    for (const [lock, name] of [['LOCK=NONE', 'by_email'], ['LOCK=SHARED', 'by_name']] as const) {
      const step = alterStep(`ALTER TABLE \`users\` ADD INDEX \`${name}\` (\`email\`), ALGORITHM=INPLACE, ${lock}`, 'INPLACE', { lock: { mode: lock, algorithm: 'INPLACE', tables: ['db.users'], blocksReads: false, blocksWrites: lock !== 'LOCK=NONE', duration: 'scan' } });
      const observing = await heldWhileBlocked(db, 'users', session.connection.threadId);
      const result = await applyPlan(session, planOf(await session.serverInfo(), [step]), { log: () => {}, onProgress: false });
      seen[lock] = await observing.done(result);
    }
    await session.close();
    expect(seen).toEqual({ 'LOCK=NONE': MDL_FOR_CLAIM['LOCK=NONE'], 'LOCK=SHARED': MDL_FOR_CLAIM['LOCK=SHARED'] });
    expect(seen).toEqual({ 'LOCK=NONE': 'MDL_SHARED_UPGRADABLE', 'LOCK=SHARED': 'MDL_SHARED_NO_WRITE' });
  });
});
