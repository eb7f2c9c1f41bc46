/**
 * Who may see and do what (DESIGN §1, §3): local teams their own organisation's cases, expert teams
 * their region's, inspectors read-only with a purpose, admins no case content, nobody without a
 * valid token.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventType } from '../../machines/referral.schemas.ts';
import { createTestContext, type Caller, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import {
  API, caseInState, caseUrl, eventsUrl, expectProblem, expectView, footprint, listAllIds, readCase,
  readTrail, sorted, trailUrl,
} from '../support/http.ts';

let ctx: TestContext;
/** A case of wt-noord (R01) in triage, and one submitted by the expert team of R02. */
let ownCase: string;
let otherRegionCase: string;
beforeAll(async () => {
  ctx = await createTestContext();
  ownCase = await ctx.caseIn('triage');
  const res = await ctx.call(ctx.otherExpertTeam, { method: 'POST', url: `${API}/cases`, payload: submission() });
  otherRegionCase = expectView(res, 201).id;
});
afterAll(async () => { await ctx.close(); });

const get = (url: string): InjectOptions => ({ method: 'GET', url });
const post = (url: string, payload: object): InjectOptions => ({ method: 'POST', url, payload });
const EXPERT_ONLY = EVENT_TYPES.filter((t) =>
  !['PROVIDE_INFORMATION', 'REPORT_PROGRESS', 'REQUEST_REASSESSMENT', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL',
    'UPDATE_HELP_ITEM', 'UPDATE_COMMITMENT'].includes(t));

describe('GET /api/v1/cases/{id}, /cases and /trail as an inspector', () => {
  it('reads a case of its region, the list and the trail when it states a purpose', async () => {
    const view = await readCase(ctx, ownCase, ctx.inspector);
    expect(view).toMatchObject({ id: ownCase, state: 'triage' });
    expect(view.allowedEvents).toEqual([]);
    expect(await listAllIds(ctx, ctx.inspector)).toContain(ownCase);
    const trail = await readTrail(ctx, ownCase, ctx.inspector);
    expect(trail.entries.map((e) => e.type)).toEqual(['SUBMIT', 'START_TRIAGE']);
  });

  it('answers 400 PURPOSE_REQUIRED on every route when X-Purpose is missing', async () => {
    const noPurpose: Caller = { ...ctx.inspector, headers: {} };
    for (const options of [get(caseUrl(ownCase)), get(`${API}/cases`), get(trailUrl(ownCase)),
      post(eventsUrl(ownCase), events.ADD_NOTE()), post(`${API}/cases`, submission()),
      get(`${API}/machines/referral`)]) {
      expectProblem(await ctx.call(noPurpose, options), 400, 'PURPOSE_REQUIRED');
    }
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '   '],
    ['longer than 200 characters', 'x'.repeat(201)],
  ])('answers 400 PURPOSE_REQUIRED when X-Purpose is %s', async (_what, purpose) => {
    const res = await ctx.call(ctx.inspector, { ...get(caseUrl(ownCase)), headers: { 'x-purpose': purpose } });
    expectProblem(res, 400, 'PURPOSE_REQUIRED');
  });

  it('accepts a purpose of 1 and of 200 characters', async () => {
    for (const purpose of ['x', 'y'.repeat(200)]) {
      const res = await ctx.call(ctx.inspector, { ...get(caseUrl(ownCase)), headers: { 'x-purpose': purpose } });
      expectView(res);
    }
  });

  it('answers 403 on POST /cases, also with a purpose, and creates nothing', async () => {
    const before = await listAllIds(ctx, ctx.nationalInspector);
    expectProblem(await ctx.call(ctx.inspector, post(`${API}/cases`, submission())), 403, 'FORBIDDEN');
    expectProblem(await ctx.call(ctx.nationalInspector, post(`${API}/cases`, submission())), 403, 'FORBIDDEN');
    expect(await listAllIds(ctx, ctx.nationalInspector)).toEqual(before);
  });

  it.each(EVENT_TYPES)('answers 403 to an inspector sending %s and changes nothing', async (type) => {
    const before = await footprint(ctx, ownCase);
    expectProblem(await ctx.send(ctx.inspector, ownCase, events[type]()), 403, 'FORBIDDEN');
    expect(await footprint(ctx, ownCase)).toEqual(before);
  });

  it('answers 403 to a national inspector sending an event', async () => {
    expectProblem(await ctx.send(ctx.nationalInspector, ownCase, events.ADD_NOTE()), 403, 'FORBIDDEN');
  });

  it('answers 404 to an inspector of another region and leaves the case out of its list', async () => {
    expectProblem(await ctx.call(ctx.otherInspector, get(caseUrl(ownCase))), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.otherInspector, get(trailUrl(ownCase))), 404, 'NOT_FOUND');
    expectProblem(await ctx.send(ctx.otherInspector, ownCase, events.ADD_NOTE()), 404, 'NOT_FOUND');
    const ids = await listAllIds(ctx, ctx.otherInspector);
    expect(ids).not.toContain(ownCase);
    expect(ids).toContain(otherRegionCase);
  });

  it('lets a national inspector (region *) see the cases of every region', async () => {
    const ids = await listAllIds(ctx, ctx.nationalInspector);
    expect(ids).toEqual(expect.arrayContaining([ownCase, otherRegionCase]));
    expect((await readCase(ctx, otherRegionCase, ctx.nationalInspector)).region).toBe('R02');
    expect((await readTrail(ctx, ownCase, ctx.nationalInspector)).caseId).toBe(ownCase);
  });
});

describe('case routes as a local team', () => {
  it('sees its own organisation\'s case, with the events its role may send', async () => {
    const view = await readCase(ctx, ownCase, ctx.localTeam);
    expect(view.id).toBe(ownCase);
    expect(sorted(view.allowedEvents)).toEqual(['ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
  });

  it('gets 404 for another organisation\'s case on every route, and does not find it in its list', async () => {
    expectProblem(await ctx.call(ctx.otherLocalTeam, get(caseUrl(ownCase))), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.otherLocalTeam, get(trailUrl(ownCase))), 404, 'NOT_FOUND');
    expectProblem(await ctx.send(ctx.otherLocalTeam, ownCase, events.ADD_NOTE()), 404, 'NOT_FOUND');
    expect(await listAllIds(ctx, ctx.otherLocalTeam)).not.toContain(ownCase);
  });

  it('does not see a case the expert team submitted for its region', async () => {
    const res = await ctx.call(ctx.expertTeam, post(`${API}/cases`, submission({ referrer: { kind: 'youth' } })));
    const id = expectView(res, 201).id;
    expectProblem(await ctx.call(ctx.localTeam, get(caseUrl(id))), 404, 'NOT_FOUND');
    expect(await listAllIds(ctx, ctx.localTeam)).not.toContain(id);
  });

  it('sees only cases of its own organisation in GET /cases', async () => {
    const mine = await ctx.createCase();
    const ids = await listAllIds(ctx, ctx.localTeam);
    expect(ids).toEqual(expect.arrayContaining([ownCase, mine]));
    expect(ids).not.toContain(otherRegionCase);
    for (const id of ids) expectView(await ctx.call(ctx.localTeam, get(caseUrl(id))));
  });

  it('gets 403 on the trail of its own case', async () => {
    expectProblem(await ctx.call(ctx.localTeam, get(trailUrl(ownCase))), 403, 'FORBIDDEN');
  });

  it.each(EXPERT_ONLY)('gets 403 sending %s, an expert-team event, and nothing changes', async (type) => {
    const before = await footprint(ctx, ownCase);
    expectProblem(await ctx.send(ctx.localTeam, ownCase, events[type]()), 403, 'FORBIDDEN');
    expect(await footprint(ctx, ownCase)).toEqual(before);
  });
});

describe('case routes as an expert team', () => {
  it('sees the cases of every local team in its region', async () => {
    const res = await ctx.call(ctx.otherLocalTeam, post(`${API}/cases`, submission()));
    const fromZuid = expectView(res, 201).id;
    const ids = await listAllIds(ctx, ctx.expertTeam);
    expect(ids).toEqual(expect.arrayContaining([ownCase, fromZuid]));
    expect(ids).not.toContain(otherRegionCase);
    expect((await readCase(ctx, fromZuid)).id).toBe(fromZuid);
  });

  it('gets 404 for a case of another region on every route', async () => {
    expectProblem(await ctx.call(ctx.expertTeam, get(caseUrl(otherRegionCase))), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.expertTeam, get(trailUrl(otherRegionCase))), 404, 'NOT_FOUND');
    expectProblem(await ctx.send(ctx.expertTeam, otherRegionCase, events.START_TRIAGE()), 404, 'NOT_FOUND');
    expect(await listAllIds(ctx, ctx.otherExpertTeam)).not.toContain(ownCase);
  });

  it('gets 403 sending PROVIDE_INFORMATION, which only the local team sends', async () => {
    const id = await ctx.caseIn('awaiting_information');
    expectProblem(await ctx.send(ctx.expertTeam, id, events.PROVIDE_INFORMATION()), 403, 'FORBIDDEN');
  });
});

describe('case routes as an admin', () => {
  const routes = (): [string, InjectOptions][] => [
    ['POST /cases', post(`${API}/cases`, submission())],
    ['GET /cases', get(`${API}/cases`)],
    ['GET /cases?state=triage&limit=5', get(`${API}/cases?state=triage&limit=5`)],
    ['GET /cases/{id}', get(caseUrl(ownCase))],
    ['POST /cases/{id}/events', post(eventsUrl(ownCase), events.ADD_NOTE())],
    ['GET /cases/{id}/trail', get(trailUrl(ownCase))],
  ];

  it('gets 403 on every case route, and changes nothing', async () => {
    const before = await footprint(ctx, ownCase);
    for (const [name, options] of routes()) {
      const res = await ctx.call(ctx.admin, options);
      expect(res.statusCode, name).toBe(403);
      expectProblem(res, 403, 'FORBIDDEN');
    }
    expect(await footprint(ctx, ownCase)).toEqual(before);
  });

  it('gets 403 on GET /cases even with an invalid query (403 comes before 400)', async () => {
    const res = await ctx.call(ctx.admin, get(`${API}/cases?limit=0`));
    expectProblem(res, 403, 'FORBIDDEN');
  });

  it('reads the statechart, which is not case content', async () => {
    const res = await ctx.call(ctx.admin, get(`${API}/machines/referral`));
    expect(res.statusCode).toBe(200);
  });
});

describe('every /api/v1 route without a valid token', () => {
  const routes = (): [string, InjectOptions][] => [
    ['POST /cases', post(`${API}/cases`, submission())],
    ['GET /cases', get(`${API}/cases`)],
    ['GET /cases/{id}', get(caseUrl(ownCase))],
    ['POST /cases/{id}/events', post(eventsUrl(ownCase), events.ADD_NOTE())],
    ['GET /cases/{id}/trail', get(trailUrl(ownCase))],
    ['GET /machines/referral', get(`${API}/machines/referral`)],
  ];
  const authorizations: [string, string | undefined][] = [
    ['no Authorization header', undefined],
    ['the Basic scheme', `Basic ${Buffer.from('wt-noord:secret').toString('base64')}`],
    ['an unknown token', 'Bearer psd_thisTokenWasNeverIssued'],
    ['Bearer without a token', 'Bearer '],
    ['a token without a scheme', 'psd_thisTokenWasNeverIssued'],
  ];

  it.each(authorizations)('answers 401 UNAUTHENTICATED with %s', async (_what, authorization) => {
    const before = await footprint(ctx, ownCase);
    for (const [name, options] of routes()) {
      const res = await ctx.call(null, { ...options, headers: authorization ? { authorization } : {} });
      expect(res.statusCode, name).toBe(401);
      expectProblem(res, 401, 'UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer\b/);
    }
    expect(await footprint(ctx, ownCase)).toEqual(before);
  });

  it('answers 401 for a valid token with one character appended', async () => {
    const res = await ctx.call(null, { ...get(`${API}/cases`), headers: { authorization: `Bearer ${ctx.localTeam.token}x` } });
    expectProblem(res, 401, 'UNAUTHENTICATED');
  });

  it('answers 401 once a token is revoked', async () => {
    const extra = await createTestContext();
    try {
      const { clientId } = await extra.actorOf(extra.localTeam);
      expect((await extra.call(extra.localTeam, get(`${API}/cases`))).statusCode).toBe(200);
      expect(await extra.revokeClient(clientId)).toBe(true);
      expectProblem(await extra.call(extra.localTeam, get(`${API}/cases`)), 401, 'UNAUTHENTICATED');
    } finally {
      await extra.close();
    }
  });

  it('accepts the scheme name in any case, as RFC 9110 allows', async () => {
    const res = await ctx.call(null, { ...get(`${API}/cases`), headers: { authorization: `bearer ${ctx.localTeam.token}` } });
    expect(res.statusCode).toBe(200);
  });
});

describe('allowedEvents in the case view', () => {
  // DESIGN §3's table, read per role; ASSIGN (§6.3) in every open state for the expert team.
  const EXPECTED: Record<string, { expert: EventType[]; local: EventType[] }> = {
    submitted: { expert: ['ASSIGN', 'START_TRIAGE', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'], local: ['WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'] },
    triage: {
      expert: ['ASSIGN', 'REQUEST_INFORMATION', 'ACCEPT', 'DECLINE', 'CONSULT', 'ESCALATE', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'],
      local: ['WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'],
    },
    awaiting_information: {
      expert: ['ASSIGN', 'ESCALATE', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'], local: ['PROVIDE_INFORMATION', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'],
    },
    planning_overleg: { expert: ['ASSIGN', 'SCHEDULE_OVERLEG', 'ESCALATE', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'], local: ['WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'] },
    overleg_scheduled: { expert: ['ASSIGN', 'RECORD_OVERLEG', 'ESCALATE', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'], local: ['WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'] },
    advising: { expert: ['ASSIGN', 'ISSUE_ADVICE', 'ESCALATE', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'], local: ['WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL'] },
    bridging: {
      expert: ['ASSIGN', 'SET_BRIDGING_PLAN', 'ESCALATE', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'UPDATE_HELP_ITEM'],
      local: ['WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'UPDATE_HELP_ITEM'],
    },
    follow_up: {
      expert: ['ASSIGN', 'SET_BRIDGING_PLAN', 'REPORT_PROGRESS', 'REQUEST_REASSESSMENT', 'ESCALATE', 'WITHDRAW', 'CLOSE', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'UPDATE_HELP_ITEM'],
      local: ['REPORT_PROGRESS', 'REQUEST_REASSESSMENT', 'WITHDRAW', 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'UPDATE_HELP_ITEM'],
    },
    closed: { expert: ['ADD_NOTE'], local: ['ADD_NOTE'] },
  };

  it.each(Object.keys(EXPECTED))('in %s lists per role exactly the events of the design table', async (state) => {
    const id = await caseInState(ctx, state);
    const expected = EXPECTED[state] as { expert: EventType[]; local: EventType[] };
    expect(sorted((await readCase(ctx, id, ctx.expertTeam)).allowedEvents)).toEqual(sorted(expected.expert));
    expect(sorted((await readCase(ctx, id, ctx.localTeam)).allowedEvents)).toEqual(sorted(expected.local));
    expect((await readCase(ctx, id, ctx.inspector)).allowedEvents).toEqual([]);
    expect((await readCase(ctx, id, ctx.nationalInspector)).allowedEvents).toEqual([]);
  });

  it('in the answer to an event lists what the sender may send next', async () => {
    const id = await ctx.caseIn('triage');
    const asked = expectView(await ctx.send(ctx.expertTeam, id, events.REQUEST_INFORMATION()));
    expect(sorted(asked.allowedEvents)).toEqual(['ADD_NOTE', 'ASSIGN', 'ESCALATE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
    const answered = expectView(await ctx.send(ctx.localTeam, id, events.PROVIDE_INFORMATION()));
    expect(sorted(answered.allowedEvents)).toEqual(['ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
  });
});

describe('a local team with the same organisation id in another region', () => {
  let ctx: TestContext;
  beforeAll(async () => { ctx = await createTestContext(); });
  afterAll(async () => { await ctx.close(); });

  it('sees none of the cases of the namesake team: 404 on read and write, absent from GET /cases', async () => {
    const id = await ctx.createCase();
    const namesake: Caller = {
      token: (await ctx.newClient({ role: 'local_team', organisation: 'wt-noord', region: 'R02', name: 'elsewhere' })).token,
      role: 'local_team', headers: {},
    };
    expect((await ctx.call(namesake, { method: 'GET', url: `/api/v1/cases/${id}` })).statusCode).toBe(404);
    expect((await ctx.send(namesake, id, events.ADD_NOTE())).statusCode).toBe(404);
    const list = await ctx.call(namesake, { method: 'GET', url: '/api/v1/cases' });
    expect(list.json().items).toEqual([]);
    expect((await ctx.call(ctx.localTeam, { method: 'GET', url: `/api/v1/cases/${id}` })).statusCode).toBe(200);
  });
});
