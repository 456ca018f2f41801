import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a thread of their own. SQLite normally checkpoints inside
 * the commit that crosses the threshold: that commit (and every request queued
 * behind the one connection) then waits while hundreds of pages are copied and
 * synced — half the write throughput and a second of p99 under load. A
 * separate connection on a worker thread runs PASSIVE checkpoints instead,
 * which never block readers or the writer; the main connection keeps a high
 * automatic threshold only as a safety net should the worker fall behind.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next round will do it */ }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

export interface Checkpointer {
  /** Resolves once the worker has closed its connection, so the files can be removed. */
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs = 250): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, intervalMs } });
  // Never what keeps a process alive; a failed worker only means SQLite checkpoints inline again.
  worker.unref();
  worker.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: () => {
      // Waiting for it must keep the process alive until it has let go of the file.
      worker.ref();
      worker.postMessage('stop');
      return exited;
    },
  };
}
