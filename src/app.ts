/**
 * The passend app as a Fastify instance: registers plugins and routes, never listens. The server,
 * the tests and the OpenAPI export all build it here.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditRoutes } from './audit/audit-routes.ts';
import { trailRoutes } from './audit/trail-routes.ts';
import { caseRoutes } from './cases/case-routes.ts';
import { overlegRoutes } from './cases/overleg-routes.ts';
import { type Clock, systemClock } from './clock.ts';
import { API_BASE, API_VERSION, type Config } from './config.ts';
import { registerAuth } from './http/auth.ts';
import { apiMetaRoutes, healthRoute } from './http/meta-routes.ts';
import { registerOpenApi } from './http/openapi.ts';
import { clientErrorProblem, connectProblem, registerProblemHandlers, sendProblem } from './http/problem.ts';
import { signaleringRoutes } from './reports/signalering-routes.ts';
import { publicRoutes } from './public/public-routes.ts';
import { expertTeamsPage } from './public/expertteams-page.ts';
import { supplyRoutes } from './reports/supply-routes.ts';
import { offerRoutes } from './offers/offer-routes.ts';
import { consoleNotFoundPage, consoleRoutes } from './console/console.ts';
import { AppError } from './errors.ts';
import { notificationRoutes } from './notifications/notification-routes.ts';
import { createScheduler } from './scheduler.ts';
import { lastUseTracker } from './auth/last-use.ts';
import { publicUrl } from './console/sign-in.ts';
import { mailerOf } from './notifications/mail.ts';
import { servicesOf } from './services.ts';
import type { Store } from './store/port.ts';
import { MalformedBody, utf8Text, UUID } from './validation.ts';

export const BODY_LIMIT = 1024 * 1024;

export interface AppDependencies {
  /**
   * SCHEDULER_INTERVAL_MS 0 (or absent) runs no background loop: tests call runOnce. Rate limits
   * absent: none (the server always passes them, with their defaults).
   */
  config: Pick<Config, 'LOG_LEVEL'> &
    Partial<Pick<Config, 'SCHEDULER_INTERVAL_MS' | 'RATE_LIMIT_FAILED_AUTH' | 'RATE_LIMIT_PER_CLIENT' |
      'PUBLIC_URL' | 'SESSION_IDLE_MINUTES' | 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'TRUST_PROXY' |
      'HOST' | 'PORT' | 'SMTP_URL' | 'MAIL_FROM'>>;
  /** The store (src/store/open.ts); the app closes it when it closes. */
  store: Store;
  clock?: Clock;
  /** A pino logger or pino options; false (the default) logs nothing, as tests want. */
  logger?: FastifyServerOptions['loggerInstance'] | FastifyServerOptions['logger'];
}

export async function buildApp({ config, store, clock = systemClock, logger = false }: AppDependencies) {
  const app = Fastify({
    ...(logger && typeof (logger as { info?: unknown }).info === 'function'
      ? { loggerInstance: logger as FastifyServerOptions['loggerInstance'] }
      : { logger: logger as FastifyServerOptions['logger'] }),
    bodyLimit: BODY_LIMIT,
    // The client's address (rate limits, the access log) from X-Forwarded-For only when the
    // connection comes from a proxy named in TRUST_PROXY; otherwise the connection's own address.
    ...(config.TRUST_PROXY && config.TRUST_PROXY.length > 0 ? { trustProxy: config.TRUST_PROXY } : {}),
    clientErrorHandler: clientErrorProblem,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // The router refuses broken percent-escapes and over-long ids before any hook runs: answer
    // those as problem+json too.
    frameworkErrors: (error, request, reply) => {
      reply.header('API-Version', API_VERSION).header('X-Request-Id', request.id);
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') void sendProblem(request, reply, 404, 'NOT_FOUND', 'no such resource');
      else void sendProblem(request, reply, 400, 'VALIDATION_FAILED', 'the path is not valid percent-encoded UTF-8');
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
  app.server.on('connect', connectProblem);

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

  // The services, built once from the store: nothing below takes the database (src/services.ts).
  // Mail links into the console at the address sign-in links use (PUBLIC_URL, else HOST:PORT).
  const mailer = mailerOf(config);
  const services = servicesOf(store, clock, app.log, {
    mailer, base: publicUrl({ PUBLIC_URL: config.PUBLIC_URL, HOST: config.HOST ?? '127.0.0.1', PORT: config.PORT ?? 3000 }),
  });
  if (mailer) app.addHook('onClose', async () => mailer.close());
  const { engine, queries, audit, access, verifier } = services;
  // No answer leaves before the writes made so far are durable (SQLite's group commit).
  app.addHook('onSend', async () => {
    const pending = store.durable();
    if (pending) await pending;
  });
  // The service serves with a broken audit chain (it must stay inspectable), but says so.
  // The audit is verified in full at start-up, off the event loop: the service serves at once.
  const startup = verifier.verify(true).then(
    (result) => { if (!result.ok) app.log.error({ firstBroken: result.firstBroken }, 'the audit trail does not verify'); },
    (err: unknown) => app.log.error({ err }, 'the audit verification failed'),
  );
  app.addHook('onClose', async () => {
    await startup;
    await store.close();
  });
  await app.register(healthRoute, {
    ping: services.ping,
    audit: () => { const state = verifier.state(); return state === null ? 'verifying' : state.ok ? 'ok' : 'broken'; },
  });
  await app.register(async (api) => {
    const noteUse = lastUseTracker(services.clients.used, () => clock.now(), app.log);
    const lookup = async (token: string) => {
      const actor = await services.clients.lookup(token);
      if (actor) noteUse(actor.clientId);
      return actor;
    };
    await registerAuth(api, lookup, (request, actor) => {
      const attempted = (request.params as { id?: string }).id;
      return access.record(request, actor, 'purpose.missing', attempted ? [attempted] : [], 'refused');
    }, { failedAuthPerMinute: config.RATE_LIMIT_FAILED_AUTH, clientPerMinute: config.RATE_LIMIT_PER_CLIENT });
    // NEN 7513 logs attempts too: a read refused with 403, or 404 (a case the caller may not see
    // answers as one that does not exist), leaves a `refused` line naming what was asked for,
    // written before the answer leaves (onSend), as the lines of shown reads are.
    api.addHook('onSend', async (request, reply, payload) => {
      const action = request.routeOptions.config.access;
      if (!action || !request.actor || (reply.statusCode !== 403 && reply.statusCode !== 404)) return payload;
      // Only an id of the form we give out: the path is the client's text.
      const asked = (request.params as { id?: string }).id;
      await access.record(request, request.actor, action, asked && UUID.test(asked) ? [asked] : [], 'refused');
      return payload;
    });
    await api.register(apiMetaRoutes);
    await api.register(caseRoutes, { engine, queries, access });
    await api.register(overlegRoutes, {
      queries, access, consoleBase: publicUrl({ PUBLIC_URL: config.PUBLIC_URL, HOST: config.HOST ?? '127.0.0.1', PORT: config.PORT ?? 3000 }),
    });
    await api.register(trailRoutes, { queries, audit, access, clock });
    await api.register(auditRoutes, { audit, access, verifier });
    await api.register(notificationRoutes, { outbox: services.outbox, access });
    await api.register(signaleringRoutes, { signalering: services.signalering, access });
    // Without sign-in (§6.4): the expert teams and the published figures, limited per address.
    await api.register(publicRoutes, {
      regions: services.regions, signalering: services.signalering, clock, perAddressPerMinute: config.RATE_LIMIT_PER_CLIENT,
    });
    await api.register(offerRoutes, { offers: services.offerRegister });
    await api.register(supplyRoutes, { supply: services.supply, access });
  }, { prefix: API_BASE });

  // The public page of the expert teams (§6.4): no sign-in, cacheable, beside the console.
  await app.register(expertTeamsPage, { regions: services.regions, clock, perAddressPerMinute: config.RATE_LIMIT_PER_CLIENT });

  // The console at `/`, beside the API: the same services, for signed-in people.
  await app.register(consoleRoutes, {
    services, clock,
    config: {
      PUBLIC_URL: config.PUBLIC_URL, SESSION_IDLE_MINUTES: config.SESSION_IDLE_MINUTES, HOST: config.HOST, PORT: config.PORT,
      RATE_LIMIT_FAILED_AUTH: config.RATE_LIMIT_FAILED_AUTH,
      OIDC_ISSUER: config.OIDC_ISSUER, OIDC_CLIENT_ID: config.OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: config.OIDC_CLIENT_SECRET,
    },
  });

  const scheduler = createScheduler(engine, services.deliverer,
    config.SCHEDULER_INTERVAL_MS ?? 0, app.log, () => services.housekeeping.run());
  app.addHook('onClose', () => scheduler.stop());
  return Object.assign(app, { engine, scheduler, services, store });
}

export type App = Awaited<ReturnType<typeof buildApp>>;

const DOCS_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const CHARSET = /;\s*charset\s*=\s*("?[^;"]*"?)/i;

/** JSON bodies only; one that does not parse reaches the service as a MalformedBody (400 there). */
function registerJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // The body is read as UTF-8 (RFC 8259 §8.1): a body declared in another charset is refused,
    // not read wrongly.
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && charset.replaceAll('"', '').toLowerCase() !== 'utf-8') {
      done(new AppError('UNSUPPORTED_MEDIA_TYPE', 'a JSON body is UTF-8: send charset=utf-8 or no charset'));
      return;
    }
    const text = utf8Text(body as Buffer);
    if (text === null) {
      done(null, new MalformedBody('the body is not valid UTF-8'));
      return;
    }
    void parseJson(request, text, (err, value) => done(null, err ? new MalformedBody() : value));
  });
}

/** The headers helmet's middleware sets for these options, read off a stand-in response once. */
function helmetHeaders(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => { headers[name.toLowerCase()] = String(value); },
    removeHeader: (name: string) => { delete headers[name.toLowerCase()]; },
  };
  let finished = false;
  void helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet could not set its headers');
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously');
  return headers;
}

/**
 * Security headers on every answer, from helmet: a content security policy without inline script
 * (pages with their own style replace it with a stricter one, src/http/html.ts), nosniff, no
 * framing, no referrer. Everything under the API is `Cache-Control: no-store`: case data must not
 * stay in a browser's or a proxy's cache. So are `/docs` and every error answer anywhere (the
 * console's 404 page included, issue 29), unless a route said otherwise.
 *
 * The headers are the same on every answer, so helmet's middleware runs once, at start-up, and its
 * headers are set from that list. (@fastify/helmet, used before, built helmet's middleware anew on
 * every request: about 50 µs of each request's CPU under load, in a CPU profile of the server
 * during `npm run bench` with BENCH_CPU_PROF_DIR.)
 */
async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  const headers = helmetHeaders({
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
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  app.addHook('onSend', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const noStore = path.startsWith(`${API_BASE}/`) || path === '/docs' || path.startsWith('/docs/') || reply.statusCode >= 400;
    if (noStore && !reply.hasHeader('Cache-Control')) {
      reply.header('Cache-Control', 'no-store');
    }
  });
}
