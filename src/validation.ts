/**
 * Body validation in the services rather than in Fastify's pre-handler stage, so the checks run
 * in the order DESIGN §3 fixes (404 and 403 before 400). The JSON parser hands over a
 * MalformedBody instead of failing, for the same reason.
 */
import type { z } from 'zod';
import { AppError, type InvalidParam } from './errors.ts';

/** The form of the ids this service gives out (UUIDs); anything else in an id's place is not one of ours. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A request body that was not valid JSON. Its parse error is dropped: it may quote the input. */
export class MalformedBody {
  constructor(readonly reason = 'the body is not valid JSON') {}
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The body as UTF-8 text, or null when its bytes are not valid UTF-8 (a decoder that
 * replaces bad bytes with U+FFFD silently stores something else than what was sent).
 */
export function utf8Text(body: Buffer): string | null {
  try {
    return UTF8.decode(body);
  } catch {
    return null;
  }
}

export function invalidParams(error: z.ZodError): InvalidParam[] {
  return error.issues.slice(0, 50).map((issue) => ({
    name: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    // zod names unknown keys in its message; a key could be personal data, so it is not echoed.
    reason: issue.code === 'unrecognized_keys' ? 'unknown field(s): this object allows no other members' : issue.message,
  }));
}

const bodyError = (reason: string): AppError =>
  new AppError('VALIDATION_FAILED', reason, { invalidParams: [{ name: '(body)', reason }] });

/** The body as a JSON object, or a 400 that says why it is not one. */
export function requireJsonObject(body: unknown): Record<string, unknown> {
  if (body instanceof MalformedBody) throw bodyError(body.reason);
  if (body === undefined || body === null) throw bodyError('a JSON body is required');
  if (typeof body !== 'object' || Array.isArray(body)) throw bodyError('the body must be a JSON object');
  return body as Record<string, unknown>;
}

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  requireJsonObject(body);
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new AppError('VALIDATION_FAILED', 'the body does not match the schema', {
      invalidParams: invalidParams(result.error),
    });
  }
  return result.data;
}
