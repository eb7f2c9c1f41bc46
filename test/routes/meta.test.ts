/**
 * The routes about the service itself and what every response carries (DESIGN §3): the API-Version
 * header, /health without a token, problem+json 404s for unknown routes, the statechart as JSON
 * and the public OpenAPI document.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES, REFERRAL_MACHINE_VERSION } from '../../machines/referral.machine.ts';
import { API_VERSION } from '../../src/config.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import {
  API, caseUrl, eventsUrl, expectApiVersion, expectProblem, SEMVER, trailUrl, UNKNOWN_CASE,
} from '../support/http.ts';

let ctx: TestContext;
let id: string;
beforeAll(async () => {
  ctx = await createTestContext();
  id = await ctx.caseIn('triage');
});
afterAll(async () => { await ctx.close(); });

describe('the API-Version header', () => {
  it('is a full semantic version', () => {
    expect(API_VERSION).toMatch(SEMVER);
  });

  const requests = (): [string, Caller | null, InjectOptions, number][] => [
    ['GET /health', null, { method: 'GET', url: '/health' }, 200],
    ['GET /api/v1/openapi.json', null, { method: 'GET', url: `${API}/openapi.json` }, 200],
    ['GET /api/v1/machines/referral', ctx.expertTeam, { method: 'GET', url: `${API}/machines/referral` }, 200],
    ['POST /cases (201)', ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: submission() }, 201],
    ['GET /cases', ctx.localTeam, { method: 'GET', url: `${API}/cases` }, 200],
    ['GET /cases/{id}', ctx.localTeam, { method: 'GET', url: caseUrl(id) }, 200],
    ['GET /cases/{id}/trail', ctx.inspector, { method: 'GET', url: trailUrl(id) }, 200],
    ['POST event (200)', ctx.expertTeam, { method: 'POST', url: eventsUrl(id), payload: events.ADD_NOTE() }, 200],
    ['400', ctx.localTeam, { method: 'GET', url: `${API}/cases?limit=0` }, 400],
    ['400 PURPOSE_REQUIRED', { ...ctx.inspector, headers: {} }, { method: 'GET', url: `${API}/cases` }, 400],
    ['401', null, { method: 'GET', url: `${API}/cases` }, 401],
    ['403', ctx.admin, { method: 'GET', url: `${API}/cases` }, 403],
    ['404 case', ctx.localTeam, { method: 'GET', url: caseUrl(UNKNOWN_CASE) }, 404],
    ['404 route', null, { method: 'GET', url: '/nowhere' }, 404],
    ['409', ctx.expertTeam, { method: 'POST', url: eventsUrl(id), payload: events.CLOSE() }, 409],
    ['412', ctx.expertTeam, { method: 'POST', url: eventsUrl(id), payload: events.ADD_NOTE(), headers: { 'if-match': '"1"' } }, 412],
    ['415', ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: 'x', headers: { 'content-type': 'text/plain' } }, 415],
    ['422', ctx.localTeam, { method: 'POST', url: `${API}/cases`,
      payload: submission({ consent: { youth: 'refused', parents: 'refused' } }) }, 422],
  ];

  it('comes with every response, success or error', async () => {
    for (const [name, caller, options, status] of requests()) {
      const res = await ctx.call(caller, options);
      expect(res.statusCode, `${name}: ${res.body.slice(0, 200)}`).toBe(status);
      expect(res.headers['api-version'], name).toBe(API_VERSION);
    }
  });
});

describe('GET /health', () => {
  it('answers 200 without a token, with the database ready', async () => {
    const res = await ctx.call(null, { method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expectApiVersion(res);
    expect(res.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('does not live under /api/v1', async () => {
    expectProblem(await ctx.call(ctx.localTeam, { method: 'GET', url: `${API}/health` }), 404, 'NOT_FOUND');
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/nowhere'],
    ['GET', `${API}/nowhere`],
    ['GET', `${API}/cases/`],
    ['GET', `${API}/cases//trail`],
    ['GET', `${API}/cases/${UNKNOWN_CASE}/trail/`],
    ['DELETE', `${API}/cases/${UNKNOWN_CASE}`],
    ['GET', '/api/v2/cases'],
    ['GET', `${API}/Cases`],
  ] as const)('answer %s %s with 404 NOT_FOUND as problem+json, with or without a token', async (method, url) => {
    expectProblem(await ctx.call(null, { method, url }), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.expertTeam, { method, url }), 404, 'NOT_FOUND');
  });
});

describe('GET /api/v1/machines/referral', () => {
  it('returns the statechart as JSON with its id and version', async () => {
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: `${API}/machines/referral` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json\b/);
    const body = res.json();
    expect(body).toMatchObject({ id: 'referral', version: REFERRAL_MACHINE_VERSION });
    const json = JSON.stringify(body.definition);
    expect(body.definition).toMatchObject({ id: 'referral' });
    for (const state of LIFECYCLE_STATES) expect(json).toContain(`"${state}"`);
    for (const type of ['START_TRIAGE', 'ISSUE_ADVICE', 'SET_BRIDGING_PLAN', 'ESCALATE', 'WITHDRAW', 'ADD_NOTE']) {
      expect(json).toContain(type);
    }
  });

  it('is the same for every role that may read it', async () => {
    const bodies = await Promise.all([ctx.localTeam, ctx.expertTeam, ctx.inspector].map(async (caller) =>
      (await ctx.call(caller, { method: 'GET', url: `${API}/machines/referral` })).body));
    expect(new Set(bodies).size).toBe(1);
  });

  it('needs a token', async () => {
    expectProblem(await ctx.call(null, { method: 'GET', url: `${API}/machines/referral` }), 401, 'UNAUTHENTICATED');
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('answers without a token with the OpenAPI 3 document, its version and contact', async () => {
    const res = await ctx.call(null, { method: 'GET', url: `${API}/openapi.json` });
    expect(res.statusCode).toBe(200);
    expectApiVersion(res);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.version).toBe(API_VERSION);
    expect(doc.info.contact).toEqual({ name: expect.any(String), email: expect.any(String), url: expect.any(String) });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/cases', '/cases/{id}', '/cases/{id}/events', '/cases/{id}/trail']));
  });

  it('answers even with a token that is not valid', async () => {
    const res = await ctx.call(null, { method: 'GET', url: `${API}/openapi.json`, headers: { authorization: 'Bearer nope' } });
    expect(res.statusCode).toBe(200);
  });
});

describe('GET /docs', () => {
  it('serves the Swagger UI without a token', async () => {
    const res = await ctx.call(null, { method: 'GET', url: '/docs' });
    expect(res.statusCode).toBeLessThan(400);
    expectApiVersion(res);
  });
});
