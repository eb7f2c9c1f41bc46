/**
 * The passend app as a Fastify instance: registers plugins and routes, never listens. The server,
 * the tests and the OpenAPI export all build it here.
 */
import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../db/client.ts';
import { accessLogRepository } from './audit/access-log.ts';
import { auditTrail, type VerifyResult } from './audit/audit-log.ts';
import { auditVerifier } from './audit/verifier.ts';
import { auditRoutes } from './audit/audit-routes.ts';
import { trailRoutes } from './audit/trail-routes.ts';
import { clientLookup } from './auth/api-clients.ts';
import { caseEngine, type CaseEngine } from './cases/case-engine.ts';
import { groupCommit, type GroupCommit } from './db/group-commit.ts';
import { caseQueries } from './cases/case-queries.ts';
import { caseRoutes } from './cases/case-routes.ts';
import { type Clock, systemClock } from './clock.ts';
import { API_BASE, API_VERSION, type Config } from './config.ts';
import { registerAuth } from './http/auth.ts';
import { apiMetaRoutes, healthRoute } from './http/meta-routes.ts';
import { registerOpenApi } from './http/openapi.ts';
import { clientErrorProblem, registerProblemHandlers, sendProblem } from './http/problem.ts';
import { signaleringRoutes } from './reports/signalering-routes.ts';
import { signaleringService } from './reports/signalering.ts';
import { consoleNotFoundPage, consoleRoutes } from './console/console.ts';
import { AppError } from './errors.ts';
import { notificationRoutes } from './notifications/notification-routes.ts';
import { webhookDeliverer } from './notifications/webhook-deliverer.ts';
import { housekeeping } from './housekeeping.ts';
import { createScheduler } from './scheduler.ts';
import { MalformedBody, UUID } from './validation.ts';

export const BODY_LIMIT = 1024 * 1024;

export interface AppDependencies {
  /**
   * SCHEDULER_INTERVAL_MS 0 (or absent) runs no background loop: tests call runOnce. Rate limits
   * absent: none (the server always passes them, with their defaults).
   */
  config: Pick<Config, 'LOG_LEVEL'> &
    Partial<Pick<Config, 'SCHEDULER_INTERVAL_MS' | 'RATE_LIMIT_FAILED_AUTH' | 'RATE_LIMIT_PER_CLIENT' | 'GROUP_COMMIT' |
      'PUBLIC_URL' | 'SESSION_IDLE_MINUTES' | 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET'>>;
  db: Db;
  clock?: Clock;
  /** A pino logger or pino options; false (the default) logs nothing, as tests want. */
  logger?: FastifyServerOptions['loggerInstance'] | FastifyServerOptions['logger'];
}

export async function buildApp({ config, db, clock = systemClock, logger = false }: AppDependencies) {
  const app = Fastify({
    ...(logger && typeof (logger as { info?: unknown }).info === 'function'
      ? { loggerInstance: logger as FastifyServerOptions['loggerInstance'] }
      : { logger: logger as FastifyServerOptions['logger'] }),
    bodyLimit: BODY_LIMIT,
    clientErrorHandler: clientErrorProblem,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // The router refuses broken percent-escapes and over-long ids before any hook runs: answer
    // those as problem+json too.
    frameworkErrors: (error, request, reply) => {
      reply.header('API-Version', API_VERSION).header('X-Request-Id', request.id);
      return error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? sendProblem(request, reply, 404, 'NOT_FOUND', 'no such resource')
        : sendProblem(request, reply, 400, 'VALIDATION_FAILED', 'the path is not valid percent-encoded UTF-8');
    },
  }).withTypeProvider<ZodTypeProvider>();

  // Bodies are validated by the services, after the 404 and 403 checks (DESIGN §3 order);
  // Fastify validates only params and query strings.
  app.setValidatorCompiler((route) =>
    route.httpPart === 'body'
      ? (data: unknown) => ({ value: data })
      : validatorCompiler(route as Parameters<typeof validatorCompiler>[0]));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerJsonParser(app);
  registerProblemHandlers(app, consoleNotFoundPage);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('API-Version', API_VERSION);
    reply.header('X-Request-Id', request.id);
    // `/cases/` and `/cases//trail` match `/cases/:id` with an empty id: no such resource.
    if (Object.values(request.params as Record<string, string>).some((v) => v === '')) {
      throw new AppError('NOT_FOUND', 'no such resource');
    }
  });

  await registerSecurityHeaders(app);
  await registerOpenApi(app);
  // Swagger UI sets a few styles inline from its script: /docs alone allows inline style (never script).
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiHooks: {
      onRequest: (_request, reply, done) => { reply.header('Content-Security-Policy', DOCS_POLICY); done(); },
    },
  });

  // Group commit (src/db/group-commit.ts): the writes of one turn share a COMMIT, and no answer
  // leaves before the COMMIT of the batch open when it is sent.
  const commits = config.GROUP_COMMIT === 'off' ? null : groupCommit(db.$client);
  const engine = commits ? batchedEngine(caseEngine(db, clock), commits) : caseEngine(db, clock);
  if (commits) {
    app.addHook('onSend', async () => {
      const settled = commits.settled();
      if (settled) await settled;
    });
  }
  const queries = caseQueries(db, clock);
  const audit = auditTrail(db);
  const access = accessLogRepository(db, clock);
  // The service serves with a broken audit chain (it must stay inspectable), but says so.
  // The audit is verified in full at start-up, off the event loop: the service serves at once.
  let auditState: VerifyResult | null = null;
  const verifier = auditVerifier(db, (result) => { auditState = result; });
  const startup = verifier.verify(true).then(
    (result) => { if (!result.ok) app.log.error({ firstBroken: result.firstBroken }, 'the audit trail does not verify'); },
    (err: unknown) => app.log.error({ err }, 'the audit verification failed'),
  );
  app.addHook('onClose', async () => {
    await startup;
    await verifier.close();
  });
  await app.register(healthRoute, {
    db, audit: () => (auditState === null ? 'verifying' : auditState.ok ? 'ok' : 'broken'),
  });
  await app.register(async (api) => {
    await registerAuth(api, clientLookup(db), (request, actor) => {
      const attempted = (request.params as { id?: string }).id;
      access.record(request, actor, 'purpose.missing', attempted ? [attempted] : [], 'refused');
    }, { failedAuthPerMinute: config.RATE_LIMIT_FAILED_AUTH, clientPerMinute: config.RATE_LIMIT_PER_CLIENT });
    // NEN 7513 logs attempts too: a read refused with 403, or 404 (a case the caller may not see
    // answers as one that does not exist), leaves a `refused` line naming what was asked for.
    api.addHook('onResponse', async (request, reply) => {
      const action = request.routeOptions.config.access;
      if (!action || !request.actor || (reply.statusCode !== 403 && reply.statusCode !== 404)) return;
      // Only an id of the form we give out: the path is the client's text.
      const asked = (request.params as { id?: string }).id;
      access.record(request, request.actor, action, asked && UUID.test(asked) ? [asked] : [], 'refused');
    });
    await api.register(apiMetaRoutes);
    await api.register(caseRoutes, { engine, queries, access });
    await api.register(trailRoutes, { queries, audit, access, clock });
    await api.register(auditRoutes, { audit, access, verifier });
    await api.register(notificationRoutes, { db, access });
    await api.register(signaleringRoutes, { db, clock, access });
  }, { prefix: API_BASE });

  // The console at `/`, beside the API: the same engine, queries and logs, for signed-in people.
  const signalering = signaleringService(db, clock);
  app.addHook('onClose', () => signalering.close());
  await app.register(consoleRoutes, {
    db, clock, engine, queries, access, audit, verifier, signalering,
    config: {
      PUBLIC_URL: config.PUBLIC_URL, SESSION_IDLE_MINUTES: config.SESSION_IDLE_MINUTES,
      OIDC_ISSUER: config.OIDC_ISSUER, OIDC_CLIENT_ID: config.OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: config.OIDC_CLIENT_SECRET,
    },
  });

  const keeper = housekeeping(db, clock);
  const scheduler = createScheduler(engine, webhookDeliverer(db, clock, app.log),
    config.SCHEDULER_INTERVAL_MS ?? 0, app.log, () => keeper.run());
  app.addHook('onClose', () => scheduler.stop());
  return Object.assign(app, { engine, scheduler, commits });
}

export type App = Awaited<ReturnType<typeof buildApp>>;

/** The engine whose HTTP writes (submissions and events) join the turn's batch. */
function batchedEngine(engine: CaseEngine, commits: GroupCommit): CaseEngine {
  return {
    ...engine,
    submit: (...args) => commits.write(() => engine.submit(...args)),
    applyEvent: (...args) => commits.write(() => engine.applyEvent(...args)),
  };
}

const DOCS_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const CHARSET = /;\s*charset\s*=\s*("?[^;"]*"?)/i;

/** JSON bodies only; one that does not parse reaches the service as a MalformedBody (400 there). */
function registerJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // The body is read as UTF-8 (RFC 8259 §8.1): a body declared in another charset is refused,
    // not read wrongly.
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && charset.replaceAll('"', '').toLowerCase() !== 'utf-8') {
      done(new AppError('UNSUPPORTED_MEDIA_TYPE', 'a JSON body is UTF-8: send charset=utf-8 or no charset'));
      return;
    }
    parseJson(request, body as string, (err, value) => done(null, err ? new MalformedBody() : value));
  });
}

/**
 * Security headers on every answer, through @fastify/helmet: a content security policy without
 * inline script (pages with their own style replace it with a stricter one, src/http/html.ts),
 * nosniff, no framing, no referrer. Everything under the API is `Cache-Control: no-store`: case
 * data must not stay in a browser's or a proxy's cache.
 */
async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'], objectSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith(`${API_BASE}/`) && !reply.hasHeader('Cache-Control')) {
      reply.header('Cache-Control', 'no-store');
    }
  });
}
