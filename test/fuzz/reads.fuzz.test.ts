/**
 * The read routes, the service's own routes and routes that do not exist, with odd ids, query
 * strings, methods and paths: 200 where the request is valid, a 4xx problem where it is not,
 * never a 5xx, and no read changes anything.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES } from '../../machines/referral.machine.ts';
import { createTestContext, REGION, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import { BODY_LIMIT } from '../../src/app.ts';
import {
  acceptHeader, asciiHeader, encodeQuery, garbageType, HTTP_METHODS, LIST_PARAMS, nonJsonType,
  oddIdSegment, queryPairs, type HttpMethod,
} from './arbitraries.ts';
import {
  API, caseMark, expectProblem, expectStatus, probe, RUNS, visibleCases, type CaseMark,
} from './contract.ts';

interface CaseSummary { id: string; state: string; region: string; municipality: string }
interface Page { items: CaseSummary[]; nextCursor: string | null }

/** Whether the app has a route for this method and path (GET routes answer HEAD too). */
function isRoute(method: string, path: string): boolean {
  const get = [/^\/health$/, /^\/docs(\/.*)?$/, /^\/api\/v1\/openapi\.json$/, /^\/api\/v1\/machines\/referral$/,
    /^\/api\/v1\/cases$/, /^\/api\/v1\/cases\/[^/]*$/, /^\/api\/v1\/cases\/[^/]*\/trail$/];
  const post = [/^\/api\/v1\/cases$/, /^\/api\/v1\/cases\/[^/]*\/events$/];
  // The console's pages (test/console covers them): HTML and redirects, not problem+json.
  const consoleGet = [/^\/$/, /^\/inloggen(\/oidc(\/terug)?)?$/, /^\/(doel|casussen|aanmelden|dossieronderzoek|toegangslog|audit|signalering|beheer)$/,
    /^\/casussen\/[^/]*(\/(verloop|toegang|afdruk|notities))?$/, /^\/assets\/[^/]*$/, /^\/beheer\/mensen\/[^/]*(\/uitschakelen)?$/];
  const consolePost = [/^\/(inloggen|uitloggen|doel|aanmelden)$/, /^\/casussen\/[^/]*$/, /^\/beheer\/mensen(\/[^/]*(\/(uitschakelen|inschakelen|inloglink))?)?$/, /^\/beheer\/instellingen$/];
  if (method === 'GET' || method === 'HEAD') return [...get, ...consoleGet].some((r) => r.test(path));
  if (method === 'POST') return [...post, ...consolePost].some((r) => r.test(path));
  return false;
}

describe('fuzz: reads, meta routes and unknown routes', () => {
  let ctx: TestContext;
  const targets: { id: string; mark: CaseMark }[] = [];
  let visibleBefore: number;

  beforeAll(async () => {
    ctx = await createTestContext();
    for (const state of ['submitted', 'triage', 'follow_up', 'closed', 'submitted', 'triage'] as const) {
      const id = await ctx.caseIn(state);
      targets.push({ id, mark: await caseMark(ctx, id) });
    }
    // one in another municipality, one in another region
    await ctx.createCase(submission({ subject: { reference: 'WN-2026-0043', birthYear: 2010, municipalityCode: 'GM0599' } }));
    const other = await ctx.call(ctx.otherExpertTeam, { method: 'POST', url: `${API}/cases`, payload: submission() });
    expect(other.statusCode).toBe(201);
    visibleBefore = await visibleCases(ctx);
  });
  afterAll(async () => { await ctx.close(); });

  afterEach(async () => {
    for (const t of targets) expect(await caseMark(ctx, t.id)).toEqual(t.mark);
    expect(await visibleCases(ctx)).toBe(visibleBefore);
  });

  function checkPage(page: Page, limit = 100): void {
    expect(Array.isArray(page.items)).toBe(true);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    for (const item of page.items) expect(item.region).toBe(REGION);
    expect(page.nextCursor === null || typeof page.nextCursor === 'string').toBe(true);
  }

  it('answers any query string on GET /cases with 200 or 400 VALIDATION_FAILED', async () => {
    await fc.assert(fc.asyncProperty(queryPairs, fc.boolean(), async (pairs, raw) => {
      const res = await probe(ctx, ctx.expertTeam, { method: 'GET', url: `${API}/cases?${encodeQuery(pairs, raw)}` });
      expectStatus(res, [200, 400], 'VALIDATION_FAILED');
      if (res.statusCode === 200) checkPage(res.json<Page>());
    }), { numRuns: RUNS.many });
  });

  it('ignores query parameters it does not know', async () => {
    const key = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
      .filter((k) => !(LIST_PARAMS as readonly string[]).includes(k));
    const pairs = fc.array(fc.tuple(key, fc.string({ unit: 'grapheme', maxLength: 40 })), { maxLength: 6 });
    await fc.assert(fc.asyncProperty(pairs, async (p) => {
      const res = await probe(ctx, ctx.expertTeam, { method: 'GET', url: `${API}/cases?${encodeQuery(p)}` });
      expectStatus(res, [200]);
      checkPage(res.json<Page>(), 20);
    }), { numRuns: RUNS.few });
  });

  it('answers an invalid limit, state, overdue, municipality or cursor with 400', async () => {
    const anyText = fc.string({ unit: 'grapheme', maxLength: 30 });
    const invalid = fc.oneof(
      fc.tuple(fc.constant('limit'), fc.oneof(anyText, fc.integer().map(String), fc.double().map(String))
        .filter((v) => { const n = Number(v); return !Number.isInteger(n) || n < 1 || n > 100; })),
      fc.tuple(fc.constant('state'), anyText.filter((v) => !(LIFECYCLE_STATES as readonly string[]).includes(v))),
      fc.tuple(fc.constant('overdue'), anyText.filter((v) => v !== 'true' && v !== 'false')),
      fc.tuple(fc.constant('municipality'), anyText.filter((v) => !/^GM\d{4}$/.test(v))),
      fc.tuple(fc.constant('cursor'), fc.string({ unit: 'grapheme-ascii', minLength: 65, maxLength: 300 })),
    );
    await fc.assert(fc.asyncProperty(invalid, fc.boolean(), async (pair, withValidLimit) => {
      const pairs: [string, string][] = withValidLimit && pair[0] !== 'limit' ? [['limit', '5'], pair] : [pair];
      const res = await probe(ctx, ctx.expertTeam, { method: 'GET', url: `${API}/cases?${encodeQuery(pairs)}` });
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }), { numRuns: RUNS.normal });
  });

  it('pages through exactly the visible cases with any valid filter and limit', async () => {
    const filter = fc.record({
      limit: fc.integer({ min: 1, max: 100 }),
      state: fc.option(fc.constantFrom(...LIFECYCLE_STATES), { nil: undefined }),
      municipality: fc.option(fc.constantFrom('GM0363', 'GM0599', 'GM0000'), { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(filter, async ({ limit, state, municipality }) => {
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const pairs: [string, string][] = [['limit', String(limit)]];
        if (state) pairs.push(['state', state]);
        if (municipality) pairs.push(['municipality', municipality]);
        if (cursor) pairs.push(['cursor', cursor]);
        const res = await probe(ctx, ctx.expertTeam, { method: 'GET', url: `${API}/cases?${encodeQuery(pairs)}` });
        expectStatus(res, [200]);
        const page = res.json<Page>();
        checkPage(page, limit);
        for (const item of page.items) {
          expect(seen.has(item.id)).toBe(false);
          seen.add(item.id);
          if (state) expect(item.state).toBe(state);
          if (municipality) expect(item.municipality).toBe(municipality);
        }
        cursor = page.nextCursor;
      } while (cursor !== null);
      if (!state && !municipality) expect(seen.size).toBe(visibleBefore);
    }), { numRuns: 30 });
  });

  it('answers odd ids on the case routes with 404 NOT_FOUND', async () => {
    const caller = fc.constantFrom('expertTeam', 'localTeam', 'inspector', 'nationalInspector') as fc.Arbitrary<
      'expertTeam' | 'localTeam' | 'inspector' | 'nationalInspector'>;
    const ids = new Set(targets.map((t) => t.id));
    const route = fc.constantFrom('case', 'trail', 'events');
    await fc.assert(fc.asyncProperty(caller, oddIdSegment.filter((s) => !ids.has(s)), route, async (who, id, which) => {
      const options = which === 'events'
        ? { method: 'POST' as const, url: `${API}/cases/${id}/events`, payload: JSON.stringify(events.ADD_NOTE()),
          headers: { 'content-type': 'application/json' } }
        : { method: 'GET' as const, url: `${API}/cases/${id}${which === 'trail' ? '/trail' : ''}` };
      expectProblem(await probe(ctx, ctx[who], options), 404, 'NOT_FOUND');
    }), { numRuns: RUNS.many });
  });

  it('serves /health, /docs, the OpenAPI document and the statechart whatever the query string and Accept', async () => {
    const route = fc.constantFrom('/health', '/docs', '/docs/json', '/docs/yaml', `${API}/openapi.json`,
      `${API}/machines/referral`);
    await fc.assert(fc.asyncProperty(
      route, queryPairs, acceptHeader, fc.constantFrom('GET', 'HEAD'), async (url, pairs, accept, method) => {
        const query = pairs.length > 0 ? `?${encodeQuery(pairs)}` : '';
        const res = await probe(ctx, url.startsWith(`${API}/machines`) ? ctx.expertTeam : null,
          { method, url: url + query, headers: { accept } });
        expectStatus(res, url.startsWith('/docs') ? [200, 302, 406] : [200, 406]);
      }), { numRuns: RUNS.normal });
  });

  it('answers any request under /docs without a 5xx', async () => {
    const segment = fc.oneof(fc.webSegment(), fc.constantFrom('static', 'json', 'yaml', 'index.html',
      'swagger-ui.css', 'swagger-initializer.js', 'favicon-32x32.png', '%2e%2e', '..%2f..%2fpackage.json'));
    const path = fc.array(segment, { minLength: 1, maxLength: 4 })
      .map((s) => `/docs/${s.join('/')}`).filter((p) => !/(^|\/)\.{1,2}(\/|$)/.test(p));
    await fc.assert(fc.asyncProperty(path, fc.constantFrom('GET', 'HEAD'), acceptHeader, async (url, method, accept) => {
      const res = await probe(ctx, null, { method, url, headers: { accept } }, { browserPage: true });
      // a static path @fastify/static refuses (`/docs/static//`) may come back as 400 or 403
      expectStatus(res, [200, 301, 302, 304, 400, 403, 404]);
    }), { numRuns: RUNS.few });
  });

  /** Every method but QUERY, which the last property covers. */
  const otherMethod = fc.constantFrom(...HTTP_METHODS.filter((m) => m !== 'QUERY')) as fc.Arbitrary<HttpMethod>;

  it('answers unknown paths and methods with 404 NOT_FOUND', async () => {
    const segment = fc.oneof(fc.webSegment(), fc.constantFrom('api', 'v1', 'v2', 'cases', 'events', 'trail',
      'machines', 'referral', 'openapi.json', 'health', 'docs', 'CASES', 'audit', 'reports', targets[0]!.id))
      .filter((s) => s !== '.' && s !== '..');
    const path = fc.oneof(
      fc.array(segment, { minLength: 0, maxLength: 5 }).map((s) => `/${s.join('/')}`),
      fc.array(segment, { minLength: 0, maxLength: 4 }).map((s) => `${API}/${s.join('/')}`),
      fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `${API}/cases/${s.join('/')}`),
      fc.constantFrom(`${API}/cases/`, `${API}/machines/referral/`, `${API}/openapi.json/`, '/health/', '/API/V1/CASES',
        '/api/v1', '/api/v1/', '/api', '/api/v2/cases', `${API}/cases/x/events/y`, `${API}/case`, '//health'),
    );
    const body = fc.option(fc.tuple(fc.constantFrom('application/json', 'text/plain', 'application/xml'),
      fc.oneof(fc.constant('{}'), fc.json(), asciiHeader(40))), { nil: undefined });
    await fc.assert(fc.asyncProperty(otherMethod, path, body, fc.boolean(), async (m, url, payload, withToken) => {
      fc.pre(!isRoute(m, url.split('?')[0]!));
      const withBody = payload !== undefined && m !== 'GET' && m !== 'HEAD';
      const res = await probe(ctx, withToken ? ctx.expertTeam : null, {
        method: m, url,
        ...(withBody ? { payload: payload[1], headers: { 'content-type': payload[0] } } : {}),
      });
      expectProblem(res, 404, 'NOT_FOUND');
    }), { numRuns: RUNS.many });
  });

  it('answers a known path with a method it does not take with 404 NOT_FOUND', async () => {
    const paths = ['/health', '/docs', `${API}/openapi.json`, `${API}/machines/referral`, `${API}/cases`,
      `${API}/cases/${targets[0]!.id}`, `${API}/cases/${targets[0]!.id}/trail`, `${API}/cases/${targets[0]!.id}/events`];
    await fc.assert(fc.asyncProperty(otherMethod, fc.constantFrom(...paths), async (m, url) => {
      fc.pre(!isRoute(m, url));
      expectProblem(await probe(ctx, ctx.expertTeam, { method: m, url }), 404, 'NOT_FOUND');
    }), { numRuns: RUNS.few });
  });

  // DESIGN §3: "Unknown routes get 404 NOT_FOUND". What comes with the request (a body of any
  // Content-Type or none, of any size, or the QUERY method that no route takes) does not make a
  // route exist.
  it('answers an unknown route with 404 NOT_FOUND whatever body and Content-Type come with it', async () => {
    const path = fc.constantFrom('/health', '/nope', '/docs', `${API}/cases`, `${API}/nope`, `${API}/cases/${targets[0]!.id}`);
    const method = fc.constantFrom('PUT', 'PATCH', 'DELETE', 'OPTIONS', 'QUERY', 'PROPFIND') as fc.Arbitrary<HttpMethod>;
    const type = fc.option(fc.oneof(nonJsonType, garbageType, fc.constant('application/json')), { nil: undefined });
    const body = fc.oneof({ weight: 20, arbitrary: fc.oneof(fc.constant('{}'), fc.json(), asciiHeader(40)) },
      { weight: 1, arbitrary: fc.constant('x'.repeat(BODY_LIMIT + 1)) });
    await fc.assert(fc.asyncProperty(method, path, type, fc.option(body, { nil: undefined }), async (m, url, contentType, payload) => {
      const res = await probe(ctx, ctx.expertTeam, {
        method: m, url,
        ...(payload === undefined ? {} : { payload }),
        ...(contentType === undefined ? {} : { headers: { 'content-type': contentType } }),
      });
      expectProblem(res, 404, 'NOT_FOUND');
    }), { numRuns: RUNS.few });
  });
});
