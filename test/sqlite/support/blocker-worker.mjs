// Another connection that holds the database write lock (BEGIN IMMEDIATE + a write) for holdMs, then commits.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path);
db.exec('BEGIN IMMEDIATE');
db.exec(workerData.sql);
parentPort.postMessage({ type: 'holding' });
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  parentPort.postMessage({ type: 'committed', at: Date.now() });
}, workerData.holdMs);
