/**
 * The referral lifecycle over HTTP (DESIGN §3): every transition of the table, sent with the
 * documented payloads, answered with the new case view, and recorded in the trail.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventType } from '../../machines/referral.schemas.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { events, helpItem, submission } from '../support/fixtures.ts';
import {
  adviceWaiting, API, apply, caseInBridging, caseInState, caseUrl, expectProblem, expectView,
  footprint, payloadOf, readCase, readTrail, sorted,
} from '../support/http.ts';

const HOUR = 3_600_000;
const START = '2026-01-05T09:00:00.000Z';

let ctx: TestContext;
beforeAll(async () => { ctx = await createTestContext(); });
afterAll(async () => { await ctx.close(); });
beforeEach(() => { ctx.clock.set(START); });

describe('POST /api/v1/cases', () => {
  it('creates a case in submitted and answers 201 with Location, ETag "1" and version 1', async () => {
    const body = submission();
    const res = await ctx.call(ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: body });
    const view = expectView(res, 201);
    expect(view.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers.location).toBe(`/api/v1/cases/${view.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(view).toMatchObject({
      state: 'submitted', version: 1, overdue: false, region: 'R01', municipality: 'GM0363',
      createdAt: START, updatedAt: START,
    });
    expect(view.data.submission).toEqual(body);
    expect(view.data.submittedAt).toBe(START);
    expect(sorted(view.allowedEvents)).toEqual(['ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
  });

  it('serves the new case at its Location with the same view', async () => {
    const created = await ctx.call(ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: submission() });
    const location = created.headers.location as string;
    const read = expectView(await ctx.call(ctx.localTeam, { method: 'GET', url: location }));
    expect(read).toEqual(created.json());
  });

  it('lets the expert team submit a case on behalf of a parent, and offers it START_TRIAGE', async () => {
    const body = submission({ referrer: { kind: 'parent' } });
    const view = expectView(await ctx.call(ctx.expertTeam, { method: 'POST', url: `${API}/cases`, payload: body }), 201);
    expect(view.state).toBe('submitted');
    expect(sorted(view.allowedEvents)).toEqual(['ADD_NOTE', 'ASSIGN', 'START_TRIAGE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
  });

  it('gives every case its own random id', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => ctx.createCase()));
    expect(new Set(ids).size).toBe(3);
  });
});

describe('POST /api/v1/cases/{id}/events: the main path', () => {
  const path: EventType[] = [
    'START_TRIAGE', 'ACCEPT', 'SCHEDULE_OVERLEG', 'RECORD_OVERLEG', 'ISSUE_ADVICE', 'UPDATE_HELP_ITEM', 'CLOSE',
  ];
  const states = ['triage', 'planning_overleg', 'overleg_scheduled', 'advising', 'follow_up', 'follow_up', 'closed'];
  /** The fixture of this type; the help item update names the item the advice created (§5.2). */
  const bodyFor = (type: EventType, last: { helpItems: { id: string }[] } | undefined) =>
    type === 'UPDATE_HELP_ITEM' ? events.UPDATE_HELP_ITEM({ itemId: last?.helpItems[0]?.id }) : events[type]();

  it('takes a case from submission through follow_up to closed, each event adding one to version and ETag', async () => {
    const id = await ctx.createCase();
    let last;
    for (const [i, type] of path.entries()) {
      ctx.clock.advance(HOUR);
      const res = await ctx.send(ctx.expertTeam, id, bodyFor(type, last));
      const view = expectView(res);
      last = view;
      expect(view.state).toBe(states[i]);
      expect(view.version).toBe(i + 2);
      expect(res.headers.etag).toBe(`"${i + 2}"`);
      expect(view.updatedAt).toBe(ctx.clock.now().toISOString());
    }
    const closed = await readCase(ctx, id);
    expect(closed).toMatchObject({ state: 'closed', version: 8, createdAt: START });
    expect(closed.helpItems.map((i) => i.status)).toEqual(['started']);
    expect(sorted(closed.allowedEvents)).toEqual(['ADD_NOTE']);
    expect(closed.data.closure).toMatchObject({ type: 'CLOSE', outcome: 'help_in_place', familyViewOfFit: 'fits' });
    expect(closed.data.triageStart).toMatchObject({ coordinator: 'Procesregisseur A' });
    expect(closed.data.triageDecision?.type).toBe('ACCEPT');
    expect(closed.data.overlegSchedules).toHaveLength(1);
    expect(closed.data.overlegRecords).toHaveLength(1);
    expect(closed.data.advices).toHaveLength(1);
  });

  it('lists SUBMIT first in the trail with the submitted payload, then every event with seq, type, at, actor, payload, state and version', async () => {
    const body = submission({ urgency: 'urgent' });
    const created = await ctx.call(ctx.localTeam, { method: 'POST', url: `${API}/cases`, payload: body });
    const id = expectView(created, 201).id;
    const sent: { type: EventType; at: string; body: ReturnType<(typeof events)[EventType]> }[] = [];
    let last;
    for (const type of path) {
      ctx.clock.advance(HOUR);
      const body = bodyFor(type, last);
      last = await apply(ctx, ctx.expertTeam, id, body);
      sent.push({ type, at: ctx.clock.now().toISOString(), body });
    }

    const trail = await readTrail(ctx, id);
    expect(trail.caseId).toBe(id);
    expect(trail.entries).toHaveLength(path.length + 1);
    const [first, ...rest] = trail.entries;
    expect(first).toMatchObject({
      type: 'SUBMIT', version: 1, state: 'submitted', at: START,
      actor: { role: 'local_team', organisation: 'wt-noord', name: 'local_team wt-noord' },
    });
    expect(first?.payload).toEqual(body);
    rest.forEach((entry, i) => {
      const type = path[i] as EventType;
      expect(entry).toEqual({
        seq: expect.any(Number),
        type,
        at: sent[i]?.at,
        actor: { role: 'expert_team', organisation: 'ret-r01', name: 'expert_team ret-r01' },
        // An advice is kept with the ids and defaults the machine gave its help items.
        payload: type === 'ISSUE_ADVICE' ? expect.objectContaining({ summary: (sent[i]!.body as { summary: string }).summary })
          : payloadOf(sent[i]!.body),
        state: states[i],
        version: i + 2,
      });
    });
    const seqs = trail.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});

describe('POST /api/v1/cases/{id}/events: ISSUE_ADVICE and the bridging plan', () => {
  it('goes to follow_up when no help item waits longer than the threshold of 0 weeks', async () => {
    const id = await ctx.caseIn('advising');
    const view = await apply(ctx, ctx.expertTeam, id, adviceWaiting(0));
    expect(view.state).toBe('follow_up');
  });

  it.each([0.5, 1, 12])('goes to bridging when a help item waits %s weeks, more than the threshold', async (weeks) => {
    const id = await ctx.caseIn('advising');
    const view = await apply(ctx, ctx.expertTeam, id, adviceWaiting(weeks));
    expect(view.state).toBe('bridging');
    expect(view.version).toBe(6);
    expect(sorted(view.allowedEvents)).toEqual(['ADD_NOTE', 'ASSIGN', 'ESCALATE', 'SET_BRIDGING_PLAN', 'UPDATE_CONSENT', 'UPDATE_HELP_ITEM', 'UPDATE_SCHOOL', 'WITHDRAW']);
  });

  it('goes to bridging when any one of several help items waits too long', async () => {
    const id = await ctx.caseIn('advising');
    const view = await apply(ctx, ctx.expertTeam, id,
      events.ISSUE_ADVICE({ helpItems: [helpItem(0), helpItem(3), helpItem(0)] }));
    expect(view.state).toBe('bridging');
  });

  it('moves a bridging case to follow_up with SET_BRIDGING_PLAN and keeps the plan', async () => {
    const id = await caseInBridging(ctx);
    const plan = events.SET_BRIDGING_PLAN();
    const view = await apply(ctx, ctx.expertTeam, id, plan);
    expect(view).toMatchObject({ state: 'follow_up', version: 7 });
    expect(view.data.bridgingPlans).toEqual([{ ...plan, at: START }]);
    const trail = await readTrail(ctx, id);
    expect(trail.entries.map((e) => [e.type, e.state])).toEqual([
      ['SUBMIT', 'submitted'], ['START_TRIAGE', 'triage'], ['ACCEPT', 'planning_overleg'],
      ['SCHEDULE_OVERLEG', 'overleg_scheduled'], ['RECORD_OVERLEG', 'advising'],
      ['ISSUE_ADVICE', 'bridging'], ['SET_BRIDGING_PLAN', 'follow_up'],
    ]);
  });

  it('accepts measures as one text and reviewAt as a date-time', async () => {
    const id = await caseInBridging(ctx);
    const view = await apply(ctx, ctx.expertTeam, id, events.SET_BRIDGING_PLAN({
      measures: 'Daily contact with the school', reviewAt: '2026-03-15T10:00:00+01:00',
    }));
    expect(view.state).toBe('follow_up');
  });

  it('accepts a new bridging plan in follow_up without leaving follow_up', async () => {
    const id = await ctx.caseIn('follow_up');
    const view = await apply(ctx, ctx.expertTeam, id, events.SET_BRIDGING_PLAN());
    expect(view).toMatchObject({ state: 'follow_up', version: 7 });
  });

  it.each(['REPORT_PROGRESS', 'CLOSE', 'REQUEST_REASSESSMENT'] as const)(
    'refuses %s in bridging with 409 until the bridging plan is set', async (type) => {
      const id = await caseInBridging(ctx);
      const before = await footprint(ctx, id);
      const problem = expectProblem(await ctx.send(ctx.expertTeam, id, events[type]()), 409, 'EVENT_NOT_ALLOWED');
      expect(problem.state).toBe('bridging');
      expect(sorted(problem.allowedEvents ?? [])).toEqual(['ADD_NOTE', 'ASSIGN', 'ESCALATE', 'SET_BRIDGING_PLAN', 'UPDATE_CONSENT', 'UPDATE_HELP_ITEM', 'UPDATE_SCHOOL', 'WITHDRAW']);
      expect(await footprint(ctx, id)).toEqual(before);
    });

  it('refuses SET_BRIDGING_PLAN before any advice with 409', async () => {
    const id = await ctx.caseIn('advising');
    const problem = expectProblem(await ctx.send(ctx.expertTeam, id, events.SET_BRIDGING_PLAN()), 409, 'EVENT_NOT_ALLOWED');
    expect(problem.state).toBe('advising');
  });
});

describe('POST /api/v1/cases/{id}/events: triage decisions', () => {
  it('closes a case on DECLINE and keeps the decision with its advice to the referrer', async () => {
    const id = await ctx.caseIn('triage');
    const decline = events.DECLINE();
    const view = await apply(ctx, ctx.expertTeam, id, decline);
    expect(view).toMatchObject({ state: 'closed', version: 3 });
    expect(view.data.triageDecision).toEqual({ ...decline, at: START });
    expect(view.data.closure).toEqual({ ...decline, at: START });
    expect(sorted(view.allowedEvents)).toEqual(['ADD_NOTE']);
  });

  it('closes a case on CONSULT (consultation only, no procesregie)', async () => {
    const id = await ctx.caseIn('triage');
    const view = await apply(ctx, ctx.expertTeam, id, events.CONSULT());
    expect(view.state).toBe('closed');
    expect(view.data.triageDecision?.type).toBe('CONSULT');
    expect(view.data.closure?.type).toBe('CONSULT');
  });

  it('moves an accepted case to planning_overleg', async () => {
    const id = await ctx.caseIn('triage');
    const view = await apply(ctx, ctx.expertTeam, id, events.ACCEPT());
    expect(view.state).toBe('planning_overleg');
  });

  it.each(['ACCEPT', 'DECLINE', 'CONSULT', 'REQUEST_INFORMATION'] as const)(
    'refuses %s before triage has started with 409', async (type) => {
      const id = await ctx.caseIn('submitted');
      const problem = expectProblem(await ctx.send(ctx.expertTeam, id, events[type]()), 409, 'EVENT_NOT_ALLOWED');
      expect(problem.state).toBe('submitted');
      expect(sorted(problem.allowedEvents ?? [])).toEqual(['ADD_NOTE', 'ASSIGN', 'START_TRIAGE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
    });
});

describe('POST /api/v1/cases/{id}/events: REQUEST_INFORMATION and PROVIDE_INFORMATION', () => {
  it('loops between triage and awaiting_information, the local team answering, until the case is accepted', async () => {
    const id = await ctx.caseIn('triage');
    const first = await apply(ctx, ctx.expertTeam, id, events.REQUEST_INFORMATION());
    expect(first.state).toBe('awaiting_information');
    const answered = await apply(ctx, ctx.localTeam, id, events.PROVIDE_INFORMATION());
    expect(answered.state).toBe('triage');
    await apply(ctx, ctx.expertTeam, id, events.REQUEST_INFORMATION({ question: 'Who pays the school transport?' }));
    await apply(ctx, ctx.localTeam, id, events.PROVIDE_INFORMATION({ answer: 'Nobody yet' }));
    const accepted = await apply(ctx, ctx.expertTeam, id, events.ACCEPT());
    expect(accepted).toMatchObject({ state: 'planning_overleg', version: 7 });
    expect(accepted.data.informationRequests.map((r) => r.question))
      .toEqual(['Which school was tried?', 'Who pays the school transport?']);
    expect(accepted.data.informationAnswers.map((a) => a.answer)).toEqual(['The local VO school', 'Nobody yet']);

    const trail = await readTrail(ctx, id);
    const answers = trail.entries.filter((e) => e.type === 'PROVIDE_INFORMATION');
    expect(answers.map((e) => e.actor)).toEqual([
      { role: 'local_team', organisation: 'wt-noord', name: 'local_team wt-noord' },
      { role: 'local_team', organisation: 'wt-noord', name: 'local_team wt-noord' },
    ]);
    expect(answers.map((e) => e.state)).toEqual(['triage', 'triage']);
  });

  it('offers the local team PROVIDE_INFORMATION while information is awaited', async () => {
    const id = await ctx.caseIn('awaiting_information');
    const view = await readCase(ctx, id, ctx.localTeam);
    expect(sorted(view.allowedEvents)).toEqual(['ADD_NOTE', 'PROVIDE_INFORMATION', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
  });

  it('refuses PROVIDE_INFORMATION from the local team when nothing was asked (409)', async () => {
    const id = await ctx.caseIn('triage');
    const problem = expectProblem(await ctx.send(ctx.localTeam, id, events.PROVIDE_INFORMATION()), 409, 'EVENT_NOT_ALLOWED');
    expect(problem.state).toBe('triage');
    expect(sorted(problem.allowedEvents ?? [])).toEqual(['ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
  });

  it('refuses ACCEPT while information is awaited (409)', async () => {
    const id = await ctx.caseIn('awaiting_information');
    const problem = expectProblem(await ctx.send(ctx.expertTeam, id, events.ACCEPT()), 409, 'EVENT_NOT_ALLOWED');
    expect(problem.state).toBe('awaiting_information');
  });
});

describe('POST /api/v1/cases/{id}/events: ESCALATE', () => {
  const escalatable = [
    'triage', 'awaiting_information', 'planning_overleg', 'overleg_scheduled', 'advising', 'bridging', 'follow_up',
  ];

  it.each(escalatable)('keeps a case in %s where it was, with the escalation open and its deadline (§5.3)', async (state) => {
    const id = await caseInState(ctx, state);
    const before = await readCase(ctx, id);
    expect(before.state).toBe(state);
    expect(before.allowedEvents).toContain('ESCALATE');
    expect(before.allowedEvents).not.toContain('RECORD_ESCALATION_OUTCOME');
    const escalate = events.ESCALATE({ to: 'municipality_mandate', target: 'Gemeente Amsterdam, doorzettingsmacht' });
    const view = await apply(ctx, ctx.expertTeam, id, escalate);
    expect(view).toMatchObject({ state, version: before.version + 1 });
    expect(view.escalation).toEqual({
      status: 'open', to: 'municipality_mandate', target: 'Gemeente Amsterdam, doorzettingsmacht',
      question: escalate.question, since: START, dueAt: '2026-01-26T09:00:00.000Z', outcome: null, withdrawnReason: null,
    });
    expect(view.deadlines).toContainEqual({ name: 'escalation', dueAt: '2026-01-26T09:00:00.000Z' });
    expect(view.allowedEvents).toContain('RECORD_ESCALATION_OUTCOME');
    expect(view.allowedEvents).not.toContain('ESCALATE');
  });

  it('refuses ESCALATE in submitted with 409, naming the state and the allowed events', async () => {
    const id = await ctx.caseIn('submitted');
    const before = await footprint(ctx, id);
    const problem = expectProblem(await ctx.send(ctx.expertTeam, id, events.ESCALATE()), 409, 'EVENT_NOT_ALLOWED');
    expect(problem.state).toBe('submitted');
    expect(sorted(problem.allowedEvents ?? [])).toEqual(['ADD_NOTE', 'ASSIGN', 'START_TRIAGE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
    expect(await footprint(ctx, id)).toEqual(before);
  });

  it('refuses ESCALATE in closed with 409', async () => {
    const id = await ctx.caseIn('closed');
    const problem = expectProblem(await ctx.send(ctx.expertTeam, id, events.ESCALATE()), 409, 'EVENT_NOT_ALLOWED');
    expect(problem).toMatchObject({ state: 'closed', allowedEvents: ['ADD_NOTE'] });
  });
});

describe('POST /api/v1/cases/{id}/events: WITHDRAW', () => {
  it('lets the local team withdraw its case in submitted', async () => {
    const id = await ctx.caseIn('submitted');
    const withdraw = events.WITHDRAW();
    const view = await apply(ctx, ctx.localTeam, id, withdraw);
    expect(view).toMatchObject({ state: 'closed', version: 2 });
    expect(view.data.closure).toEqual({ ...withdraw, at: START });
  });

  const later = [
    'triage', 'awaiting_information', 'planning_overleg', 'overleg_scheduled', 'advising', 'bridging', 'follow_up',
  ];
  it.each(later)('lets the local team withdraw a case in %s', async (state) => {
    const id = await caseInState(ctx, state);
    const view = await apply(ctx, ctx.localTeam, id, events.WITHDRAW());
    expect(view.state).toBe('closed');
  });

  it.each(['submitted', ...later])('lets the expert team withdraw a case in %s', async (state) => {
    const id = await caseInState(ctx, state);
    const view = await apply(ctx, ctx.expertTeam, id, events.WITHDRAW());
    expect(view.state).toBe('closed');
  });

  it('refuses WITHDRAW in closed with 409 and changes nothing', async () => {
    const id = await ctx.caseIn('closed');
    const before = await footprint(ctx, id);
    for (const caller of [ctx.localTeam, ctx.expertTeam]) {
      const problem = expectProblem(await ctx.send(caller, id, events.WITHDRAW()), 409, 'EVENT_NOT_ALLOWED');
      expect(problem).toMatchObject({ state: 'closed', allowedEvents: ['ADD_NOTE'] });
    }
    expect(await footprint(ctx, id)).toEqual(before);
  });
});

describe('POST /api/v1/cases/{id}/events: follow-up', () => {
  it('takes progress reports from the local team and the expert team, staying in follow_up', async () => {
    const id = await ctx.caseIn('follow_up');
    const fromLocal = events.REPORT_PROGRESS({ helpStarted: false, onTrack: false, familyView: 'Still waiting' });
    const first = await apply(ctx, ctx.localTeam, id, fromLocal);
    expect(first).toMatchObject({ state: 'follow_up', version: 7 });
    const second = await apply(ctx, ctx.expertTeam, id, events.REPORT_PROGRESS({ notes: 'Coach started' }));
    expect(second).toMatchObject({ state: 'follow_up', version: 8 });
    expect(second.data.progressReports).toHaveLength(2);
    expect(second.data.progressReports[0]).toEqual({ ...fromLocal, at: START });

    const trail = await readTrail(ctx, id);
    expect(trail.entries.slice(-2).map((e) => [e.type, e.actor.role, e.state])).toEqual([
      ['REPORT_PROGRESS', 'local_team', 'follow_up'], ['REPORT_PROGRESS', 'expert_team', 'follow_up'],
    ]);
  });

  it('refuses REPORT_PROGRESS before follow-up with 409', async () => {
    const id = await ctx.caseIn('advising');
    const problem = expectProblem(await ctx.send(ctx.localTeam, id, events.REPORT_PROGRESS()), 409, 'EVENT_NOT_ALLOWED');
    expect(problem).toMatchObject({ state: 'advising' });
    expect(sorted(problem.allowedEvents ?? [])).toEqual(['ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'WITHDRAW']);
  });

  it('runs a reassessment loop from follow_up through a new overleg and advice back to follow_up, then closes', async () => {
    const id = await ctx.caseIn('follow_up');
    const reassess = await apply(ctx, ctx.localTeam, id, events.REQUEST_REASSESSMENT());
    expect(reassess).toMatchObject({ state: 'planning_overleg', version: 7 });
    expect((await apply(ctx, ctx.expertTeam, id, events.SCHEDULE_OVERLEG())).state).toBe('overleg_scheduled');
    expect((await apply(ctx, ctx.expertTeam, id, events.RECORD_OVERLEG())).state).toBe('advising');
    const advised = await apply(ctx, ctx.expertTeam, id, events.ISSUE_ADVICE({ summary: 'A second, smaller arrangement' }));
    expect(advised).toMatchObject({ state: 'follow_up', version: 10 });
    expect(advised.data.reassessments).toHaveLength(1);
    expect(advised.data.overlegSchedules).toHaveLength(2);
    expect(advised.data.overlegRecords).toHaveLength(2);
    expect(advised.data.advices.map((a) => a.summary))
      .toEqual(['Custom arrangement combining school and care', 'A second, smaller arrangement']);

    const second = await apply(ctx, ctx.expertTeam, id, events.REQUEST_REASSESSMENT({ reason: 'Still stuck' }));
    expect(second.state).toBe('planning_overleg');
    const closedEarly = await apply(ctx, ctx.expertTeam, id, events.WITHDRAW());
    expect(closedEarly).toMatchObject({ state: 'closed', version: 12 });
  });

  it('closes a case in follow_up with CLOSE, keeping outcome, fit and lessons', async () => {
    const id = await ctx.caseIn('follow_up');
    await apply(ctx, ctx.localTeam, id, events.REPORT_PROGRESS({ helpStarted: false, onTrack: false }));
    const close = events.CLOSE({ outcome: 'no_longer_needed', familyViewOfFit: 'partly', lessonsLearned: 'Start earlier', explanation: 'The family found help on their own' });
    const view = await apply(ctx, ctx.expertTeam, id, close);
    expect(view.state).toBe('closed');
    expect(view.data.closure).toEqual({ ...close, at: START });
  });
});

describe('POST /api/v1/cases/{id}/events: ADD_NOTE', () => {
  it('adds a note to a closed case, keeping it closed and adding one to the version', async () => {
    const id = await ctx.caseIn('closed');
    const byExpert = await apply(ctx, ctx.expertTeam, id, events.ADD_NOTE({ text: 'Evaluated with the family' }));
    expect(byExpert).toMatchObject({ state: 'closed', version: 9 });
    const byLocal = await apply(ctx, ctx.localTeam, id, events.ADD_NOTE());
    expect(byLocal).toMatchObject({ state: 'closed', version: 10 });
    expect(byLocal.data.notes.map((n) => n.text)).toEqual(['Evaluated with the family', 'Called the school']);
    const trail = await readTrail(ctx, id);
    expect(trail.entries.slice(-2).map((e) => [e.type, e.state, e.version])).toEqual([
      ['ADD_NOTE', 'closed', 9], ['ADD_NOTE', 'closed', 10],
    ]);
  });

  it.each(['submitted', 'triage', 'awaiting_information', 'planning_overleg', 'overleg_scheduled',
    'advising', 'bridging', 'follow_up'])('adds a note in %s without changing the state', async (state) => {
    const id = await caseInState(ctx, state);
    const before = await readCase(ctx, id);
    const view = await apply(ctx, ctx.localTeam, id, events.ADD_NOTE());
    expect(view).toMatchObject({ state, version: before.version + 1 });
  });
});

describe('GET /api/v1/cases/{id}', () => {
  it('answers with the case view and its ETag', async () => {
    const id = await ctx.caseIn('planning_overleg');
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: caseUrl(id) });
    const view = expectView(res);
    expect(view).toMatchObject({ id, state: 'planning_overleg', version: 3, deadlines: expect.any(Array) });
    expect(res.headers.etag).toBe('"3"');
  });
});
