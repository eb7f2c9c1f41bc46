/**
 * De werkplaats: the web console at `/`, in Dutch, for people signed in as themselves (DESIGN §5.4).
 *
 * Server-rendered, no script: every action is a form posted to the same engine the API uses, so
 * the rules, the trail and the access log are the same; the person's name and organisation are
 * recorded (their Actor is `user:<id>`). Sessions are HttpOnly, SameSite=Lax cookies naming a row
 * in `sessions`; every form carries the session's CSRF token, and a post from another origin is
 * refused. Pages with case data are `Cache-Control: no-store`.
 */
import { timingSafeEqual } from 'node:crypto';
import compress from '@fastify/compress';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../machines/referral.schemas.ts';
import { isCleanText } from '../../machines/referral.text.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { UUID } from '../validation.ts';
import { ROLE_LABELS } from '../http/labels-nl.ts';
import type { Services } from '../services.ts';
import { assetFor, iconIco, IMMUTABLE } from './assets.ts';
import { casePages } from './case-pages.ts';
import { myWorkPage } from './my-work-page.ts';
import { problemNl } from './errors-nl.ts';
import { CALLBACK_PATH, oidcClient, type OidcPending } from './oidc.ts';
import { oversightPages } from './oversight-pages.ts';
import { offerPages } from './offer-pages.ts';
import { beheerPages } from './beheer-pages.ts';
import { formOf, signInCodeLimit } from './request-guards.ts';
import { publicUrl } from './sign-in.ts';
import { alert, esc, page, type PageUser } from './page.ts';
import { SeeOther, type ConsoleContext } from './context.ts';
import type { User } from '../store/rows.ts';
import { personActor, SIGN_IN_LINK_MINUTES } from '../auth/people.ts';
import type { AccessAction } from '../audit/access-log.ts';

/** How long the console keeps the organisations' names before reading them again. */
const ORG_NAMES_MS = 30_000;
export const SESSION_COOKIE = 'passend_sessie';

export interface ConsoleOptions {
  services: Services;
  clock: Clock;
  config: Partial<Pick<Config, 'PUBLIC_URL' | 'SESSION_IDLE_MINUTES' | 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' |
    'HOST' | 'PORT' | 'RATE_LIMIT_FAILED_AUTH'>>;
}

const REFUSED_ACTIONS: Record<string, AccessAction> = {
  '/casussen/:id': 'case.read', '/casussen/:id/afdruk': 'case.read', '/casussen/:id/notities': 'case.read',
  '/casussen/:id/overleg.ics': 'case.read',
  '/casussen/:id/verloop': 'trail.read', '/casussen/:id/toegang': 'access_log.read', '/toegangslog': 'access_log.read',
};

/** Where a person lands after signing in: the workers on mijn werk (§6.3). */
const HOME: Record<Role, string> = {
  local_team: '/mijn-werk', expert_team: '/mijn-werk', inspector: '/dossieronderzoek', admin: '/beheer',
  municipality: '/signalering',
  provider: '/wachttijden',
};

export async function consoleRoutes(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const { services, clock, config } = options;
  const { sessions, people } = services;
  const secure = (config.PUBLIC_URL ?? '').startsWith('https:');
  const oidc = config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET
    ? oidcClient({ issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, clientSecret: config.OIDC_CLIENT_SECRET })
    : null;
  /**
   * Where the browser reaches us, for the Origin check of posts: the configured public address,
   * else the one it used (a browser's Origin names the site it posts to, whatever Host says).
   */
  const originBase = (request: FastifyRequest): string =>
    (config.PUBLIC_URL ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  /**
   * What links are built from (the OpenID Connect redirect): PUBLIC_URL, else http://HOST:PORT;
   * never the request's Host header, which the client chooses (`Host: evil.example` would
   * give a link to evil.example). In production PUBLIC_URL is required (src/config.ts).
   */
  const linkBase = publicUrl({ PUBLIC_URL: config.PUBLIC_URL, HOST: config.HOST ?? '127.0.0.1', PORT: config.PORT ?? 3000 });
  /** A new session on every sign-in: a session id known before it is never carried over. */
  const startSession = async (request: FastifyRequest, reply: FastifyReply, user: User): Promise<FastifyReply> => {
    const old = sessionIdOf(request);
    if (old !== undefined) await sessions.end(old);
    const id = await sessions.create(user, clock.now());
    reply.header('Set-Cookie', serializeCookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure, path: '/' }));
    return reply.redirect(HOME[user.role], 303);
  };

  // The console is not part of the API's contract: its routes stay out of the OpenAPI document.
  app.addHook('onRoute', (route) => { route.schema = { ...(route.schema ?? {}), hide: true }; });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: 256 * 1024 },
    (_request, body, done) => {
      const form = formOf(body as Buffer);
      if (form) done(null, form);
      else done(new AppError('VALIDATION_FAILED', 'the form is not valid UTF-8'), undefined);
    });
  // Only where a route asks for it (the assets below): global off.
  await app.register(compress, { global: false });
  app.decorateRequest('person', null);
  const codes = await signInCodeLimit(app, config.RATE_LIMIT_FAILED_AUTH);

  // The organisations' names: a short table, read again at most every ORG_NAMES_MS (real time, not
  // the service's clock: a cache, not a deadline), before a page that may show them.
  let orgNames = new Map<string, string>();
  let orgNamesRead = Number.NEGATIVE_INFINITY;
  app.addHook('preHandler', async () => {
    if (performance.now() - orgNamesRead < ORG_NAMES_MS) return;
    orgNames = await services.organisations.names();
    orgNamesRead = performance.now();
  });

  const context: ConsoleContext = {
    engine: services.engine, queries: services.queries, access: services.access, audit: services.audit,
    verifier: services.verifier, signalering: services.signalering, regions: services.regions,
    people, clients: services.clients, sessions, clock, mailer: services.mailer,
    orgName: (id) => orgNames.get(id) ?? id,
    offerRegister: services.offerRegister, supply: services.supply,
    baseOf: () => linkBase,
    person(request, roles) {
      const person = request.person;
      if (!person) throw new SeeOther('/');
      if (roles && !roles.includes(person.actor.role)) {
        throw new AppError('FORBIDDEN', 'role');
      }
      // An inspector states the purpose once per sign-in before reading anything (DESIGN §5.4).
      if (person.actor.role === 'inspector' && person.session.purpose === null) throw new SeeOther('/doel');
      return person;
    },
    pageUser: (person) => ({
      name: person.actor.name, role: person.actor.role, organisation: context.orgName(person.actor.organisation),
      csrf: person.session.csrf,
    }),
    send: (reply, html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(html),
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    // Referrers stay within the site; with `no-referrer` a browser sends `Origin: null` on our own
    // form posts, and the origin check below could not tell them from a forged one.
    reply.header('Referrer-Policy', 'same-origin');
    const id = sessionIdOf(request);
    if (id === undefined) return;
    const session = await sessions.get(id, clock.now());
    if (!session) return;
    const actor = personActor(session.user);
    request.person = { sessionId: id, session, actor };
    request.actor = actor;
    request.purpose = actor.role === 'inspector' ? session.purpose : null;
  });

  // Every post comes from our own pages: its Origin (sent by browsers on every post) must be ours,
  // and, once signed in, it carries the session's CSRF token.
  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST') return;
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'a form');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== new URL(originBase(request)).origin) {
      throw new AppError('FORBIDDEN', 'csrf');
    }
    if (request.url.split('?')[0] === '/inloggen') return;
    const token = (request.body as Record<string, unknown> | undefined)?._csrf;
    if (!request.person || typeof token !== 'string' || !sameSecret(token, request.person.session.csrf)) {
      throw new AppError('FORBIDDEN', 'csrf');
    }
  });

  // NEN 7513 logs attempts too: a case page refused (403, or 404 for a case this person may not
  // see) leaves a `refused` line, as on the API, written before the page leaves.
  app.addHook('onSend', async (request, reply, payload) => {
    const action = REFUSED_ACTIONS[request.routeOptions.url ?? ''];
    if (!action || !request.person || (reply.statusCode !== 403 && reply.statusCode !== 404)) return payload;
    const asked = (request.params as { id?: string }).id;
    await services.access.record(request, request.person.actor, action, asked && UUID.test(asked) ? [asked.toLowerCase()] : [], 'refused');
    return payload;
  });

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof SeeOther) return reply.redirect(error.location, 303);
    const status = error instanceof AppError ? error.status
      : typeof (error as { statusCode?: unknown }).statusCode === 'number' && (error as { statusCode: number }).statusCode < 500
        ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'console page failed');
    const text = error instanceof AppError && error.code === 'FORBIDDEN' && error.detail === 'csrf'
      ? 'Dit formulier is verlopen of kwam niet van deze site. Open de pagina opnieuw en probeer het nog eens.'
      : problemNl(error instanceof AppError ? error.code : status === 404 ? 'NOT_FOUND' : status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED');
    const user = request.person ? context.pageUser(request.person) : null;
    return context.send(reply, page({ title: status >= 500 ? 'Er ging iets mis' : 'Dat lukte niet', user },
      `${alert('error', text, 'alert')}<p class="utrecht-paragraph"><a class="utrecht-link utrecht-link--html-a" href="/">Naar de startpagina</a></p>`), status);
  });

  // The style sheets are compressed (600 kB of Utrecht CSS is 60 kB in gzip); the pages are not:
  // they carry the CSRF token beside text the visitor typed, and compressed over TLS that mix
  // leaks the token a byte at a time (BREACH). They are small anyway.
  app.get('/assets/:file', { compress: { encodings: ['br', 'gzip'] } }, async (request, reply) => {
    const found = assetFor((request.params as { file: string }).file);
    if (found === undefined) throw new AppError('NOT_FOUND', 'no such asset');
    return reply.header('Cache-Control', found.fingerprinted ? IMMUTABLE : 'public, max-age=3600')
      .type(found.asset.type).send(found.asset.body);
  });

  const favicon = iconIco();
  app.get('/favicon.ico', async (_request, reply) =>
    reply.header('Cache-Control', 'public, max-age=86400').type('image/x-icon').send(favicon));

  app.get('/', async (request, reply) => {
    if (request.person) return reply.redirect(HOME[request.person.actor.role], 303);
    return context.send(reply, page({ title: 'Inloggen' }, `
<p class="utrecht-paragraph utrecht-paragraph--lead">passend is de werkplaats van het regionaal expertteam jeugd:
aanmelden, triage, overleg, advies en monitoren tot de hulp echt is gestart.</p>
<p class="utrecht-paragraph">Open de inloglink die u kreeg van wie passend voor uw regio draait. Een link werkt één keer
en ${SIGN_IN_LINK_MINUTES} minuten lang. Bent u uitgelogd of is de link verlopen? Vraag om een nieuwe.</p>
${oidc ? '<p class="utrecht-paragraph"><a class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action" href="/inloggen/oidc">Inloggen via de inlogdienst van uw organisatie</a></p>' : ''}`));
  });

  app.get('/inloggen', async (request, reply) => {
    if (await codes.exhausted(request)) return tooManyCodes(reply);
    const code = (request.query as { code?: unknown }).code;
    if (typeof code !== 'string' || !await people.linkUsable(code, clock.now())) {
      await codes.failed(request);
      return expiredLink(reply);
    }
    return context.send(reply, page({ title: 'Inloggen' }, `
<p class="utrecht-paragraph">Met deze knop logt u in. De link werkt daarna niet meer.</p>
<form method="post" action="/inloggen"><input type="hidden" name="code" value="${esc(code)}">
<button class="utrecht-button utrecht-button--primary-action" type="submit">Inloggen</button></form>`));
  });

  app.post('/inloggen', async (request, reply) => {
    if (await codes.exhausted(request)) return tooManyCodes(reply);
    const code = (request.body as { code?: unknown } | undefined)?.code;
    const user = typeof code === 'string' ? await people.redeem(code, clock.now()) : undefined;
    if (!user) {
      await codes.failed(request);
      return expiredLink(reply);
    }
    request.log.info({ attempt: 'sign_in_code', outcome: 'signed_in', userId: user.id }, 'signed in with a sign-in code');
    return startSession(request, reply, user);
  });

  // OpenID Connect: to the provider with state, nonce and PKCE kept in a short-lived cookie; back
  // here, the person is matched by email to an active user.
  app.get('/inloggen/oidc', async (request, reply) => {
    if (!oidc) throw new AppError('NOT_FOUND', 'no provider');
    const { url, pending } = await oidc.start(linkBase);
    reply.header('Set-Cookie', serializeCookie(OIDC_COOKIE, JSON.stringify(pending), {
      httpOnly: true, sameSite: 'lax', secure, path: CALLBACK_PATH, maxAge: 600,
    }));
    return reply.redirect(url, 303);
  });

  app.get(CALLBACK_PATH, async (request, reply) => {
    if (!oidc) throw new AppError('NOT_FOUND', 'no provider');
    const pending = pendingOf(request);
    reply.header('Set-Cookie', serializeCookie(OIDC_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure, path: CALLBACK_PATH, maxAge: 0 }));
    let email: string | undefined;
    try {
      email = pending ? await oidc.finish(new URL(`${linkBase}${request.url}`), pending) : undefined;
    } catch (err) {
      // The provider's or the flow's error: logged without the URL (it carries the code).
      request.log.warn({ err: { name: (err as Error).name, code: (err as { code?: unknown }).code } }, 'OpenID Connect sign-in failed');
    }
    const user = email === undefined ? undefined : await people.byEmail(email);
    if (!user) {
      return context.send(reply, page({ title: 'Inloggen lukte niet' }, alert('error',
        'U bent bij de inlogdienst bekend, maar niet als gebruiker van passend, of het inloggen is afgebroken. Vraag de beheerder van uw regio u toe te voegen met dit e-mailadres.', 'alert')), 403);
    }
    return startSession(request, reply, user);
  });

  app.post('/uitloggen', async (request, reply) => {
    if (request.person) await sessions.end(request.person.sessionId);
    reply.header('Set-Cookie', serializeCookie(SESSION_COOKIE, '', {
      httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 0,
    }));
    return reply.redirect('/', 303);
  });

  app.get('/doel', async (request, reply) => {
    const person = request.person;
    if (!person) throw new SeeOther('/');
    if (person.actor.role !== 'inspector') throw new AppError('FORBIDDEN', 'role');
    return context.send(reply, purposePage(context.pageUser(person), person.session.purpose));
  });

  app.post('/doel', async (request, reply) => {
    const person = request.person;
    if (!person) throw new SeeOther('/');
    if (person.actor.role !== 'inspector') throw new AppError('FORBIDDEN', 'role');
    const purpose = (request.body as { doel?: unknown } | undefined)?.doel;
    const text = typeof purpose === 'string' ? purpose.trim() : '';
    if (text.length === 0 || text.length > 200 || !isCleanText(text, 200)) {
      return context.send(reply, purposePage(context.pageUser(person), null, true), 400);
    }
    await sessions.setPurpose(person.sessionId, text);
    return reply.redirect('/dossieronderzoek', 303);
  });

  await casePages(app, context);
  await myWorkPage(app, context);
  await oversightPages(app, context);
  await offerPages(app, context);
  await beheerPages(app, context);

  function tooManyCodes(reply: FastifyReply): FastifyReply {
    reply.header('Retry-After', '60');
    return context.send(reply, page({ title: 'Even wachten' }, alert('error',
      'Er zijn vanaf dit adres te veel inlogcodes geprobeerd. Probeer het over een minuut opnieuw; een geldige link blijft zo lang werken als hij werkte.',
      'alert')), 429);
  }

  function expiredLink(reply: FastifyReply): FastifyReply {
    return context.send(reply, page({ title: 'Deze link werkt niet meer' },
      alert('error', 'Deze inloglink is verlopen of al gebruikt. Vraag om een nieuwe bij wie passend voor uw regio draait.', 'alert')), 400);
  }
}

/** The page a browser gets for a path that is neither the console's nor the API's. */
export function consoleNotFoundPage(): string {
  return page({ title: 'Deze pagina bestaat niet' }, `${alert('error', problemNl('NOT_FOUND'), 'alert')}
<p class="utrecht-paragraph"><a class="utrecht-link utrecht-link--html-a" href="/">Naar de startpagina</a></p>`);
}

function purposePage(user: PageUser, current: string | null, invalid = false): string {
  return page({ title: 'Doel van uw inzage', user, path: '/doel' }, `
<p class="utrecht-paragraph">U leest dossiers van kinderen en gezinnen. Noem het doel van uw inzage; het wordt bij
elke inzage vastgelegd in het toegangslog (NEN 7513), zolang u ingelogd bent.</p>
<form method="post" action="/doel"><input type="hidden" name="_csrf" value="${esc(user.csrf)}">
<div class="utrecht-form-field${invalid ? ' utrecht-form-field--invalid' : ''}">
<p class="utrecht-form-field__label"><label class="utrecht-form-label" for="doel">Doel (bijvoorbeeld een zaaknummer of onderzoek)</label></p>
${invalid ? '<p class="utrecht-form-field-error-message" id="doel-fout">Vul een doel in van 1 tot 200 tekens.</p>' : ''}
<p class="utrecht-form-field__input"><input class="utrecht-textbox utrecht-textbox--html-input" type="text" id="doel" name="doel" maxlength="200" aria-required="true" value="${esc(current ?? '')}"${invalid ? ' aria-invalid="true" aria-describedby="doel-fout"' : ''}></p></div>
<button class="utrecht-button utrecht-button--primary-action" type="submit">Doel vastleggen</button></form>
<p class="utrecht-paragraph utrecht-paragraph--small">U bent ingelogd als ${esc(ROLE_LABELS.inspector)}.</p>`);
}

const OIDC_COOKIE = 'passend_oidc';

function pendingOf(request: FastifyRequest): OidcPending | undefined {
  const raw = request.headers.cookie ? parseCookies(request.headers.cookie)[OIDC_COOKIE] : undefined;
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<OidcPending>;
    return typeof value.state === 'string' && typeof value.nonce === 'string' && typeof value.verifier === 'string'
      ? { state: value.state, nonce: value.nonce, verifier: value.verifier } : undefined;
  } catch {
    return undefined;
  }
}

function sessionIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  const id = parseCookies(header)[SESSION_COOKIE];
  return id && /^[A-Za-z0-9_-]{43}$/.test(id) ? id : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
