/**
 * Deadlines over HTTP (DESIGN §3 "Deadlines", issue 3): with the injected clock moved by the test
 * and the scheduler run by hand (`app.scheduler.runOnce()`), each deadline fires at its due time
 * and not one millisecond before, exactly once, and is cancelled when the case moves on. A passed
 * deadline shows in the case view (`overdue`, `overdueDeadlines`), in `GET /cases?overdue=true`
 * and in the trail, and never changes the lifecycle state.
 *
 * Every test gets its own app and in-memory database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import type { EventType } from '../../machines/referral.schemas.ts';
import { createTestContext, OTHER_REGION, REGION, type Caller, type TestContext } from '../support/app.ts';
import { events, submission } from '../support/fixtures.ts';
import {
  adviceWaiting,
  apply,
  caseUrl,
  expectProblem,
  listAllIds,
  readCase,
  readTrail,
} from '../support/http.ts';

const SECOND = 1000;
const DAY = 86_400_000;
const ZONE = 'Europe/Amsterdam';
/** The test clock starts here (see test/support/app.ts): Monday 5 January 2026, 10:00 in Amsterdam. */
const START = '2026-01-05T09:00:00.000Z';

const SCHEDULER_ACTOR = { role: 'system', organisation: null, name: 'scheduler' };

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
  expect(ctx.clock.now().toISOString()).toBe(START);
});
afterEach(async () => { await ctx.close(); });

const iso = (ms: number) => new Date(ms).toISOString();
const plus = (at: string, ms: number) => iso(Date.parse(at) + ms);
/** `n` calendar days after `at`, same Amsterdam wall-clock time. */
const days = (at: string, n: number) =>
  DateTime.fromISO(at, { zone: ZONE }).plus({ days: n }).toUTC().toISO() as string;
const runOnce = () => ctx.app.scheduler.runOnce();
/** One scheduler round; how many deadlines it delivered. */
const fired = async () => (await runOnce()).timersFired;

async function send(caller: Caller, id: string, type: EventType, extra: Record<string, unknown> = {}) {
  const make = events[type] as (x?: Record<string, unknown>) => { type: EventType };
  return apply(ctx, caller, id, make(extra));
}

/** UPDATE_HELP_ITEM started, today, for every help item of the case's advice (§5.2). */
async function startEveryHelpItem(id: string) {
  let view = await readCase(ctx, id);
  for (const item of view.helpItems) {
    view = await send(ctx.localTeam, id, 'UPDATE_HELP_ITEM', {
      itemId: item.id, status: 'started', date: ctx.clock.now().toISOString().slice(0, 10) });
  }
  return view;
}

async function deadlineEntries(id: string) {
  const trail = await readTrail(ctx, id);
  return trail.entries.filter((e) => e.type === 'DEADLINE_PASSED');
}

async function timerRows(id: string) {
  return await ctx.sql('SELECT seq, name, due_at AS "dueAt", status FROM timers WHERE case_id = ? ORDER BY seq', id) as
    { seq: number; name: string; dueAt: string; status: string }[];
}

/**
 * The contract of one deadline, from a case whose only open-and-unpassed deadline due first is
 * `name` at `dueAt`: nothing at dueAt − 1 ms, one trail entry and overdue at dueAt, nothing more
 * on later rounds; the lifecycle state and the allowed events stay as they were.
 */
async function expectFiresOnceAt(id: string, name: string, dueAt: string) {
  const before = await readCase(ctx, id);
  expect(before.deadlines).toContainEqual({ name, dueAt });
  expect(before.overdueDeadlines).not.toContainEqual({ name, dueAt });
  const entriesBefore = (await readTrail(ctx, id)).entries.length;

  ctx.clock.set(plus(dueAt, -1));
  expect(await fired()).toBe(0);
  const early = await readCase(ctx, id);
  expect(early.version, 'one millisecond early: nothing').toBe(before.version);
  expect(early.overdueDeadlines).toEqual(before.overdueDeadlines);
  expect((await readTrail(ctx, id)).entries).toHaveLength(entriesBefore);

  ctx.clock.set(dueAt);
  expect(await fired()).toBe(1);
  const after = await readCase(ctx, id);
  expect(after.state, 'a passed deadline never changes the state').toBe(before.state);
  expect(after.allowedEvents).toEqual(before.allowedEvents);
  expect(after.version).toBe(before.version + 1);
  expect(after.overdue).toBe(true);
  expect(after.overdueDeadlines).toContainEqual({ name, dueAt });
  expect(after.deadlines, 'a passed deadline stays open until it is met').toEqual(before.deadlines);
  expect(after.data).toEqual(before.data);

  const trail = await readTrail(ctx, id);
  expect(trail.entries).toHaveLength(entriesBefore + 1);
  expect(trail.entries.at(-1)).toMatchObject({
    type: 'DEADLINE_PASSED',
    actor: SCHEDULER_ACTOR,
    payload: { deadline: name, dueAt },
    state: before.state,
    version: before.version + 1,
    at: dueAt,
  });

  // Once: again now, and after a long time, nothing more for this deadline.
  expect(await fired()).toBe(0);
  expect((await readCase(ctx, id)).version).toBe(after.version);
  return after;
}

describe('triage deadline', () => {
  it('a new case shows its triage deadline, 5 days after submission, and is not overdue', async () => {
    const res = await ctx.call(ctx.localTeam, { method: 'POST', url: '/api/v1/cases', payload: submission() });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view.deadlines).toEqual([{ name: 'triage', dueAt: '2026-01-10T09:00:00.000Z' }]);
    expect(view.overdue).toBe(false);
    expect(view.overdueDeadlines).toEqual([]);
    expect(await readCase(ctx, view.id)).toMatchObject({
      deadlines: [{ name: 'triage', dueAt: '2026-01-10T09:00:00.000Z' }], overdue: false, overdueDeadlines: [],
    });
  });

  it('fires at its due time and not one millisecond before, exactly once, in submitted', async () => {
    const id = await ctx.createCase();
    const after = await expectFiresOnceAt(id, 'triage', '2026-01-10T09:00:00.000Z');
    expect(after).toMatchObject({ state: 'submitted', version: 2, overdue: true });
    expect(after.overdueDeadlines).toEqual([{ name: 'triage', dueAt: '2026-01-10T09:00:00.000Z' }]);

    // Much later: still one entry, still submitted.
    ctx.clock.set('2027-01-01T00:00:00Z');
    expect(await fired()).toBe(0);
    const later = await readCase(ctx, id);
    expect(later).toMatchObject({ state: 'submitted', version: 2, overdue: true });
    expect(await deadlineEntries(id)).toHaveLength(1);
    expect(await timerRows(id)).toEqual([expect.objectContaining({ name: 'triage', status: 'fired' })]);
  });

  it('the trail entry is exactly the one DESIGN §3 names', async () => {
    const id = await ctx.createCase();
    ctx.clock.set('2026-01-10T09:00:00.000Z');
    await runOnce();
    const entries = await deadlineEntries(id);
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry?.actor).toEqual(SCHEDULER_ACTOR);
    expect(entry?.payload).toEqual({ deadline: 'triage', dueAt: '2026-01-10T09:00:00.000Z' });
    expect(entry?.type).toBe('DEADLINE_PASSED');
  });

  it('the passed deadline bumps the ETag: an event sent with the old version gets 412', async () => {
    const id = await ctx.createCase();
    ctx.clock.set('2026-01-10T09:00:00.000Z');
    await runOnce();
    const res = await ctx.call(ctx.expertTeam, { method: 'GET', url: caseUrl(id) });
    expect(res.headers.etag).toBe('"2"');
    expectProblem(await ctx.send(ctx.expertTeam, id, events.START_TRIAGE(), { 'if-match': '"1"' }), 412, 'VERSION_MISMATCH');
    const started = await apply(ctx, ctx.expertTeam, id, events.START_TRIAGE(), { 'if-match': '"2"' });
    expect(started.version).toBe(3);
  });

  it('is 1 day after submission for an urgent case', async () => {
    const id = await ctx.createCase(submission({ urgency: 'urgent' }));
    expect((await readCase(ctx, id)).deadlines).toEqual([{ name: 'triage', dueAt: '2026-01-06T09:00:00.000Z' }]);
    await expectFiresOnceAt(id, 'triage', '2026-01-06T09:00:00.000Z');
  });

  it('is kept through triage and awaiting_information and fires there, without changing the state', async () => {
    const id = await ctx.createCase();
    ctx.clock.advance(DAY);
    await send(ctx.expertTeam, id, 'START_TRIAGE');
    ctx.clock.advance(DAY);
    await send(ctx.expertTeam, id, 'REQUEST_INFORMATION');
    ctx.clock.advance(DAY);
    await send(ctx.localTeam, id, 'PROVIDE_INFORMATION');
    ctx.clock.advance(DAY);
    const view = await send(ctx.expertTeam, id, 'REQUEST_INFORMATION');
    expect(view.state).toBe('awaiting_information');
    expect(view.deadlines).toEqual([{ name: 'triage', dueAt: '2026-01-10T09:00:00.000Z' }]);
    await expectFiresOnceAt(id, 'triage', '2026-01-10T09:00:00.000Z');
    expect((await readCase(ctx, id)).state).toBe('awaiting_information');
  });

  it.each([
    ['triage', 'ACCEPT', 'planning_overleg'],
    ['triage', 'DECLINE', 'closed'],
    ['triage', 'CONSULT', 'closed'],
    ['triage', 'WITHDRAW', 'closed'],
    ['submitted', 'WITHDRAW', 'closed'],
  ] as const)('from %s, %s cancels it: passing the old due time adds nothing', async (from, type, to) => {
    const id = await ctx.caseIn(from);
    ctx.clock.set('2026-01-09T12:00:00Z');
    const view = await send(ctx.expertTeam, id, type);
    expect(view.state).toBe(to);
    expect(view.deadlines.map((d) => d.name)).not.toContain('triage');
    const version = view.version;

    ctx.clock.set('2026-01-12T09:00:00Z'); // past the old due time, before any later deadline
    expect(await fired()).toBe(0);
    const after = await readCase(ctx, id);
    expect(after).toMatchObject({ state: to, version, overdue: false, overdueDeadlines: [] });
    expect(await deadlineEntries(id)).toEqual([]);
    expect((await timerRows(id)).find((t) => t.name === 'triage')?.status).toBe('cancelled');
  });

  it('a timer whose case left the phase is never delivered, not even by fireTimer', async () => {
    const id = await ctx.caseIn('planning_overleg');
    const [triage] = (await timerRows(id)).filter((t) => t.name === 'triage');
    expect(triage?.status).toBe('cancelled');
    ctx.clock.set('2026-01-11T00:00:00Z');
    expect(await ctx.app.engine.fireTimer(triage?.seq ?? -1)).toBe('gone');
    expect(await deadlineEntries(id)).toEqual([]);
    expect((await readCase(ctx, id)).version).toBe(3);
  });

  it('a pending timer for a deadline the case no longer has is settled without a trail entry', async () => {
    const id = await ctx.caseIn('planning_overleg');
    // As if a cancel had been lost: a pending triage timer on a case that has left triage.
    await ctx.sql(
      'INSERT INTO timers (case_id, name, due_at, event, status, armed_at) VALUES (?, \'triage\', ?, ?, \'pending\', ?)',
      id, '2026-01-10T09:00:00.000Z',
      JSON.stringify({ type: 'DEADLINE_PASSED', deadline: 'triage', dueAt: '2026-01-10T09:00:00.000Z', at: '2026-01-10T09:00:00.000Z' }),
      START);
    ctx.clock.set('2026-01-11T00:00:00Z');
    expect(await fired()).toBe(0);
    const view = await readCase(ctx, id);
    expect(view).toMatchObject({ state: 'planning_overleg', version: 3, overdue: false });
    expect(await deadlineEntries(id)).toEqual([]);
    expect((await timerRows(id)).filter((t) => t.status === 'pending').map((t) => t.name)).toEqual(['overleg']);
  });

  it('a case that passed its triage deadline is no longer overdue once triage is decided', async () => {
    const id = await ctx.caseIn('triage');
    ctx.clock.set('2026-01-10T09:00:00.000Z');
    await runOnce();
    expect((await readCase(ctx, id)).overdue).toBe(true);
    ctx.clock.advance(DAY);
    const view = await send(ctx.expertTeam, id, 'ACCEPT');
    expect(view).toMatchObject({ state: 'planning_overleg', overdue: false, overdueDeadlines: [] });
    expect(view.deadlines).toEqual([{ name: 'overleg', dueAt: '2026-01-25T09:00:00.000Z' }]);
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=true')).toEqual([]);
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=false')).toEqual([id]);
  });
});

describe('GET /cases?overdue=true', () => {
  it('agrees with the case view between scheduler rounds: a deadline due but not yet fired counts', async () => {
    const id = await ctx.createCase();
    ctx.clock.set('2026-01-10T09:00:00.000Z'); // the triage deadline's due time; no round has run
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=true')).toEqual([id]);
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=false')).toEqual([]);
    const items = (await ctx.call(ctx.expertTeam, { method: 'GET', url: '/api/v1/cases' })).json().items;
    expect(items).toMatchObject([{ id, overdue: true }]);
    expect(await readCase(ctx, id)).toMatchObject({ overdue: true, version: 1 });
    ctx.clock.set('2026-01-10T08:59:59.999Z');
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=true')).toEqual([]);
  });

  it('lists a case that passed its triage deadline for the expert team of its region only', async () => {
    const noord = await ctx.createCase(); // wt-noord, R01
    const zuid = (await ctx.call(ctx.otherLocalTeam, { method: 'POST', url: '/api/v1/cases', payload: submission() })).json().id as string;
    const elsewhere = (await ctx.call(ctx.otherExpertTeam, { method: 'POST', url: '/api/v1/cases', payload: submission() })).json().id as string;
    ctx.clock.advance(3 * DAY);
    const fresh = await ctx.createCase(); // submitted later: not yet due

    ctx.clock.set('2026-01-10T09:00:00.000Z');
    expect(await fired()).toBe(3);
    const sorted = (ids: string[]) => [...ids].sort();
    expect(sorted(await listAllIds(ctx, ctx.expertTeam, 'overdue=true'))).toEqual(sorted([noord, zuid]));
    expect(await listAllIds(ctx, ctx.otherExpertTeam, 'overdue=true')).toEqual([elsewhere]);
    // A local team sees it too, since it sees the case; not another organisation's.
    expect(await listAllIds(ctx, ctx.localTeam, 'overdue=true')).toEqual([noord]);
    expect(await listAllIds(ctx, ctx.otherLocalTeam, 'overdue=true')).toEqual([zuid]);
    expect(await readCase(ctx, noord, ctx.localTeam)).toMatchObject({
      overdue: true, overdueDeadlines: [{ name: 'triage', dueAt: '2026-01-10T09:00:00.000Z' }],
    });
    // overdue=false excludes it.
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=false')).toEqual([fresh]);
    expect(await listAllIds(ctx, ctx.localTeam, 'overdue=false')).toEqual([fresh]);
    expect(await listAllIds(ctx, ctx.otherExpertTeam, 'overdue=false')).toEqual([]);
    // Without the filter, every visible case, each with its overdue flag.
    const page = await ctx.call(ctx.expertTeam, { method: 'GET', url: '/api/v1/cases?limit=100' });
    const flags = Object.fromEntries((page.json().items as { id: string; overdue: boolean }[]).map((i) => [i.id, i.overdue]));
    expect(flags).toEqual({ [noord]: true, [zuid]: true, [fresh]: false });
    // The other region's expert team cannot open it either.
    expectProblem(await ctx.call(ctx.otherExpertTeam, { method: 'GET', url: caseUrl(noord) }), 404, 'NOT_FOUND');
  });

  it('inspectors see the overdue cases of their own region, a national inspector all', async () => {
    const noord = await ctx.createCase();
    const elsewhere = (await ctx.call(ctx.otherExpertTeam, { method: 'POST', url: '/api/v1/cases', payload: submission() })).json().id as string;
    ctx.clock.set('2026-01-10T09:00:00.000Z');
    await runOnce();
    expect(await listAllIds(ctx, ctx.inspector, 'overdue=true')).toEqual([noord]);
    expect(await listAllIds(ctx, ctx.otherInspector, 'overdue=true')).toEqual([elsewhere]);
    expect([...await listAllIds(ctx, ctx.nationalInspector, 'overdue=true')].sort()).toEqual([noord, elsewhere].sort());
  });

  it('combines with the state filter', async () => {
    const inTriage = await ctx.caseIn('triage');
    const submitted = await ctx.createCase();
    ctx.clock.set('2026-01-10T09:00:00.000Z');
    await runOnce();
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=true&state=triage')).toEqual([inTriage]);
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=true&state=submitted')).toEqual([submitted]);
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=false&state=triage')).toEqual([]);
  });
});

describe('overleg deadline', () => {
  it('fires 14 days after ACCEPT, once, and planning_overleg stays', async () => {
    const id = await ctx.caseIn('triage');
    ctx.clock.set('2026-01-07T13:30:00.000Z');
    const view = await send(ctx.expertTeam, id, 'ACCEPT');
    expect(view.deadlines).toEqual([{ name: 'overleg', dueAt: '2026-01-21T13:30:00.000Z' }]);
    const after = await expectFiresOnceAt(id, 'overleg', '2026-01-21T13:30:00.000Z');
    expect(after.state).toBe('planning_overleg');
  });

  it('is cancelled by SCHEDULE_OVERLEG, which also clears it when overdue', async () => {
    const met = await ctx.caseIn('planning_overleg');
    const late = await ctx.caseIn('planning_overleg');
    ctx.clock.set('2026-01-10T09:00:00.000Z');
    await send(ctx.expertTeam, met, 'SCHEDULE_OVERLEG');
    ctx.clock.set('2026-01-19T09:00:00.000Z');
    expect(await fired()).toBe(1);
    expect((await readCase(ctx, late)).overdueDeadlines).toEqual([{ name: 'overleg', dueAt: '2026-01-19T09:00:00.000Z' }]);
    expect(await deadlineEntries(met)).toEqual([]);
    expect((await readCase(ctx, met))).toMatchObject({ state: 'overleg_scheduled', overdue: false, deadlines: [] });

    const view = await send(ctx.expertTeam, late, 'SCHEDULE_OVERLEG');
    expect(view).toMatchObject({ state: 'overleg_scheduled', overdue: false, overdueDeadlines: [], deadlines: [] });
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=true')).toEqual([]);
  });

  it('is armed again after a reassessment loop, 14 days after REQUEST_REASSESSMENT', async () => {
    const id = await ctx.caseIn('follow_up');
    ctx.clock.set('2026-01-20T08:00:00.000Z');
    const view = await send(ctx.localTeam, id, 'REQUEST_REASSESSMENT');
    expect(view.state).toBe('planning_overleg');
    expect(view.deadlines).toEqual([{ name: 'overleg', dueAt: '2026-02-03T08:00:00.000Z' }]);
    await expectFiresOnceAt(id, 'overleg', '2026-02-03T08:00:00.000Z');
    // The checkpoint and reassessment of the follow-up left behind never fire.
    ctx.clock.set('2026-06-01T00:00:00Z');
    expect(await fired()).toBe(0);
    expect((await deadlineEntries(id)).map((e) => (e.payload as { deadline: string }).deadline)).toEqual(['overleg']);
  });
});

describe('follow-up checkpoint', () => {
  it('fires 28 days after the advice; REPORT_PROGRESS meets it, clears the flag and starts the next', async () => {
    const id = await ctx.caseIn('advising');
    ctx.clock.set('2026-01-12T10:00:00.000Z');
    const advised = await send(ctx.expertTeam, id, 'ISSUE_ADVICE');
    expect(advised.state).toBe('follow_up');
    const first = '2026-02-09T10:00:00.000Z';
    expect(advised.deadlines).toContainEqual({ name: 'checkpoint', dueAt: first });
    await expectFiresOnceAt(id, 'checkpoint', first);
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=true')).toEqual([id]);

    ctx.clock.set('2026-02-11T15:00:00.000Z');
    const reported = await send(ctx.localTeam, id, 'REPORT_PROGRESS', { helpStarted: false, onTrack: false });
    expect(reported).toMatchObject({ state: 'follow_up', overdue: false, overdueDeadlines: [] });
    const second = '2026-03-11T15:00:00.000Z';
    expect(reported.deadlines).toContainEqual({ name: 'checkpoint', dueAt: second });
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=true')).toEqual([]);
    expect(await listAllIds(ctx, ctx.localTeam, 'overdue=false')).toEqual([id]);

    await expectFiresOnceAt(id, 'checkpoint', second);
    expect((await deadlineEntries(id)).map((e) => e.payload)).toEqual([
      { deadline: 'checkpoint', dueAt: first }, { deadline: 'checkpoint', dueAt: second },
    ]);
  });

  it('a report before the checkpoint is due meets it: the old due time passes without an entry', async () => {
    const id = await ctx.caseIn('follow_up'); // advised at the start time
    const first = '2026-02-02T09:00:00.000Z';
    expect((await readCase(ctx, id)).deadlines).toContainEqual({ name: 'checkpoint', dueAt: first });
    ctx.clock.set('2026-01-30T09:00:00.000Z');
    const reported = await send(ctx.expertTeam, id, 'REPORT_PROGRESS', { helpStarted: false });
    expect(reported.deadlines).toContainEqual({ name: 'checkpoint', dueAt: '2026-02-27T09:00:00.000Z' });
    ctx.clock.set(plus(first, DAY));
    expect(await fired()).toBe(0);
    expect(await deadlineEntries(id)).toEqual([]);
    expect((await readCase(ctx, id)).overdue).toBe(false);
  });

  it('is armed 28 days after the bridging plan, not in bridging', async () => {
    const id = await ctx.caseIn('advising');
    const bridging = await apply(ctx, ctx.expertTeam, id, adviceWaiting(6));
    expect(bridging.state).toBe('bridging');
    expect(bridging.deadlines.map((d) => d.name)).toEqual(['reassessment']);
    ctx.clock.set('2026-01-20T09:00:00.000Z');
    const planned = await send(ctx.expertTeam, id, 'SET_BRIDGING_PLAN');
    expect(planned.state).toBe('follow_up');
    expect(planned.deadlines).toEqual([
      { name: 'checkpoint', dueAt: '2026-02-17T09:00:00.000Z' },
      // The fixture's review day is 30 days on, 19 February: due when that day has passed.
      { name: 'bridging_review', dueAt: '2026-02-19T23:00:00.000Z' },
      { name: 'reassessment', dueAt: '2026-04-05T08:00:00.000Z' },
    ]);
    await expectFiresOnceAt(id, 'checkpoint', '2026-02-17T09:00:00.000Z');
  });
});

describe('reassessment deadline', () => {
  it('fires 3 calendar months after the advice while help has not started; the state stays', async () => {
    const id = await ctx.caseIn('advising');
    ctx.clock.set('2026-01-31T10:00:00.000Z'); // 11:00 CET
    const advised = await send(ctx.expertTeam, id, 'ISSUE_ADVICE');
    const reassessment = '2026-04-30T09:00:00.000Z'; // 30 April (month end) 11:00 CEST
    const checkpoint = '2026-02-28T10:00:00.000Z';
    expect(advised.deadlines).toEqual([
      { name: 'checkpoint', dueAt: checkpoint }, { name: 'reassessment', dueAt: reassessment },
    ]);
    // Reports without started help keep it.
    ctx.clock.set('2026-02-20T10:00:00.000Z');
    const reported = await send(ctx.localTeam, id, 'REPORT_PROGRESS', { helpStarted: false, onTrack: false });
    const nextCheckpoint = days('2026-02-20T10:00:00.000Z', 28);
    expect(reported.deadlines).toEqual([
      { name: 'checkpoint', dueAt: nextCheckpoint }, { name: 'reassessment', dueAt: reassessment },
    ]);
    // The checkpoint not reported on passes first.
    ctx.clock.set(nextCheckpoint);
    expect(await fired()).toBe(1);

    const after = await expectFiresOnceAt(id, 'reassessment', reassessment);
    expect(after.state).toBe('follow_up');
    expect(after.overdueDeadlines).toEqual([
      { name: 'checkpoint', dueAt: nextCheckpoint }, { name: 'reassessment', dueAt: reassessment },
    ]);

    // The help has started (§5.2: every help item): the reassessment is met; a report meets the checkpoint.
    ctx.clock.set('2026-05-04T09:00:00.000Z');
    const started = await startEveryHelpItem(id);
    expect(started.overdueDeadlines).toEqual([{ name: 'checkpoint', dueAt: nextCheckpoint }]);
    const reportedAgain = await send(ctx.localTeam, id, 'REPORT_PROGRESS', { helpStarted: true });
    expect(reportedAgain).toMatchObject({ overdue: false, overdueDeadlines: [] });
    expect(reportedAgain.deadlines).toEqual([{ name: 'checkpoint', dueAt: '2026-06-01T09:00:00.000Z' }]);
  });

  it('is cancelled when every help item has started: it never fires', async () => {
    const id = await ctx.caseIn('follow_up'); // advised 2026-01-05
    ctx.clock.set('2026-01-15T09:00:00.000Z');
    const started = await startEveryHelpItem(id);
    expect(started.deadlines.map((d) => d.name)).toEqual(['checkpoint']);
    ctx.clock.set('2026-06-01T00:00:00Z');
    expect(await fired()).toBe(1); // the checkpoint of 2 February only (no progress report met it)
    expect((await deadlineEntries(id)).map((e) => e.payload)).toEqual([
      { deadline: 'checkpoint', dueAt: '2026-02-02T09:00:00.000Z' },
    ]);
    expect((await timerRows(id)).find((t) => t.name === 'reassessment')?.status).toBe('cancelled');
  });

  it('spans bridging: fires in bridging when no plan was made', async () => {
    const id = await ctx.caseIn('advising');
    const bridging = await apply(ctx, ctx.expertTeam, id, adviceWaiting(8));
    expect(bridging.deadlines).toEqual([{ name: 'reassessment', dueAt: '2026-04-05T08:00:00.000Z' }]);
    const after = await expectFiresOnceAt(id, 'reassessment', '2026-04-05T08:00:00.000Z');
    expect(after.state).toBe('bridging');
  });

  it('is cancelled when the case leaves follow-up', async () => {
    const id = await ctx.caseIn('follow_up');
    ctx.clock.advance(DAY);
    await send(ctx.localTeam, id, 'REPORT_PROGRESS', { helpStarted: false, onTrack: false });
    const closed = await send(ctx.expertTeam, id, 'CLOSE', { outcome: 'no_longer_needed', explanation: 'The family found help on their own' });
    expect(closed).toMatchObject({ state: 'closed', deadlines: [], overdue: false });
    ctx.clock.set('2027-01-01T00:00:00Z');
    expect(await fired()).toBe(0);
    expect(await deadlineEntries(id)).toEqual([]);
    expect((await timerRows(id)).every((t) => t.status === 'cancelled')).toBe(true);
  });
});

describe('several cases and deadlines in one round', () => {
  it('one round fires every due timer once, in due order, and the lifecycle states stay', async () => {
    const a = await ctx.createCase();
    const b = await ctx.caseIn('planning_overleg');
    const c = await ctx.caseIn('follow_up');
    ctx.clock.set('2026-12-31T00:00:00Z');
    expect(await fired()).toBe(4);
    expect(await fired()).toBe(0);
    expect((await readCase(ctx, a))).toMatchObject({ state: 'submitted', version: 2 });
    expect((await readCase(ctx, b))).toMatchObject({ state: 'planning_overleg', version: 4 });
    const followUp = await readCase(ctx, c);
    expect(followUp).toMatchObject({ state: 'follow_up', version: 8 });
    expect(followUp.overdueDeadlines.map((d) => d.name)).toEqual(['checkpoint', 'reassessment']);
    expect((await deadlineEntries(c)).map((e) => e.version)).toEqual([7, 8]);
    // The triage timers of b and c were cancelled when they were accepted.
    expect(await deadlineEntries(b)).toHaveLength(1);
  });
});

describe('a timer that fails', () => {
  it('is rolled back and left pending, while the other due timers of the round still fire', async () => {
    const broken = await ctx.createCase();
    const healthy = await ctx.createCase();
    await ctx.sql('UPDATE timers SET event = \'{\' WHERE case_id = ?', broken);
    ctx.clock.set('2026-12-31T00:00:00Z');
    expect(await fired()).toBe(1);
    expect((await readCase(ctx, healthy)).version).toBe(2);
    expect((await readCase(ctx, broken)).version).toBe(1);
    const status = async (id: string) => (await ctx.sql('SELECT status FROM timers WHERE case_id = ?', id))[0]?.status;
    expect(await status(broken)).toBe('pending');
    expect(await status(healthy)).toBe('fired');
  });
});

describe('region settings', () => {
  it('a changed triage duration applies to cases submitted afterwards; armed ones keep their due time', async () => {
    const before = await ctx.createCase();
    await ctx.regions.set(REGION, { triage: 'PT2S' });
    const after = await ctx.createCase();
    expect((await readCase(ctx, before)).deadlines).toEqual([{ name: 'triage', dueAt: '2026-01-10T09:00:00.000Z' }]);
    expect((await readCase(ctx, after)).deadlines).toEqual([{ name: 'triage', dueAt: plus(START, 2 * SECOND) }]);

    // PT2S: fires two seconds later, not at 1999 ms.
    await expectFiresOnceAt(after, 'triage', plus(START, 2 * SECOND));
    expect((await readCase(ctx, before)).overdue).toBe(false);
    await expectFiresOnceAt(before, 'triage', '2026-01-10T09:00:00.000Z');
  });

  it('another region\'s settings do not apply', async () => {
    await ctx.regions.set(OTHER_REGION, { triage: 'PT2S' });
    const id = await ctx.createCase();
    expect((await readCase(ctx, id)).deadlines).toEqual([{ name: 'triage', dueAt: '2026-01-10T09:00:00.000Z' }]);
  });

  it('an urgent case uses the region\'s triageUrgent', async () => {
    await ctx.regions.set(REGION, { triage: 'P10D', triageUrgent: 'PT1H' });
    const urgent = await ctx.createCase(submission({ urgency: 'urgent' }));
    const regular = await ctx.createCase();
    expect((await readCase(ctx, urgent)).deadlines).toEqual([{ name: 'triage', dueAt: '2026-01-05T10:00:00.000Z' }]);
    expect((await readCase(ctx, regular)).deadlines).toEqual([{ name: 'triage', dueAt: '2026-01-15T09:00:00.000Z' }]);
  });

  it('a changed overleg duration applies to the next ACCEPT, not to an overleg deadline already armed', async () => {
    const armed = await ctx.caseIn('planning_overleg');
    const waiting = await ctx.caseIn('triage');
    await ctx.regions.set(REGION, { overleg: 'PT2S' });
    ctx.clock.advance(60 * SECOND);
    const accepted = await send(ctx.expertTeam, waiting, 'ACCEPT');
    const due = plus(START, 62 * SECOND);
    expect(accepted.deadlines).toEqual([{ name: 'overleg', dueAt: due }]);
    expect((await readCase(ctx, armed)).deadlines).toEqual([{ name: 'overleg', dueAt: '2026-01-19T09:00:00.000Z' }]);
    await expectFiresOnceAt(waiting, 'overleg', due);
    expect((await readCase(ctx, armed)).overdue).toBe(false);
  });

  it('a changed checkpoint applies from the next report; the reassessment already armed keeps its time', async () => {
    const id = await ctx.caseIn('follow_up');
    const { deadlines } = await readCase(ctx, id);
    const reassessment = deadlines.find((d) => d.name === 'reassessment');
    expect(reassessment).toEqual({ name: 'reassessment', dueAt: '2026-04-05T08:00:00.000Z' });
    await ctx.regions.set(REGION, { checkpoint: 'P7D', reassessment: 'PT5S' });
    ctx.clock.set('2026-01-06T09:00:00.000Z');
    const reported = await send(ctx.localTeam, id, 'REPORT_PROGRESS', { helpStarted: false });
    expect(reported.deadlines).toEqual([
      { name: 'checkpoint', dueAt: '2026-01-13T09:00:00.000Z' }, reassessment,
    ]);
    await expectFiresOnceAt(id, 'checkpoint', '2026-01-13T09:00:00.000Z');
  });

  it('a changed bridging threshold applies to the next advice', async () => {
    const id = await ctx.caseIn('advising');
    await ctx.regions.set(REGION, { bridgingThresholdWeeks: 8 });
    const view = await apply(ctx, ctx.expertTeam, id, adviceWaiting(8));
    expect(view.state).toBe('follow_up');
  });
});

describe('the lifecycle state never changes on its own', () => {
  it.each(['submitted', 'triage', 'awaiting_information', 'planning_overleg', 'overleg_scheduled', 'advising', 'follow_up', 'closed'] as const)(
    'a case in %s stays there through a year of scheduler rounds', async (state) => {
      const id = await ctx.caseIn(state);
      const before = await readCase(ctx, id);
      for (let day = 1; day <= 365; day += 7) {
        ctx.clock.set(plus(START, day * DAY));
        await runOnce();
      }
      const after = await readCase(ctx, id);
      expect(after.state).toBe(state);
      expect(after.allowedEvents).toEqual(before.allowedEvents);
      expect(after.data).toEqual(before.data);
      const passed = await deadlineEntries(id);
      expect(after.version).toBe(before.version + passed.length);
      expect(passed.every((e) => e.state === state)).toBe(true);
      expect(passed.length).toBe(before.deadlines.length);
    });
});

describe('edges', () => {
  it('a client cannot send DEADLINE_PASSED itself', async () => {
    const id = await ctx.createCase();
    for (const caller of [ctx.expertTeam, ctx.localTeam]) {
      const res = await ctx.send(caller, id, {
        type: 'DEADLINE_PASSED', deadline: 'triage', dueAt: '2026-01-10T09:00:00.000Z',
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }
    expect(await readCase(ctx, id)).toMatchObject({ version: 1, overdue: false });
    expect(await deadlineEntries(id)).toEqual([]);
  });

  it('P5D across the last Sunday of March fires at the same Amsterdam time (one hour earlier in UTC)', async () => {
    ctx.clock.set('2026-03-27T09:00:00.000Z'); // Friday 10:00 CET
    const id = await ctx.createCase();
    const due = '2026-04-01T08:00:00.000Z'; // Wednesday 10:00 CEST
    expect((await readCase(ctx, id)).deadlines).toEqual([{ name: 'triage', dueAt: due }]);
    await expectFiresOnceAt(id, 'triage', due);
  });

  it('a backlog larger than one batch clears in one scheduler round, each timer once', async () => {
    const actor = await ctx.actorOf(ctx.localTeam);
    const count = 501;
    for (let i = 0; i < count; i++) await ctx.app.engine.submit(actor, submission());
    ctx.clock.set('2026-02-01T00:00:00Z');
    expect(await fired()).toBe(count);
    expect(await fired()).toBe(0);
    const [{ n }] = await ctx.sql('SELECT count(*) AS n FROM case_events WHERE type = \'DEADLINE_PASSED\'') as [{ n: number }];
    expect(n).toBe(count);
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=true&limit=100')).toHaveLength(count);
    expect(await listAllIds(ctx, ctx.expertTeam, 'overdue=false')).toEqual([]);
  });

  it('a duration longer than about ten years is refused, so no due time leaves the four-digit years', async () => {
    // P8000Y is a positive ISO 8601 duration, but its due time would be written +010026-…, which
    // neither compares as text nor parses as the view's date-time.
    const settings = ctx.regions;
    const before = await settings.get(REGION);
    await expect(settings.set(REGION, { triage: 'P8000Y' })).rejects.toThrow(/triage/);
    await expect(settings.set(REGION, { reassessment: 'P11Y' })).rejects.toThrow(/reassessment/);
    expect(await settings.get(REGION)).toEqual(before);
    await settings.set(REGION, { reassessment: 'P10Y' });
    expect((await settings.get(REGION)).env.deadlines.reassessment).toBe('P10Y');
  });
});

describe('a deadline that passed before the scheduler\'s next round', () => {
  // After downtime the first rounds fire the backlog in batches, yielding to requests in between
  // (src/scheduler.ts); with the background loop every SCHEDULER_INTERVAL_MS there is always a
  // window. An event that arrives in it must not make a deadline that had already passed vanish.
  it('is still recorded when an event leaves the phase first', async () => {
    const id = await ctx.caseIn('triage');
    const due = '2026-01-10T09:00:00.000Z';
    ctx.clock.set(plus(due, 60 * 60 * SECOND)); // an hour late; no round has run since
    const accepted = await send(ctx.expertTeam, id, 'ACCEPT');
    expect(accepted.state).toBe('planning_overleg');
    const trail = await readTrail(ctx, id);
    const types = trail.entries.map((e) => e.type);
    expect(types).toContain('DEADLINE_PASSED');
    expect(types.indexOf('DEADLINE_PASSED')).toBeLessThan(types.indexOf('ACCEPT'));
    expect(trail.entries.find((e) => e.type === 'DEADLINE_PASSED')?.payload).toEqual({ deadline: 'triage', dueAt: due });
    expect(await fired()).toBe(0);
  });
});
