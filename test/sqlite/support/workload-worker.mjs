// A second connection doing the application's reads and writes while a plan runs (better-sqlite3 is
// synchronous, so it runs in its own thread). Counters live in shared memory so the test can read
// them while this thread waits on busy_timeout. Plain JavaScript: workers are not transformed by vitest.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, busyTimeoutMs, counters: buffer } = workerData;
// [reads, writes, failures, stop]
const counters = new Int32Array(buffer);
const db = new Database(path);
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
let statements = workerData.statements;
const failures = [];

parentPort.on('message', (message) => {
  if (message.type === 'release') {
    statements = message.statements;
    parentPort.postMessage({ type: 'released' });
  }
});

let n = 0;
while (Atomics.load(counters, 3) === 0) {
  n++;
  const key = 1 + (n % statements.keys);
  for (const sql of statements.reads) {
    try {
      db.prepare(sql).all(key);
      Atomics.add(counters, 0, 1);
    } catch (error) {
      Atomics.add(counters, 2, 1);
      if (failures.length < 5) failures.push(`${sql}: ${error.message}`);
    }
  }
  if (n % 3 === 0) {
    for (const sql of statements.writes) {
      try {
        db.prepare(sql).run(...(sql.match(/\?/g) ?? []).map(() => key));
        Atomics.add(counters, 1, 1);
      } catch (error) {
        Atomics.add(counters, 2, 1);
        if (failures.length < 5) failures.push(`${sql}: ${error.message}`);
      }
    }
  }
  // let 'release' messages in
  await new Promise((resolve) => setImmediate(resolve));
}
db.close();
parentPort.postMessage({ type: 'done', failures });
