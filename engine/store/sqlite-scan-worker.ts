/**
 * A keyset scan of one SQLite query run in a worker thread, so that hydration reads the next pages
 * while the main thread builds the mirror from the previous ones (at 1M CIs the scans are about a
 * third of hydration). The worker opens its own read-only connection on the same file (WAL: it sees
 * what was committed, like a second reader) and stays at most `WINDOW` pages ahead of the consumer.
 *
 * The worker's code is plain JavaScript passed as a string (`eval`), so it runs the same under tsx,
 * vitest and a compiled build; it loads better-sqlite3 from the path this module resolves.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Pages the worker may read ahead of the consumer. */
const WINDOW = 4;

// Errors are posted as text: a thrown SqliteError reaches the parent as a plain object without its message.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pageSize } = workerData;
let db, stmt;
let credits = workerData.window;
let after = '';
let done = false;
function pump() {
  try {
    if (!db) {
      const Database = require(workerData.driver);
      db = new Database(workerData.path, { readonly: true, fileMustExist: true });
      stmt = db.prepare(workerData.sql);
    }
    while (credits > 0 && !done) {
      credits -= 1;
      const rows = stmt.all(after, pageSize);
      parentPort.postMessage({ rows });
      if (rows.length < pageSize) done = true;
      else after = rows[rows.length - 1].id;
    }
  } catch (err) {
    done = true;
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
  if (done && db) db.close();
}
parentPort.on('message', () => { credits += 1; pump(); });
pump();
`;

const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Yields the pages of `sql` (parameters: the last id of the previous page, the page size; rows
 * must have an `id` column and come in id order), ending after the first short page. Breaking out
 * of the loop stops the worker.
 */
export async function* scanInWorker<Row extends { id: string }>(path: string, sql: string, pageSize: number): AsyncGenerator<Row[]> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: driverPath, path, sql, pageSize, window: WINDOW } });
  const pages: Row[][] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (m: { rows: Row[] } | { error: string }) => {
    if ('rows' in m) pages.push(m.rows);
    else failure ??= new Error(m.error);
    notify();
  });
  worker.on('error', (err: Error) => {
    failure = err;
    notify();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`the scan worker stopped (exit code ${code})`);
    notify();
  });
  try {
    for (;;) {
      while (pages.length === 0 && failure === undefined) await new Promise<void>((resolve) => (wake = resolve));
      const rows = pages.shift();
      if (rows === undefined) throw failure!;
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
      worker.postMessage(0);
    }
  } finally {
    await worker.terminate();
  }
}
