/**
 * Bearer-token authentication for the /api/v1 scope, and the inspector's purpose (X-Purpose) that
 * every inspector request must state. Routes marked `config: { public: true }` need neither.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCleanText } from '../../machines/referral.text.ts';
import { AppError } from '../errors.ts';
import type { Actor } from '../auth/actors.ts';
import type { AccessAction } from '../audit/access-log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The inspector's stated reason for looking; null for other roles. */
    purpose: string | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
    /** A read of case data or the audit: the access log's action for it, refused attempts included. */
    access?: AccessAction;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const MAX_PURPOSE = 200;

/** Requests per minute; 0 or undefined: no limit. */
export interface RateLimits {
  /**
   * Failed authentications an address may make per minute; then its further failures are 429.
   * A valid token is never refused for its address's failures: behind a load balancer
   * all clients share one address, and 30 bad requests would lock every client out.
   */
  failedAuthPerMinute?: number;
  /** Requests an authenticated client may make per minute. */
  clientPerMinute?: number;
}

interface Limit { isAllowed: boolean; isExceeded?: boolean; remaining?: number; ttlInSeconds?: number }
type Limiter = (request: FastifyRequest, options?: { increment?: boolean }) => Promise<Limit>;

export async function registerAuth(
  app: FastifyInstance,
  lookup: (token: string) => Promise<Actor | undefined>,
  /** Records an inspector's attempt without a purpose (NEN 7513: refused access is logged too). */
  onMissingPurpose: (request: FastifyRequest, actor: Actor) => Promise<void> = async () => {},
  limits: RateLimits = {},
): Promise<void> {
  app.decorateRequest('actor', null);
  app.decorateRequest('purpose', null);
  // @fastify/rate-limit's counters (in memory, per process), checked by hand: failures are counted
  // only when they happen, which a plugin-wide limit could not do.
  await app.register(rateLimit, { global: false });
  const limiter = (max: number | undefined, keyGenerator: (request: FastifyRequest) => string): Limiter | null =>
    (max ? app.createRateLimit({ max, timeWindow: 60_000, keyGenerator }) as Limiter : null);
  const failures = limiter(limits.failedAuthPerMinute, (request) => `address:${request.ip}`);
  const perClient = limiter(limits.clientPerMinute, (request) => `client:${request.actor?.clientId}`);

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public) return;
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const actor = token === undefined ? undefined : await lookup(token);
    if (!actor) {
      // Counted per client address (request.ip: from a proxy in TRUST_PROXY, the client it names).
      if (failures) refuseWhen(reply, await failures(request), (l) => l.isExceeded === true);
      reply.header('WWW-Authenticate', 'Bearer realm="passend"');
      throw new AppError('UNAUTHENTICATED', 'send Authorization: Bearer <token> with a valid token');
    }
    request.actor = actor;
    if (perClient) refuseWhen(reply, await perClient(request), (l) => l.isExceeded === true);
    if (actor.role === 'inspector') request.purpose = await requirePurpose(request, actor, onMissingPurpose);
  });
}

function refuseWhen(reply: FastifyReply, limit: Limit, reached: (limit: Limit) => boolean): void {
  if (limit.isAllowed || !reached(limit)) return;
  reply.header('Retry-After', String(Math.max(1, limit.ttlInSeconds ?? 60)));
  throw new AppError('TOO_MANY_REQUESTS', 'too many requests: try again after the time Retry-After gives');
}

async function requirePurpose(request: FastifyRequest, actor: Actor,
  onMissing: (request: FastifyRequest, actor: Actor) => Promise<void>): Promise<string> {
  const header = request.headers['x-purpose'];
  const purpose = typeof header === 'string' ? header.trim() : '';
  if (purpose.length === 0 || purpose.length > MAX_PURPOSE || !isCleanText(purpose, MAX_PURPOSE)) {
    // The attempt is logged; the purpose text itself is not (it may name a person).
    request.log.warn({ clientId: actor.clientId, route: request.routeOptions.url },
      'inspector request without a valid purpose');
    await onMissing(request, actor);
    throw new AppError('PURPOSE_REQUIRED',
      `an inspector states the purpose of every request in X-Purpose (1 to ${MAX_PURPOSE} characters, no control characters)`);
  }
  return purpose;
}

/** The authenticated caller of a route behind registerAuth. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('route is not behind registerAuth');
  return request.actor;
}
