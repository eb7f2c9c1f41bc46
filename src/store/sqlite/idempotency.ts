/**
 * Idempotent commands (DESIGN §5.6): `Idempotency-Key` on POST /cases and POST /cases/{id}/events.
 * The key belongs to the client that sent it. Within 24 hours the same key with the same target and
 * body gets the first answer again and changes nothing; with another target or body it is refused
 * (422 IDEMPOTENCY_KEY_REUSED). The key is stored in the transaction of the write it answers, so a
 * request that was refused (and changed nothing) leaves no key, and its retry is tried afresh.
 */
import { createHash } from 'node:crypto';
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { idempotencyKeys } from '../../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { CaseView } from '../../cases/case-view.ts';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** 1 to 255 printable ASCII characters (§5.6). */
const KEY = /^[\x20-\x7e]{1,255}$/;

/** The header's value, checked; undefined when not sent. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 printable ASCII characters, sent once', {
      invalidParams: [{ name: 'Idempotency-Key', reason: 'must be 1 to 255 printable ASCII characters' }],
    });
  }
  return header;
}

/** JSON with object keys in order, so that the same body written differently hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const requestHash = (target: string, body: unknown): string =>
  createHash('sha256').update(target).update('\n').update(canonical(body)).digest('hex');

export interface KeyedRequest {
  clientId: string;
  key: string;
  /** What the request is sent to, e.g. `POST /cases/<id>/events`. */
  target: string;
  body: unknown;
}

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
