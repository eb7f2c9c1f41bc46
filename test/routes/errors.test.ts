/**
 * Which error wins (DESIGN §3): 401 → 404 → 403 → 400 → 412 → 409 → 422, the first failing check
 * answers; every error is problem+json with its code, and a refused request changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, helpItem, submission } from '../support/fixtures.ts';
import {
  API, caseUrl, eventsUrl, expectProblem, footprint, sorted, trailUrl, UNKNOWN_CASE,
} from '../support/http.ts';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });

const badAccept = { type: 'ACCEPT', findings: { regularRoutesTried: 'yes' }, rationale: '' };
/** SCHEDULE_OVERLEG that breaks PARTICIPATION_REASON_REQUIRED (the youth is missing). */
const scheduleWithoutYouth = events.SCHEDULE_OVERLEG({ participants: [{ role: 'parents' }] });
const rawPost = (id: string, payload: string, headers: Record<string, string> = {}) => ({
  method: 'POST' as const, url: eventsUrl(id), payload, headers: { 'content-type': 'application/json', ...headers },
});

describe('POST /api/v1/cases/{id}/events: 401 comes first', () => {
  it('answers 401 without a token even for a case that does not exist', async () => {
    const res = await ctx.call(null, { method: 'POST', url: eventsUrl(UNKNOWN_CASE), payload: badAccept });
    expectProblem(res, 401, 'UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers 401 with an unknown token for an existing case, with a body that breaks every later check', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    const res = await ctx.call(null, rawPost(id, '{not json', { authorization: 'Bearer psd_nope', 'if-match': '"99"' }));
    expectProblem(res, 401, 'UNAUTHENTICATED');
    expect(await footprint(ctx, id)).toEqual(before);
  });
});

describe('POST /api/v1/cases/{id}/events: 404 before 403', () => {
  it('answers 404 for a case id that does not exist', async () => {
    expectProblem(await ctx.send(ctx.expertTeam, UNKNOWN_CASE, events.START_TRIAGE()), 404, 'NOT_FOUND');
    expectProblem(await ctx.send(ctx.expertTeam, 'not-a-uuid', events.START_TRIAGE()), 404, 'NOT_FOUND');
  });

  it('answers 404 to the expert team of another region even with an invalid body and a stale If-Match', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    expectProblem(await ctx.send(ctx.otherExpertTeam, id, badAccept, { 'if-match': '"99"' }), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.otherExpertTeam, rawPost(id, '{"type":')), 404, 'NOT_FOUND');
    expectProblem(await ctx.call(ctx.otherExpertTeam, rawPost(id, '"just a string"')), 404, 'NOT_FOUND');
    expect(await footprint(ctx, id)).toEqual(before);
  });

  it('answers 404, not 403, to another organisation\'s local team sending an event its role never sends', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.send(ctx.otherLocalTeam, id, events.ACCEPT()), 404, 'NOT_FOUND');
  });

  it('answers 404, not 403, to the expert team of another region sending PROVIDE_INFORMATION', async () => {
    const id = await ctx.caseIn('awaiting_information');
    expectProblem(await ctx.send(ctx.otherExpertTeam, id, events.PROVIDE_INFORMATION()), 404, 'NOT_FOUND');
  });

  it('answers 404, not 403, to an inspector of another region', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.send(ctx.otherInspector, id, events.ACCEPT()), 404, 'NOT_FOUND');
  });
});

describe('POST /api/v1/cases/{id}/events: 403 before 400', () => {
  it('answers 403 to a local team sending ACCEPT with an invalid body', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    expectProblem(await ctx.send(ctx.localTeam, id, badAccept), 403, 'FORBIDDEN');
    expectProblem(await ctx.send(ctx.localTeam, id, { type: 'ACCEPT' }), 403, 'FORBIDDEN');
    expect(await footprint(ctx, id)).toEqual(before);
  });

  it('answers 403 to a local team sending ACCEPT with a stale If-Match in a state where ACCEPT is not allowed', async () => {
    const id = await ctx.caseIn('submitted');
    expectProblem(await ctx.send(ctx.localTeam, id, events.ACCEPT(), { 'if-match': '"42"' }), 403, 'FORBIDDEN');
  });

  it('answers 403 to an expert team sending PROVIDE_INFORMATION with an empty answer', async () => {
    const id = await ctx.caseIn('awaiting_information');
    expectProblem(await ctx.send(ctx.expertTeam, id, { type: 'PROVIDE_INFORMATION', answer: '' }), 403, 'FORBIDDEN');
  });

  it('answers 403 to an inspector with any body, even one that is not JSON', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.send(ctx.inspector, id, badAccept), 403, 'FORBIDDEN');
    expectProblem(await ctx.send(ctx.inspector, id, { type: 'NO_SUCH_EVENT' }), 403, 'FORBIDDEN');
    expectProblem(await ctx.call(ctx.inspector, rawPost(id, '{oops')), 403, 'FORBIDDEN');
  });
});

describe('POST /api/v1/cases/{id}/events: 400 before 412', () => {
  it('answers 400 VALIDATION_FAILED with invalidParams for an invalid body with a stale If-Match', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    const problem = expectProblem(await ctx.send(ctx.expertTeam, id, badAccept, { 'if-match': '"99"' }),
      400, 'VALIDATION_FAILED');
    const names = problem.invalidParams?.map((p) => p.name) ?? [];
    expect(names).toEqual(expect.arrayContaining(['findings.regularRoutesTried', 'rationale']));
    expect(await footprint(ctx, id)).toEqual(before);
  });

  it.each([
    ['an unknown event type', { type: 'TELEPORT' }, 'type'],
    ['no event type', { coordinator: 'A' }, 'type'],
    ['an event type that is not a string', { type: 7 }, 'type'],
    ['an unknown member (the schemas are strict)', { ...events.START_TRIAGE(), childName: 'Jan' }, undefined],
    ['a wrong type for a field', { ...events.REPORT_PROGRESS(), helpStarted: 'yes' }, 'helpStarted'],
    ['a client-supplied time stamp `at`', { ...events.START_TRIAGE(), at: '2020-01-01T00:00:00Z' }, undefined],
    ['a negative waitingWeeks', { ...events.ISSUE_ADVICE(), helpItems: [{ ...helpItem(0), waitingWeeks: -1 }] },
      'helpItems.0.waitingWeeks'],
    ['an unknown law in financing', { ...events.ISSUE_ADVICE(),
      helpItems: [{ ...helpItem(0), financing: [{ law: 'belastingdienst', funder: 'X' }] }] }, 'helpItems.0.financing.0.law'],
    ['an empty participants list', { ...events.SCHEDULE_OVERLEG(), participants: [] }, 'participants'],
    ['a scheduledAt that is not a date-time', { ...events.SCHEDULE_OVERLEG(), scheduledAt: 'next tuesday' }, 'scheduledAt'],
    ['a JSON array', [events.START_TRIAGE()], '(body)'],
    ['a JSON string', 'START_TRIAGE', '(body)'],
    ['JSON null', null, '(body)'],
  ] as const)('answers 400 for %s', async (_what, body, param) => {
    const id = await ctx.caseIn('submitted');
    const problem = expectProblem(await ctx.call(ctx.expertTeam, rawPost(id, JSON.stringify(body))),
      400, 'VALIDATION_FAILED');
    expect(problem.invalidParams?.length).toBeGreaterThan(0);
    if (param) expect(problem.invalidParams?.map((p) => p.name)).toContain(param);
  });

  it('answers 400 for malformed JSON, without echoing it', async () => {
    const id = await ctx.caseIn('submitted');
    const res = await ctx.call(ctx.expertTeam, rawPost(id, '{"type":"START_TRIAGE","coordinator":"Secret Name'));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body).not.toContain('Secret Name');
  });

  it('answers 400 for an empty body', async () => {
    const id = await ctx.caseIn('submitted');
    const res = await ctx.call(ctx.expertTeam, { method: 'POST', url: eventsUrl(id) });
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });
});

describe('POST /api/v1/cases/{id}/events: 412 before 409 before 422', () => {
  it('answers 412 to a valid event that is wrong for the state when If-Match is stale', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    expectProblem(await ctx.send(ctx.expertTeam, id, events.CLOSE(), { 'if-match': '"1"' }), 412, 'VERSION_MISMATCH');
    expect(await footprint(ctx, id)).toEqual(before);
  });

  it('answers 412 to an event that breaks a rule in the right state when If-Match is stale', async () => {
    const id = await ctx.caseIn('planning_overleg');
    expectProblem(await ctx.send(ctx.expertTeam, id, scheduleWithoutYouth, { 'if-match': '"2"' }),
      412, 'VERSION_MISMATCH');
  });

  it('answers 409 with state and allowedEvents to an event that is wrong for the state and also breaks a rule', async () => {
    const id = await ctx.caseIn('triage');
    const before = await footprint(ctx, id);
    const problem = expectProblem(await ctx.send(ctx.expertTeam, id, scheduleWithoutYouth), 409, 'EVENT_NOT_ALLOWED');
    expect(problem.state).toBe('triage');
    expect(sorted(problem.allowedEvents ?? [])).toEqual(
      ['ACCEPT', 'ADD_NOTE', 'ASSIGN', 'CONSULT', 'DECLINE', 'ESCALATE', 'REQUEST_INFORMATION', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
    expect(await footprint(ctx, id)).toEqual(before);
  });

  it('answers 409 with a matching If-Match when the event is wrong for the state', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.send(ctx.expertTeam, id, events.CLOSE(), { 'if-match': '"2"' }), 409, 'EVENT_NOT_ALLOWED');
  });

  it('lists in a 409 only the events the caller\'s role may send', async () => {
    const id = await ctx.caseIn('triage');
    const problem = expectProblem(await ctx.send(ctx.localTeam, id, events.REPORT_PROGRESS()), 409, 'EVENT_NOT_ALLOWED');
    expect(problem.state).toBe('triage');
    expect(sorted(problem.allowedEvents ?? [])).toEqual(['ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
  });

  it('answers 422 only once the event is allowed in the state and If-Match matches', async () => {
    const id = await ctx.caseIn('planning_overleg');
    const before = await footprint(ctx, id);
    expectProblem(await ctx.send(ctx.expertTeam, id, scheduleWithoutYouth, { 'if-match': '"3"' }),
      422, 'PARTICIPATION_REASON_REQUIRED');
    expect(await footprint(ctx, id)).toEqual(before);
  });
});

describe('POST /api/v1/cases: error order and media', () => {
  it('answers 401 before anything else', async () => {
    const res = await ctx.call(null, { method: 'POST', url: `${API}/cases`, payload: { nonsense: true } });
    expectProblem(res, 401, 'UNAUTHENTICATED');
  });

  it('answers 403, not 400, to an inspector with an invalid body', async () => {
    const res = await ctx.call(ctx.inspector, { method: 'POST', url: `${API}/cases`, payload: { nonsense: true } });
    expectProblem(res, 403, 'FORBIDDEN');
  });

  it('answers 400 with invalidParams naming the missing and wrong fields', async () => {
    const { school: _school, ...body } = submission();
    const res = await ctx.call(ctx.localTeam, {
      method: 'POST', url: `${API}/cases`, payload: { ...body, urgency: 'asap', problemAreas: [] },
    });
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem.invalidParams?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['school', 'urgency', 'problemAreas']));
  });

  it('answers 400 when school status is not_attending without notAttendingSince', async () => {
    const res = await ctx.call(ctx.localTeam, {
      method: 'POST', url: `${API}/cases`, payload: submission({ school: { status: 'not_attending' } }),
    });
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem.invalidParams?.map((p) => p.name)).toContain('school.notAttendingSince');
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE for a body that is not application/json', async () => {
    const res = await ctx.call(ctx.localTeam, {
      method: 'POST', url: `${API}/cases`, payload: 'referrer=x', headers: { 'content-type': 'text/plain' },
    });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 1 MiB and creates nothing', async () => {
    const before = (await ctx.call(ctx.localTeam, { method: 'GET', url: `${API}/cases?limit=100` })).json().items.length;
    const body = JSON.stringify({ ...submission(), triedSoFar: 'x'.repeat(1024 * 1024) });
    const res = await ctx.call(ctx.localTeam, {
      method: 'POST', url: `${API}/cases`, payload: body, headers: { 'content-type': 'application/json' },
    });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
    const after = (await ctx.call(ctx.localTeam, { method: 'GET', url: `${API}/cases?limit=100` })).json().items.length;
    expect(after).toBe(before);
  });

  it('accepts application/json with a charset parameter', async () => {
    const res = await ctx.call(ctx.localTeam, {
      method: 'POST', url: `${API}/cases`, payload: JSON.stringify(submission()),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('does not answer 413 to a body of exactly 1 MiB (it is checked, and too long a note is a 400)', async () => {
    const id = await ctx.caseIn('submitted');
    const shell = JSON.stringify(events.ADD_NOTE({ text: '' }));
    const body = shell.replace('"text":""', `"text":"${'z'.repeat(1024 * 1024 - shell.length)}"`);
    expect(Buffer.byteLength(body)).toBe(1024 * 1024);
    expectProblem(await ctx.call(ctx.localTeam, rawPost(id, body)), 400, 'VALIDATION_FAILED');
  });

  it('answers 413 for an event body over 1 MiB and changes nothing', async () => {
    const id = await ctx.caseIn('submitted');
    const before = await footprint(ctx, id);
    const body = JSON.stringify(events.ADD_NOTE({ text: 'y'.repeat(1024 * 1024 + 1) }));
    expectProblem(await ctx.call(ctx.localTeam, rawPost(id, body)), 413, 'PAYLOAD_TOO_LARGE');
    expect(await footprint(ctx, id)).toEqual(before);
  });
});

describe('GET /api/v1/cases/{id} and /trail: 401 → 404 → 403', () => {
  it('answers 401 without a token for a case that does not exist', async () => {
    expectProblem(await ctx.call(null, { method: 'GET', url: caseUrl(UNKNOWN_CASE) }), 401, 'UNAUTHENTICATED');
    expectProblem(await ctx.call(null, { method: 'GET', url: trailUrl(UNKNOWN_CASE) }), 401, 'UNAUTHENTICATED');
  });

  it('answers 404 to another organisation\'s local team on the trail, not 403', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.call(ctx.otherLocalTeam, { method: 'GET', url: trailUrl(id) }), 404, 'NOT_FOUND');
  });

  it('answers 403 to the owning local team on the trail', async () => {
    const id = await ctx.caseIn('triage');
    expectProblem(await ctx.call(ctx.localTeam, { method: 'GET', url: trailUrl(id) }), 403, 'FORBIDDEN');
  });

  it('names the request path as the problem instance', async () => {
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: `${caseUrl(UNKNOWN_CASE)}?x=1` });
    expect(expectProblem(res, 404, 'NOT_FOUND').instance).toBe(caseUrl(UNKNOWN_CASE));
  });
});
