/**
 * Idempotency keys on SQLite (DESIGN §5.6; the rules in src/cases/idempotency.ts): looked up and
 * stored inside the engine's transaction.
 */
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { idempotencyKeys } from '../../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { CaseView } from '../../cases/case-view.ts';
import { IDEMPOTENCY_WINDOW_MS, requestHash, type KeyedRequest } from '../../cases/idempotency.ts';

export function idempotencyStore(db: Db) {
  const find = db.select().from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.clientId, sql.placeholder('clientId')), eq(idempotencyKeys.key, sql.placeholder('key')),
      gte(idempotencyKeys.createdAt, sql.placeholder('since'))))
    .prepare();
  // A key older than the window may be used again: its old row is replaced.
  const save = db.insert(idempotencyKeys).values({
    clientId: sql.placeholder('clientId'), key: sql.placeholder('key'), requestHash: sql.placeholder('requestHash'),
    caseId: sql.placeholder('caseId'), status: sql.placeholder('status'), response: sql.placeholder('response'),
    createdAt: sql.placeholder('createdAt'),
  }).onConflictDoUpdate({
    target: [idempotencyKeys.clientId, idempotencyKeys.key],
    set: {
      requestHash: sql`excluded.request_hash`, caseId: sql`excluded.case_id`, status: sql`excluded.status`,
      response: sql`excluded.response`, createdAt: sql`excluded.created_at`,
    },
  }).prepare();
  const prune = db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, sql.placeholder('before'))).prepare();

  return {
    /**
     * Runs `write` once per key: inside the caller's transaction, the first answer when the key
     * was seen within the window, else `write`'s answer, stored with the key.
     */
    once(request: KeyedRequest | undefined, now: string, status: number, write: () => CaseView): CaseView {
      if (!request) return write();
      const hash = requestHash(request.target, request.body);
      const since = new Date(Date.parse(now) - IDEMPOTENCY_WINDOW_MS).toISOString();
      const seen = find.get({ clientId: request.clientId, key: request.key, since });
      if (seen) {
        if (seen.requestHash !== hash) {
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another request in the last 24 hours');
        }
        return JSON.parse(seen.response) as CaseView;
      }
      const view = write();
      save.run({ clientId: request.clientId, key: request.key, requestHash: hash, caseId: view.id, status,
        response: JSON.stringify(view), createdAt: now });
      return view;
    },
    /** Removes keys recorded before `before`; returns how many. */
    prune: (before: string): number => prune.run({ before }).changes,
  };
}
