/**
 * What the console checks of a request before its route runs: that a form body is
 * UTF-8, and how many sign-in codes an address has tried.
 */
import { parse as parseQueryString } from 'node:querystring';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { utf8Text } from '../validation.ts';

/**
 * A form body, or null when it is not UTF-8: neither its bytes nor its percent-escapes may be
 * anything else. A decoder that replaces them with U+FFFD would store something else
 * than what was typed.
 */
export function formOf(body: Buffer): Record<string, unknown> | null {
  const text = utf8Text(body);
  if (text === null) return null;
  for (const part of text.split(/[&=]/)) {
    try {
      decodeURIComponent(part.replaceAll('+', ' '));
    } catch {
      return null;
    }
  }
  // No cap on the number of fields (querystring's default of 1000 would drop the rest silently);
  // the body limit bounds them.
  return parseQueryString(text, '&', '=', { maxKeys: 0 }) as Record<string, unknown>;
}

/**
 * Sign-in codes tried per address (unthrottled, 200 guesses took 352 ms, and none was logged). Each
 * code that does not work is logged as an attempt (the address, never the code: it stays out of
 * every log line) and counted; after `perMinute` of them in a minute the address may try no code,
 * valid or not, until the minute is over. A code is 32 random bytes, so this is not what keeps
 * guessing out of reach; it keeps a guesser slow and visible. 0 or undefined: not throttled.
 */
export async function signInCodeLimit(app: FastifyInstance, perMinute: number | undefined) {
  await app.register(rateLimit, { global: false });
  type Limit = { isAllowed: boolean; remaining?: number };
  const limit = perMinute
    ? app.createRateLimit({ max: perMinute, timeWindow: 60_000, keyGenerator: (request) => `sign-in-code:${request.ip}` }) as
      (request: FastifyRequest, options?: { increment?: boolean }) => Promise<Limit>
    : null;
  return {
    async exhausted(request: FastifyRequest): Promise<boolean> {
      if (!limit) return false;
      const state = await limit(request, { increment: false });
      if (state.isAllowed || state.remaining !== 0) return false;
      request.log.warn({ attempt: 'sign_in_code', outcome: 'throttled', address: request.ip }, 'sign-in code attempt refused: too many from this address');
      return true;
    },
    async failed(request: FastifyRequest): Promise<void> {
      request.log.warn({ attempt: 'sign_in_code', outcome: 'refused', address: request.ip }, 'sign-in code refused');
      if (limit) await limit(request);
    },
  };
}
