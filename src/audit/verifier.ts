/**
 * Audit verification off the event loop. On a database file it runs in a worker thread
 * (verify-worker.ts) with its own read-only connection, so that start-up serves at once and an
 * inspector's GET /audit/verify does not freeze the work of a region. The first run checks every
 * entry; later runs continue from the last verified entry (checked again first) unless a full run
 * is asked for. An in-memory database (the tests) is verified in the thread itself, the same way.
 * Requests are answered in order, one verification at a time.
 */
import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/client.ts';
import type { VerifyResult } from './audit-contract.ts';
import { auditTrail, freshVerification, type VerifyState } from './audit-log.ts';

export interface AuditVerifier {
  /** `full`: from the first entry; else from where the last verification got to. */
  verify(full?: boolean): Promise<VerifyResult>;
  close(): Promise<void>;
}

export function auditVerifier(db: Db, onResult: (result: VerifyResult) => void): AuditVerifier {
  return db.$client.memory ? inThread(db, onResult) : inWorker(db.$client.name, onResult);
}

function inThread(db: Db, onResult: (result: VerifyResult) => void): AuditVerifier {
  const audit = auditTrail(db);
  let state: VerifyState | null = null;
  return {
    async verify(full = false) {
      const run = audit.verifyFrom(full || state === null ? freshVerification() : state);
      state = run.state;
      onResult(run.result);
      return run.result;
    },
    async close() {},
  };
}

function inWorker(path: string, onResult: (result: VerifyResult) => void): AuditVerifier {
  let worker: Worker | null = null;
  let next = 0;
  const waiting = new Map<number, { resolve: (r: VerifyResult) => void; reject: (e: Error) => void }>();
  const failAll = (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    worker = null;
  };
  const started = (): Worker => {
    if (worker) return worker;
    const w = new Worker(new URL('./verify-worker.mjs', import.meta.url), { workerData: { path } });
    w.on('message', (message: { id: number; result?: VerifyResult; error?: string }) => {
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (waiting.size === 0) w.unref();
      if (!pending) return;
      if (message.result) {
        onResult(message.result);
        pending.resolve(message.result);
      } else pending.reject(new Error(`audit verification failed: ${message.error}`));
    });
    w.on('error', failAll);
    w.on('exit', () => failAll(new Error('the audit verification thread stopped')));
    worker = w;
    return w;
  };
  return {
    verify(full = false) {
      const w = started();
      w.ref();
      const id = ++next;
      const answer = new Promise<VerifyResult>((resolve, reject) => waiting.set(id, { resolve, reject }));
      w.postMessage({ id, full });
      return answer;
    },
    async close() {
      const w = worker;
      if (!w) return;
      worker = null;
      await Promise.allSettled([...waiting.keys()].map((id) => new Promise<void>((resolve) => {
        const pending = waiting.get(id);
        if (!pending) return resolve();
        waiting.set(id, { resolve: (r) => { pending.resolve(r); resolve(); }, reject: (e) => { pending.reject(e); resolve(); } });
      })));
      await w.terminate();
    },
  };
}
