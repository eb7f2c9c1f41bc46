/**
 * The audit verification thread: its own read-only connection to the database file, so that a
 * verification over a million entries never holds up the event loop that serves requests. It
 * keeps where the last verification got to and continues from there; `full` starts again from the
 * first entry. WAL lets it read while the service writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Db } from '../../db/client.ts';
import * as schema from '../../db/schema.ts';
import { auditTrail, freshVerification, type VerifyState } from './audit-log.ts';

const { path } = workerData as { path: string };
const sqlite = new Database(path, { readonly: true, fileMustExist: true });
sqlite.pragma('busy_timeout = 5000');
const audit = auditTrail(drizzle({ client: sqlite, schema }) as Db);
let state: VerifyState | null = null;

parentPort?.on('message', (message: { id: number; full: boolean } | 'close') => {
  if (message === 'close') {
    sqlite.close();
    parentPort?.close();
    return;
  }
  try {
    const run = audit.verifyFrom(message.full || state === null ? freshVerification() : state);
    state = run.state;
    parentPort?.postMessage({ id: message.id, result: run.result });
  } catch (error) {
    state = null;
    parentPort?.postMessage({ id: message.id, error: String(error) });
  }
});
