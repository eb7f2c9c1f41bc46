/**
 * Odd headers on every route: Authorization, X-Purpose, Accept, Content-Type, Content-Length,
 * If-Match; and a property that throws all of it together at every route at once.
 */
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../machines/referral.schemas.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import {
  acceptHeader, anyJson, asciiHeader, badAuthorization, badIfMatch, badPurpose, brokenJsonText,
  encodeQuery, FIXTURE_FREE_TEXT, garbageType, goodPurpose, marker, mutate, mutationsOf, nonJsonType,
  notAnObjectText, oddIdSegment, queryPairs,
} from './arbitraries.ts';
import {
  API, caseMark, markedCases, expectProblem, expectStatus, probe, RUNS, visibleCases, type CaseMark,
  type ContractOptions,
} from './contract.ts';

const json = { 'content-type': 'application/json' };
const PUBLIC_PATHS = ['/health', '/docs', '/docs/json', `${API}/openapi.json`];

/** One request to each route that needs a token, about case `id`. */
function protectedRequests(id: string): InjectOptions[] {
  return [
    { method: 'GET', url: `${API}/cases` },
    { method: 'GET', url: `${API}/cases?limit=abc&state=nope` },
    { method: 'GET', url: `${API}/cases/${id}` },
    { method: 'GET', url: `${API}/cases/${id}/trail` },
    { method: 'GET', url: `${API}/cases/00000000-0000-4000-8000-000000000000` },
    { method: 'GET', url: `${API}/machines/referral` },
    { method: 'HEAD', url: `${API}/cases/${id}` },
    { method: 'POST', url: `${API}/cases`, payload: JSON.stringify(submission()), headers: json },
    { method: 'POST', url: `${API}/cases`, payload: 'not json', headers: { 'content-type': 'text/plain' } },
    { method: 'POST', url: `${API}/cases/${id}/events`, payload: JSON.stringify(events.ADD_NOTE()), headers: json },
    { method: 'POST', url: `${API}/cases/${id}/events`, payload: '{"type":', headers: json },
  ];
}

describe('fuzz: odd headers', () => {
  let ctx: TestContext;
  const targets: { id: string; mark: CaseMark; applied: number }[] = [];
  let visibleBefore: number;
  let created = 0;
  const personal: ContractOptions = {
    forbidden: [...FIXTURE_FREE_TEXT],
  };

  beforeAll(async () => {
    ctx = await createTestContext();
    targets.push(...await markedCases(ctx, ['triage', 'follow_up', 'closed']));
    visibleBefore = await visibleCases(ctx);
  });
  afterAll(async () => { await ctx.close(); });

  afterEach(async () => {
    for (const t of targets) {
      const now = await caseMark(ctx, t.id);
      expect(now.version).toBe(t.mark.version + t.applied);
      expect(now.trailEntries).toBe(t.mark.trailEntries + t.applied);
    }
    expect(await visibleCases(ctx)).toBe(visibleBefore + created);
  });

  const target = () => fc.nat(targets.length - 1).map((i) => targets[i]!);
  const request = () => target().chain((t) => fc.constantFrom(...protectedRequests(t.id)));

  it('answers a missing or garbage Authorization with 401 on every route that needs a token', async () => {
    const header = fc.option(badAuthorization(ctx.expertTeam.token), { nil: undefined });
    await fc.assert(fc.asyncProperty(request(), header, async (options, authorization) => {
      const headers = { ...(options.headers as Record<string, string>), ...(authorization === undefined ? {} : { authorization }) };
      const res = await probe(ctx, null, { ...options, headers });
      expectProblem(res, 401, 'UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    }), { numRuns: RUNS.many });
  });

  it('serves the public routes whatever Authorization says', async () => {
    const header = badAuthorization(ctx.expertTeam.token);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...PUBLIC_PATHS), header, async (url, authorization) => {
      expectStatus(await probe(ctx, null, { method: 'GET', url, headers: { authorization } }), [200]);
    }), { numRuns: RUNS.few });
  });

  it('answers an inspector without a valid X-Purpose with 400 PURPOSE_REQUIRED on every route', async () => {
    const inspector = fc.constantFrom(ctx.inspector, ctx.nationalInspector, ctx.otherInspector);
    await fc.assert(fc.asyncProperty(inspector, request(), badPurpose, async (who, options, purpose) => {
      const headers: Record<string, string> = { ...(options.headers as Record<string, string>), authorization: `Bearer ${who.token}` };
      if (purpose !== undefined) headers['x-purpose'] = purpose;
      const res = await probe(ctx, null, { ...options, headers }, { forbidden: purpose && purpose.trim() ? [purpose.trim()] : [] });
      expectProblem(res, 400, 'PURPOSE_REQUIRED');
    }), { numRuns: RUNS.normal });
  });

  it('lets an inspector with a valid X-Purpose read', async () => {
    await fc.assert(fc.asyncProperty(target(), goodPurpose, fc.constantFrom('', '/trail'), async (t, purpose, sub) => {
      const res = await probe(ctx, null, { method: 'GET', url: `${API}/cases/${t.id}${sub}`,
        headers: { authorization: `Bearer ${ctx.inspector.token}`, 'x-purpose': purpose } });
      expectStatus(res, [200]);
    }), { numRuns: RUNS.few });
  });

  it('answers odd Accept headers on every read with the resource or a problem', async () => {
    const read = fc.oneof(
      target().map((t) => ({ url: `${API}/cases/${t.id}`, ok: true })),
      target().map((t) => ({ url: `${API}/cases/${t.id}/trail`, ok: true })),
      fc.constantFrom(`${API}/cases`, `${API}/machines/referral`).map((url) => ({ url, ok: true })),
      oddIdSegment.map((id) => ({ url: `${API}/cases/${id}`, ok: false })),
    );
    await fc.assert(fc.asyncProperty(read, acceptHeader, async ({ url, ok }, accept) => {
      const res = await probe(ctx, ctx.expertTeam, { method: 'GET', url, headers: { accept } });
      if (ok) expectStatus(res, [200, 406]);
      else expectProblem(res, 404, 'NOT_FOUND');
    }), { numRuns: RUNS.normal });
  });

  it('answers a Content-Length that does not fit the body with a 4xx', async () => {
    const length = fc.oneof(fc.constantFrom('0', '1', '-1', 'abc', '1.5', ' 2 ', '', '99999999999999999999'),
      fc.nat({ max: 3_000_000 }).map(String));
    const post = target().chain((t) => fc.constantFrom(
      { url: `${API}/cases`, payload: JSON.stringify(submission()) },
      { url: `${API}/cases/${t.id}/events`, payload: JSON.stringify(events.ADD_NOTE()) },
    ));
    await fc.assert(fc.asyncProperty(post, length, async ({ url, payload }, contentLength) => {
      fc.pre(contentLength !== String(Buffer.byteLength(payload)));
      const res = await probe(ctx, ctx.expertTeam, { method: 'POST', url, payload,
        headers: { ...json, 'content-length': contentLength } }, personal);
      // light-my-request may fix a length it cannot use; a body it then reads may be valid
      expectStatus(res, [200, 201, 400, 413]);
      if (res.statusCode === 201) created += 1;
      if (res.statusCode === 200) targets.find((t) => url.includes(t.id))!.applied += 1;
    }), { numRuns: RUNS.few });
  });

  it('keeps the contract whatever is thrown at whichever route', async () => {
    const callers: (Caller | null)[] = [null, ctx.localTeam, ctx.expertTeam, ctx.otherExpertTeam, ctx.inspector,
      ctx.nationalInspector, ctx.admin];
    const who = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(ctx.localTeam, ctx.expertTeam) },
      { weight: 1, arbitrary: fc.constantFrom(...callers) });
    const eventType = fc.constantFrom(...EVENT_TYPES);
    const body = fc.oneof(
      fc.constant(JSON.stringify(submission())),
      mutationsOf(submission()).map((m) => JSON.stringify(mutate(submission(), m))),
      brokenJsonText(submission()),
      eventType.map((t) => JSON.stringify(events[t]())),
      eventType.chain((t) => mutationsOf(events[t]()).map((m) => JSON.stringify(mutate(events[t](), m)))),
      eventType.chain((t) => brokenJsonText(events[t]())),
      notAnObjectText,
      anyJson.map((v) => JSON.stringify(v)),
    );
    const path = fc.oneof(
      fc.constant(`${API}/cases`),
      queryPairs.map((q) => `${API}/cases?${encodeQuery(q)}`),
      fc.oneof(target().map((t) => t.id), oddIdSegment).chain((id) =>
        fc.constantFrom(`${API}/cases/${id}`, `${API}/cases/${id}/trail`, `${API}/cases/${id}/events`)),
      fc.constantFrom(...PUBLIC_PATHS, `${API}/machines/referral`, '/nope', `${API}/nope`),
    );
    /** Present now and then (1 in `odds`), absent otherwise. */
    const sometimes = <T>(a: fc.Arbitrary<T>, odds: number) =>
      fc.oneof({ weight: odds - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
    const headers = fc.record({
      'content-type': fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') },
        { weight: 1, arbitrary: nonJsonType }, { weight: 1, arbitrary: garbageType }),
      authorization: sometimes(asciiHeader(60), 6),
      accept: sometimes(acceptHeader, 2),
      'if-match': sometimes(fc.oneof(badIfMatch(3), fc.constantFrom('*', '"1"', '"2"', '"3"', '"6"', '"7"')), 3),
      'x-purpose': sometimes(fc.oneof(goodPurpose, badPurpose.map((p) => p ?? '')), 4),
    }).map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);
    const method = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('GET', 'POST') },
      { weight: 1, arbitrary: fc.constantFrom('HEAD', 'PUT', 'DELETE', 'PATCH') });
    await fc.assert(fc.asyncProperty(
      who, method, path, body, headers, marker, fc.boolean(),
      async (caller, method, url, text, extra, m, plant) => {
        // plant a marker in a string value of the body: it must never come back in a 4xx
        const payload = plant ? text.replace(/"([^"\\]{3,})"(?!\s*:)/, `"${m}$1"`) : text;
        const sendBody = method !== 'GET' && method !== 'HEAD';
        const res = await probe(ctx, caller, { method, url, ...(sendBody ? { payload } : {}), headers: extra },
          { forbidden: [m, ...personal.forbidden!], browserPage: !url.startsWith(`${API}/`) });
        // a case the other region's expert team submits is not one the expert team here sees
        if (method === 'POST' && res.statusCode === 201 && caller !== ctx.otherExpertTeam) created += 1;
        if (method === 'POST' && res.statusCode === 200) {
          const t = targets.find((x) => url === `${API}/cases/${x.id}/events`);
          expect(t).toBeDefined();
          t!.applied += 1;
        }
      }), { numRuns: RUNS.many });
  });
});
