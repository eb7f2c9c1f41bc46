/**
 * Paths the router itself refuses, before any route, hook or handler of the app runs: broken
 * percent-escapes (invalid UTF-8, `%` without two hex digits) and ids longer than the router's
 * maxParamLength (200). The contract holds for them too: a 4xx problem with API-Version.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events } from '../support/fixtures.ts';
import { rawPercentSegment } from './arbitraries.ts';
import { API, caseMark, expectProblem, expectStatus, probe, RUNS, visibleCases, type CaseMark } from './contract.ts';

describe('fuzz: paths the router refuses', () => {
  let ctx: TestContext;
  let target: { id: string; mark: CaseMark };
  let visibleBefore: number;

  beforeAll(async () => {
    ctx = await createTestContext();
    const id = await ctx.caseIn('triage');
    target = { id, mark: await caseMark(ctx, id) };
    visibleBefore = await visibleCases(ctx);
  });
  afterAll(async () => { await ctx.close(); });

  afterEach(async () => {
    expect(await caseMark(ctx, target.id)).toEqual(target.mark);
    expect(await visibleCases(ctx)).toBe(visibleBefore);
  });

  /** A request to each kind of route with `segment` in the place of the id or a path segment. */
  const ROUTES = [
    (s: string) => ({ method: 'GET' as const, url: `${API}/cases/${s}` }),
    (s: string) => ({ method: 'GET' as const, url: `${API}/cases/${s}/trail` }),
    (s: string) => ({ method: 'POST' as const, url: `${API}/cases/${s}/events`, payload: JSON.stringify(events.ADD_NOTE()),
      headers: { 'content-type': 'application/json' } }),
    (s: string) => ({ method: 'GET' as const, url: `${API}/${s}` }),
    (s: string) => ({ method: 'GET' as const, url: `/docs/${s}` }),
    (s: string) => ({ method: 'GET' as const, url: `/${s}` }),
  ];
  const CASE_ROUTES = 3; // the first three take a case id

  it('answers broken percent-escapes in the path with a 4xx problem', async () => {
    await fc.assert(fc.asyncProperty(rawPercentSegment, fc.nat(ROUTES.length - 1), fc.boolean(), async (segment, route, withToken) => {
      const request = ROUTES[route]!(segment);
      // A segment that URL parsing reads as a dot segment (`%2e%2e`) may land on `/`: the console's start page.
      if (new URL(request.url, 'http://x').pathname === '/') {
        const res = await ctx.call(null, request);
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain('<html lang="nl"');
        return;
      }
      const res = await probe(ctx, withToken ? ctx.expertTeam : null, request);
      expectStatus(res, [400, 401, 404]);
    }), { numRuns: RUNS.few });
  });

  it('answers an id longer than the router allows with 404 NOT_FOUND', async () => {
    const longId = fc.tuple(fc.integer({ min: 201, max: 5_000 }), fc.constantFrom('a', '0', '-', '%41'))
      .map(([n, unit]) => unit.repeat(n));
    await fc.assert(fc.asyncProperty(longId, fc.nat(CASE_ROUTES - 1), async (id, route) => {
      expectProblem(await probe(ctx, ctx.expertTeam, ROUTES[route]!(id)), 404, 'NOT_FOUND');
    }), { numRuns: RUNS.few });
  });
});
