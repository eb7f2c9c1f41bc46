// Runs in a worker thread with its own connection: checkpoints the WAL so that no request on the
// main thread ever pays for one (the service opens its connection with wal_autocheckpoint = 0).
// Plain JavaScript so it loads in a worker without the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path);
// As every connection (connection.ts): what this connection frees is zeroed, never left behind.
db.pragma('secure_delete = ON');
db.pragma('busy_timeout = 1000');

function checkpoint(mode) {
  try {
    const [result] = db.pragma(`wal_checkpoint(${mode})`);
    parentPort.postMessage({ type: 'checkpoint', mode, ...result });
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String(error?.code ?? error) });
  }
}

const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs);

parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint('TRUNCATE');
  db.close();
  parentPort.postMessage({ type: 'stopped' });
});
