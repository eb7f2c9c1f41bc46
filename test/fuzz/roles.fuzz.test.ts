/**
 * Who may do what comes before what was sent (DESIGN §3: 401 → 404 → 403 → 400): a case the
 * caller may not see is 404 and a role that may not act is 403, whatever the body, id or query
 * string. Nothing a refused caller sends changes anything.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../machines/referral.schemas.ts';
import { maySend } from '../../machines/referral.roles.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import {
  anyJson, brokenJsonText, encodeQuery, FIXTURE_FREE_TEXT, mutate, mutationsOf, notAnObjectText,
  oddIdSegment, queryPairs, unknownKey,
} from './arbitraries.ts';
import {
  API, caseMark, expectProblem, probe, RUNS, visibleCases, type CaseMark, type ContractOptions,
} from './contract.ts';

describe('fuzz: roles and visibility come first', () => {
  let ctx: TestContext;
  const targets: { id: string; mark: CaseMark }[] = [];
  let visibleBefore: number;
  const personal: ContractOptions = {
    forbidden: [...FIXTURE_FREE_TEXT],
  };

  beforeAll(async () => {
    ctx = await createTestContext();
    for (const state of ['triage', 'follow_up', 'closed'] as const) {
      const id = await ctx.caseIn(state);
      targets.push({ id, mark: await caseMark(ctx, id) });
    }
    visibleBefore = await visibleCases(ctx);
  });
  afterAll(async () => { await ctx.close(); });

  afterEach(async () => {
    for (const t of targets) expect(await caseMark(ctx, t.id)).toEqual(t.mark);
    expect(await visibleCases(ctx)).toBe(visibleBefore);
  });

  const target = () => fc.nat(targets.length - 1).map((i) => targets[i]!.id);
  const eventType = fc.constantFrom(...EVENT_TYPES);
  /** Any event body: valid, mutated, malformed, or no object at all. */
  const anyEventText = fc.oneof(
    eventType.map((t) => JSON.stringify(events[t]())),
    eventType.chain((t) => mutationsOf(events[t]()).map((m) => JSON.stringify(mutate(events[t](), m)))),
    eventType.chain((t) => brokenJsonText(events[t]())),
    notAnObjectText,
  );
  const json = { 'content-type': 'application/json' };

  it('answers 404 to a caller who may not see the case, whatever the body', async () => {
    const outsider = fc.constantFrom('otherExpertTeam', 'otherLocalTeam', 'otherInspector') as fc.Arbitrary<
      'otherExpertTeam' | 'otherLocalTeam' | 'otherInspector'>;
    await fc.assert(fc.asyncProperty(outsider, target(), anyEventText, async (who, id, payload) => {
      const caller = ctx[who];
      const event = await probe(ctx, caller, { method: 'POST', url: `${API}/cases/${id}/events`, payload, headers: json }, personal);
      expectProblem(event, 404, 'NOT_FOUND');
      expectProblem(await probe(ctx, caller, { method: 'GET', url: `${API}/cases/${id}` }), 404, 'NOT_FOUND');
      expectProblem(await probe(ctx, caller, { method: 'GET', url: `${API}/cases/${id}/trail` }), 404, 'NOT_FOUND');
    }), { numRuns: RUNS.normal });
  });

  it('answers 403 to an inspector for any event body: read-only', async () => {
    const inspector = fc.constantFrom('inspector', 'nationalInspector') as fc.Arbitrary<'inspector' | 'nationalInspector'>;
    await fc.assert(fc.asyncProperty(inspector, target(), anyEventText, async (who, id, payload) => {
      const res = await probe(ctx, ctx[who], { method: 'POST', url: `${API}/cases/${id}/events`, payload, headers: json }, personal);
      expectProblem(res, 403, 'FORBIDDEN');
    }), { numRuns: RUNS.few });
  });

  it('answers 403 to an inspector submitting any body', async () => {
    const body = fc.oneof(fc.constant(JSON.stringify(submission())), brokenJsonText(submission()), notAnObjectText,
      mutationsOf(submission()).map((m) => JSON.stringify(mutate(submission(), m))));
    await fc.assert(fc.asyncProperty(body, async (payload) => {
      const res = await probe(ctx, ctx.inspector, { method: 'POST', url: `${API}/cases`, payload, headers: json }, personal);
      expectProblem(res, 403, 'FORBIDDEN');
    }), { numRuns: RUNS.few });
  });

  it("answers 403 to a local team sending an expert team's event, whatever the rest of the body", async () => {
    const expertOnly = fc.constantFrom(...EVENT_TYPES.filter((t) => !maySend('local_team', t)));
    const rest = fc.oneof(
      fc.dictionary(unknownKey.filter((k) => k !== 'type' && k !== '__proto__'), anyJson, { maxKeys: 5 }),
      eventType.map((t) => {
        const { type: _type, ...payload } = events[t]() as { type: string };
        return payload;
      }),
    );
    await fc.assert(fc.asyncProperty(target(), expertOnly, rest, async (id, type, payload) => {
      const body = JSON.stringify({ ...payload, type });
      // A `__proto__` or `constructor` key anywhere makes the parser refuse the body (400, before any
      // role is known): the prototype-key bodies have their own property in the body fuzz.
      fc.pre(!/"(__proto__|constructor)"\s*:/.test(body));
      const res = await probe(ctx, ctx.localTeam, {
        method: 'POST', url: `${API}/cases/${id}/events`, payload: body, headers: json,
      }, personal);
      expectProblem(res, 403, 'FORBIDDEN');
    }), { numRuns: RUNS.normal });
  });

  it('answers 403 to a local team reading a trail of its own case', async () => {
    await fc.assert(fc.asyncProperty(target(), async (id) => {
      expectProblem(await probe(ctx, ctx.localTeam, { method: 'GET', url: `${API}/cases/${id}/trail` }), 403, 'FORBIDDEN');
    }), { numRuns: 10 });
  });

  it('answers 403 to an admin on every case route, whatever the id or body', async () => {
    const id = fc.oneof(target(), oddIdSegment);
    const route = fc.oneof(
      fc.record({ method: fc.constant('POST' as const), url: fc.constant(`${API}/cases`),
        payload: fc.oneof(fc.constant(JSON.stringify(submission())), brokenJsonText(submission()), notAnObjectText) }),
      fc.record({ method: fc.constant('POST' as const), url: id.map((i) => `${API}/cases/${i}/events`), payload: anyEventText }),
      fc.record({ method: fc.constant('GET' as const), url: id.map((i) => `${API}/cases/${i}`) }),
      fc.record({ method: fc.constant('GET' as const), url: id.map((i) => `${API}/cases/${i}/trail`) }),
      fc.constant({ method: 'GET' as const, url: `${API}/cases` }),
    );
    await fc.assert(fc.asyncProperty(route, async (options) => {
      const res = await probe(ctx, ctx.admin, { ...options, headers: json }, personal);
      expectProblem(res, 403, 'FORBIDDEN');
    }), { numRuns: RUNS.normal });
  });

  // DESIGN §3: "An admin gets 403 on every case route", and 403 comes before 400.
  it('answers 403 to an admin listing cases, whatever the query string', async () => {
    await fc.assert(fc.asyncProperty(queryPairs, async (pairs) => {
      const res = await probe(ctx, ctx.admin, { method: 'GET', url: `${API}/cases?${encodeQuery(pairs)}` });
      expectProblem(res, 403, 'FORBIDDEN');
    }), { numRuns: RUNS.normal });
  });
});
