/**
 * The audit verification thread (verifier.ts): keeps where the last verification got to and
 * continues from there; `full` starts again from the first entry. WAL lets it read while the
 * service writes.
 */
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Db } from './client.ts';
import * as schema from '../../../db/schema.ts';
import { serveReads } from './read-thread.ts';
import { auditTrail } from './audit.ts';
import { freshVerification, type VerifyState } from '../../audit/audit-chain.ts';

serveReads((sqlite) => {
  const audit = auditTrail(drizzle({ client: sqlite, schema }) as Db);
  let state: VerifyState | null = null;
  return ({ full }: { full: boolean }) => {
    state = null === state || full ? freshVerification() : state;
    const run = audit.verifyFrom(state);
    state = run.state;
    return run.result;
  };
});
