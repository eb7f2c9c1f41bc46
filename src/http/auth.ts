/**
 * Bearer-token authentication for the /api/v1 scope, and the inspector's purpose (X-Purpose) that
 * every inspector request must state. Routes marked `config: { public: true }` need neither.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/api-clients.ts';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The inspector's stated reason for looking; null for other roles. */
    purpose: string | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const MAX_PURPOSE = 200;

export function registerAuth(
  app: FastifyInstance,
  lookup: (token: string) => Actor | undefined,
  /** Records an inspector's attempt without a purpose (NEN 7513: refused access is logged too). */
  onMissingPurpose: (request: FastifyRequest, actor: Actor) => void = () => {},
): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('purpose', null);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public) return;
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const actor = token === undefined ? undefined : lookup(token);
    if (!actor) {
      reply.header('WWW-Authenticate', 'Bearer realm="passend"');
      throw new AppError('UNAUTHENTICATED', 'send Authorization: Bearer <token> with a valid token');
    }
    request.actor = actor;
    if (actor.role === 'inspector') request.purpose = requirePurpose(request, actor, onMissingPurpose);
  });
}

function requirePurpose(request: FastifyRequest, actor: Actor,
  onMissing: (request: FastifyRequest, actor: Actor) => void): string {
  const header = request.headers['x-purpose'];
  const purpose = typeof header === 'string' ? header.trim() : '';
  if (purpose.length === 0 || purpose.length > MAX_PURPOSE) {
    // The attempt is logged; the purpose text itself is not (it may name a person).
    request.log.warn({ clientId: actor.clientId, route: request.routeOptions.url },
      'inspector request without a valid purpose');
    onMissing(request, actor);
    throw new AppError('PURPOSE_REQUIRED',
      `an inspector states the purpose of every request in X-Purpose (1 to ${MAX_PURPOSE} characters)`);
  }
  return purpose;
}

/** The authenticated caller of a route behind registerAuth. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('route is not behind registerAuth');
  return request.actor;
}
