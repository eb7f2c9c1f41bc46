/**
 * Idempotent commands (DESIGN §5.6), the rules both stores keep: `Idempotency-Key` on POST /cases
 * and POST /cases/{id}/events belongs to the client that sent it. Within 24 hours the same key with
 * the same target and body gets the first answer again and changes nothing; with another target or
 * body it is refused (422 IDEMPOTENCY_KEY_REUSED). Each store keeps the key in the transaction of
 * the write it answers, so a refused request leaves no key and its retry is tried afresh.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';

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
