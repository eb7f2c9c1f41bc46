/**
 * Audit verification off the event loop. On a database file it runs in a worker thread
 * (verify-worker.ts) with its own read-only connection, so that start-up serves at once and an
 * inspector's GET /audit/verify does not freeze the work of a region. The first run checks every
 * entry; later runs continue from the last verified entry (checked again first) unless a full run
 * is asked for. An in-memory database (the tests) is verified in the thread itself, the same way.
 * Requests are answered in order, one verification at a time.
 */
import type { Db } from './client.ts';
import type { AuditVerifier as Verifier } from '../port.ts';

type AuditVerifier = Omit<Verifier, 'state'>;
import { readThread } from './read-thread.ts';
import type { VerifyResult } from '../../audit/audit-contract.ts';
import { auditTrail } from './audit.ts';
import { freshVerification, type VerifyState } from '../../audit/audit-chain.ts';

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
  const thread = readThread<{ full: boolean }, VerifyResult>(new URL('./verify-worker.mjs', import.meta.url), path);
  return {
    async verify(full = false) {
      const result = await thread.call({ full });
      onResult(result);
      return result;
    },
    close: () => thread.close(),
  };
}
