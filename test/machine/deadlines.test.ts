/**
 * The deadlines of DESIGN §3 as the pure machine hands them to the engine: `submit` and `step`
 * return the timer changes (arm with an absolute due time, cancel) and keep the open deadlines in
 * `context.deadlines`, the passed ones in `context.overdue`. Pure: no database, no app, no clock.
 *
 * Defaults: triage 5 days after submission (1 day when urgent), overleg 14 days after entering
 * planning_overleg, a checkpoint 28 days after entering follow_up or after the last progress
 * report, reassessment 3 calendar months (Europe/Amsterdam) after the advice.
 */
import { DateTime, Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEADLINES,
  DEFAULT_ENV_SETTINGS,
  dueAfter,
  endOfDay,
  isCalendarPeriod,
  isIsoDuration,
  type DeadlineName,
  type DeadlineSettings,
  type ReferralEnv,
} from '../../machines/referral.deadlines.ts';
import {
  REFERRAL_MACHINE_VERSION,
  type DeadlinePassedEvent,
  type LifecycleState,
  type StampedEvent,
} from '../../machines/referral.machine.ts';
import {
  step,
  submit,
  type PersistedReferral,
  type StepResult,
  type TimerChange,
} from '../../machines/referral.ts';
import type { EventType } from '../../machines/referral.schemas.ts';
import { helpItem, parsedSubmission } from '../support/fixtures.ts';
import { fixtureEvent, input, roundTrip, startEveryItem, SUBMITTED_AT } from './helpers.ts';

const V = REFERRAL_MACHINE_VERSION;
const ZONE = 'Europe/Amsterdam';
const SECOND = 1000;
const DAY = 86_400_000;

/** `iso` plus `ms` milliseconds, as the engine writes times (toISOString). */
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
/** `n` calendar days after `iso` at the same Amsterdam wall-clock time (luxon, independently of dueAfter). */
const days = (iso: string, n: number) =>
  DateTime.fromISO(iso, { zone: ZONE }).plus({ days: n }).toUTC().toISO() as string;
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");

type Applied = Extract<StepResult, { outcome: 'applied' }>;

/** Applies one event to a JSON round trip of the case (as the engine stores it); must be applied. */
function applied(persisted: PersistedReferral, event: StampedEvent, env?: ReferralEnv): Applied {
  const result = step(V, roundTrip(persisted), event, env);
  if (result.outcome !== 'applied') {
    throw new Error(`${event.type} at ${event.at} was not applied: ${JSON.stringify(result)}`);
  }
  return result;
}

/** A fixture event of this type stamped at `at` (ISSUE_ADVICE: help item waiting `waitingWeeks`). */
const ev = (type: EventType, at: string, extra: Record<string, unknown> = {}): StampedEvent =>
  fixtureEvent(type, at, extra);

const adviceAt = (at: string, waitingWeeks = 0) =>
  ev('ISSUE_ADVICE', at, { helpItems: [helpItem(waitingWeeks)] });
const progressAt = (at: string, helpStarted: boolean) =>
  ev('REPORT_PROGRESS', at, { helpStarted, onTrack: helpStarted });

const passed = (deadline: DeadlineName, dueAt: string, at = dueAt): DeadlinePassedEvent =>
  ({ type: 'DEADLINE_PASSED', deadline, dueAt, at });

const arm = (name: DeadlineName, dueAt: string): TimerChange =>
  ({ kind: 'arm', name, dueAt, event: { type: 'DEADLINE_PASSED', deadline: name, dueAt, at: dueAt } });
const cancel = (name: DeadlineName): TimerChange => ({ kind: 'cancel', name });

/**
 * A timeline in which every step happens at its own, distinct time, so each deadline can be
 * checked against the time of the step that armed it.
 */
const T = {
  submitted: SUBMITTED_AT, // 2026-01-15T09:00:00Z
  startTriage: '2026-01-16T08:00:00.000Z',
  requestInfo: '2026-01-16T12:30:00.000Z',
  provideInfo: '2026-01-18T15:45:00.000Z',
  accept: '2026-01-19T10:15:00.000Z',
  schedule: '2026-01-22T11:00:00.000Z',
  record: '2026-02-10T16:00:00.000Z',
  advice: '2026-02-12T13:20:00.000Z',
  plan: '2026-02-20T09:10:00.000Z',
  report1: '2026-03-05T14:00:00.000Z',
  report2: '2026-03-20T08:30:00.000Z',
  reassess: '2026-04-02T10:00:00.000Z',
};

const TRIAGE_DUE = '2026-01-20T09:00:00.000Z';
const OVERLEG_DUE = plus(T.accept, 14 * DAY);
/** 3 months after 2026-02-12 14:20 CET is 2026-05-12 14:20 CEST. */
const REASSESSMENT_DUE = '2026-05-12T12:20:00.000Z';

function submitted(options: Parameters<typeof input>[0] = {}): PersistedReferral {
  return submit(input(options)).persisted;
}
function inTriage(): PersistedReferral {
  return applied(submitted(), ev('START_TRIAGE', T.startTriage)).persisted;
}
function inAwaitingInformation(): PersistedReferral {
  return applied(inTriage(), ev('REQUEST_INFORMATION', T.requestInfo)).persisted;
}
function inPlanningOverleg(): PersistedReferral {
  return applied(inTriage(), ev('ACCEPT', T.accept)).persisted;
}
function inOverlegScheduled(): PersistedReferral {
  return applied(inPlanningOverleg(), ev('SCHEDULE_OVERLEG', T.schedule)).persisted;
}
function inAdvising(): PersistedReferral {
  return applied(inOverlegScheduled(), ev('RECORD_OVERLEG', T.record)).persisted;
}
function inFollowUp(): PersistedReferral {
  return applied(inAdvising(), adviceAt(T.advice)).persisted;
}
function inBridging(): PersistedReferral {
  return applied(inAdvising(), adviceAt(T.advice, 6)).persisted;
}
/** In follow_up with one progress report (help not started yet): ready to close (§5.2). */
function inFollowUpReported(): PersistedReferral {
  return applied(inFollowUp(), progressAt(T.report1, false)).persisted;
}
/** A CLOSE that §5.2 lets through without every help item started. */
const closeAt = (at: string) => ev('CLOSE', at, { outcome: 'no_longer_needed', explanation: 'The family found help themselves' });
/** UPDATE_HELP_ITEM taking every help item of the case's advice to started on `at`. */
function startAll(persisted: PersistedReferral, at: string): Applied {
  let result: Applied | undefined;
  for (const event of startEveryItem(persisted, at)) {
    result = applied(result?.persisted ?? persisted, event);
  }
  if (!result) throw new Error('no help items');
  return result;
}

describe('triage deadline', () => {
  it('submit arms it 5 days after submission, with an absolute due time', () => {
    const { persisted, state, timers } = submit(input());
    expect(state).toBe('submitted');
    expect(timers).toEqual([arm('triage', TRIAGE_DUE)]);
    expect(persisted.context.deadlines).toEqual({ triage: TRIAGE_DUE });
    expect(persisted.context.overdue).toEqual({});
  });

  it('counts from the submission time, to the millisecond', () => {
    const at = '2026-06-10T13:45:30.123Z';
    const { persisted, timers } = submit(input({ submittedAt: at }));
    expect(timers).toEqual([arm('triage', '2026-06-15T13:45:30.123Z')]);
    expect(persisted.context.deadlines).toEqual({ triage: '2026-06-15T13:45:30.123Z' });
  });

  it('is 1 day after submission when the case is urgent', () => {
    const { persisted, timers } = submit(input({ submission: parsedSubmission({ urgency: 'urgent' }) }));
    expect(timers).toEqual([arm('triage', '2026-01-16T09:00:00.000Z')]);
    expect(persisted.context.deadlines).toEqual({ triage: '2026-01-16T09:00:00.000Z' });
  });

  it('the arm carries the DEADLINE_PASSED event the scheduler must deliver, due when the timer is', () => {
    const [change] = submit(input()).timers;
    expect(change?.kind).toBe('arm');
    if (change?.kind !== 'arm') return;
    expect(change.event).toEqual({ type: 'DEADLINE_PASSED', deadline: 'triage', dueAt: change.dueAt, at: change.dueAt });
  });

  it('stays armed, unchanged, through triage and awaiting_information', () => {
    let persisted = submitted();
    const path: [EventType, string, LifecycleState][] = [
      ['START_TRIAGE', T.startTriage, 'triage'],
      ['REQUEST_INFORMATION', T.requestInfo, 'awaiting_information'],
      ['PROVIDE_INFORMATION', T.provideInfo, 'triage'],
      ['REQUEST_INFORMATION', plus(T.provideInfo, 1000), 'awaiting_information'],
      ['ADD_NOTE', plus(T.provideInfo, 2000), 'awaiting_information'],
      ['PROVIDE_INFORMATION', plus(T.provideInfo, 3000), 'triage'],
    ];
    for (const [type, at, state] of path) {
      const result = applied(persisted, ev(type, at));
      expect(result.state, type).toBe(state);
      expect(result.timers, `${type} neither re-arms nor cancels`).toEqual([]);
      expect(result.persisted.context.deadlines).toEqual({ triage: TRIAGE_DUE });
      persisted = result.persisted;
    }
  });

  it('ACCEPT cancels it and arms the overleg deadline, cancel first', () => {
    const result = applied(inTriage(), ev('ACCEPT', T.accept));
    expect(result.state).toBe('planning_overleg');
    expect(result.timers).toEqual([cancel('triage'), arm('overleg', OVERLEG_DUE)]);
    expect(result.persisted.context.deadlines).toEqual({ overleg: OVERLEG_DUE });
  });

  const exits: [string, () => PersistedReferral, EventType][] = [
    ['triage', inTriage, 'DECLINE'],
    ['triage', inTriage, 'CONSULT'],
    ['triage', inTriage, 'WITHDRAW'],
    ['submitted', submitted, 'WITHDRAW'],
    ['awaiting_information', inAwaitingInformation, 'WITHDRAW'],
  ];
  it.each(exits)('from %s, %s cancels it and arms nothing', (_state, from, type) => {
    const result = applied(from(), ev(type, T.accept));
    expect(result.state).toBe('closed');
    expect(result.timers).toEqual([cancel('triage')]);
    expect(result.persisted.context.deadlines).toEqual({});
    expect(result.persisted.context.overdue).toEqual({});
  });

  it.each(['ACCEPT', 'DECLINE', 'CONSULT', 'WITHDRAW'] as const)(
    'an overdue triage deadline is no longer overdue after %s', (type) => {
      const overdue = applied(inTriage(), passed('triage', TRIAGE_DUE)).persisted;
      expect(overdue.context.overdue).toEqual({ triage: TRIAGE_DUE });
      const after = applied(overdue, ev(type, plus(TRIAGE_DUE, DAY)));
      expect(after.persisted.context.overdue).toEqual({});
      expect(after.persisted.context.deadlines).not.toHaveProperty('triage');
      expect(after.timers).toContainEqual(cancel('triage'));
    });
});

describe('escalation deadline (§5.3)', () => {
  it.each([
    ['triage', inTriage, 'triage'],
    ['awaiting_information', inAwaitingInformation, 'triage'],
    ['planning_overleg', inPlanningOverleg, 'overleg'],
  ] as const)('ESCALATE in %s arms it 21 days on and keeps the %s deadline of the phase', (state, from, kept) => {
    const before = from();
    const result = applied(before, ev('ESCALATE', T.schedule));
    expect(result.state).toBe(state);
    expect(result.timers).toEqual([arm('escalation', days(T.schedule, 21))]);
    expect(result.persisted.context.deadlines).toEqual({
      ...before.context.deadlines, escalation: days(T.schedule, 21),
    });
    expect(result.persisted.context.deadlines[kept]).toBe(before.context.deadlines[kept]);
  });

  it('passes unanswered and marks the case overdue; the outcome cancels it and clears the overdue mark', () => {
    const escalated = applied(inPlanningOverleg(), ev('ESCALATE', T.schedule)).persisted;
    const due = days(T.schedule, 21);
    const overdue = applied(escalated, passed('escalation', due));
    expect(overdue.state).toBe('planning_overleg');
    expect(overdue.persisted.context.overdue).toEqual({ escalation: due });
    const answered = applied(overdue.persisted, ev('RECORD_ESCALATION_OUTCOME', plus(due, DAY)));
    expect(answered.timers).toEqual([cancel('escalation')]);
    expect(answered.persisted.context.overdue).toEqual({});
    expect(answered.persisted.context.deadlines).not.toHaveProperty('escalation');
  });

  it('the phase moves on under an open escalation, and closing the case cancels it', () => {
    const escalated = applied(inPlanningOverleg(), ev('ESCALATE', T.schedule)).persisted;
    const scheduled = applied(escalated, ev('SCHEDULE_OVERLEG', T.schedule));
    expect(scheduled.state).toBe('overleg_scheduled');
    expect(scheduled.persisted.context.deadlines).toEqual({ escalation: days(T.schedule, 21) });
    const withdrawn = applied(scheduled.persisted, ev('WITHDRAW', T.record));
    expect(withdrawn.timers).toEqual([cancel('escalation')]);
    expect(withdrawn.persisted.context.deadlines).toEqual({});
  });
});

describe('overleg deadline', () => {
  it('is armed 14 days after entering planning_overleg', () => {
    const result = applied(inTriage(), ev('ACCEPT', T.accept));
    expect(result.persisted.context.deadlines.overleg).toBe('2026-02-02T10:15:00.000Z');
  });

  it('counts from the acceptance, not from the submission', () => {
    const later = '2026-01-25T07:00:00.000Z';
    const result = applied(inTriage(), ev('ACCEPT', later));
    expect(result.timers).toEqual([cancel('triage'), arm('overleg', '2026-02-08T07:00:00.000Z')]);
  });

  it('a note in planning_overleg keeps it', () => {
    const result = applied(inPlanningOverleg(), ev('ADD_NOTE', plus(T.accept, DAY)));
    expect(result.timers).toEqual([]);
    expect(result.persisted.context.deadlines).toEqual({ overleg: OVERLEG_DUE });
  });

  it.each(['SCHEDULE_OVERLEG', 'WITHDRAW'] as const)('%s leaves planning_overleg and cancels it', (type) => {
    const result = applied(inPlanningOverleg(), ev(type, T.schedule));
    expect(result.timers).toEqual([cancel('overleg')]);
    expect(result.persisted.context.deadlines).toEqual({});
  });

  it('scheduling the overleg clears an overdue overleg deadline', () => {
    const overdue = applied(inPlanningOverleg(), passed('overleg', OVERLEG_DUE)).persisted;
    expect(overdue.context.overdue).toEqual({ overleg: OVERLEG_DUE });
    const after = applied(overdue, ev('SCHEDULE_OVERLEG', plus(OVERLEG_DUE, DAY)));
    expect(after.state).toBe('overleg_scheduled');
    expect(after.persisted.context.overdue).toEqual({});
    expect(after.persisted.context.deadlines).toEqual({});
  });

  it('no deadline is open while the overleg is scheduled; recording it arms the advice deadline, 14 days (§6.1)', () => {
    expect(inOverlegScheduled().context.deadlines).toEqual({});
    const advising = applied(inOverlegScheduled(), ev('RECORD_OVERLEG', T.record));
    expect(advising.timers).toEqual([arm('advice', plus(T.record, 14 * DAY))]);
    expect(advising.persisted.context.deadlines).toEqual({ advice: plus(T.record, 14 * DAY) });
  });

  it('the advice meets the advice deadline; it passes without changing the state, and its region setting counts', () => {
    const advised = applied(inAdvising(), adviceAt(T.advice));
    expect(advised.timers).toContainEqual(cancel('advice'));
    expect(advised.persisted.context.deadlines.advice).toBeUndefined();
    const overdue = applied(inAdvising(), passed('advice', plus(T.record, 14 * DAY)));
    expect(overdue.state).toBe('advising');
    expect(overdue.persisted.context.overdue).toEqual({ advice: plus(T.record, 14 * DAY) });
    const quick = applied(inOverlegScheduled(), ev('RECORD_OVERLEG', T.record),
      { ...DEFAULT_ENV_SETTINGS, now: T.record, deadlines: { ...DEFAULT_DEADLINES, advice: 'P7D' } });
    expect(quick.persisted.context.deadlines).toEqual({ advice: plus(T.record, 7 * DAY) });
  });

  it('is armed again, 14 days after REQUEST_REASSESSMENT, when follow-up loops back', () => {
    const result = applied(inFollowUp(), ev('REQUEST_REASSESSMENT', T.reassess));
    expect(result.state).toBe('planning_overleg');
    const cancels = result.timers.filter((t) => t.kind === 'cancel').map((t) => t.name).sort();
    expect(cancels).toEqual(['checkpoint', 'reassessment']);
    expect(result.timers.at(-1), 'the new deadline is armed after the old ones are cancelled')
      .toEqual(arm('overleg', '2026-04-16T10:00:00.000Z'));
    expect(result.timers).toHaveLength(3);
    expect(result.persisted.context.deadlines).toEqual({ overleg: '2026-04-16T10:00:00.000Z' });
  });

  it('a second advice after the loop arms a new reassessment deadline from its own time', () => {
    let persisted = applied(inFollowUp(), ev('REQUEST_REASSESSMENT', T.reassess)).persisted;
    persisted = applied(persisted, ev('SCHEDULE_OVERLEG', '2026-04-05T10:00:00.000Z')).persisted;
    persisted = applied(persisted, ev('RECORD_OVERLEG', '2026-04-10T10:00:00.000Z')).persisted;
    const advised = applied(persisted, adviceAt('2026-04-15T10:00:00.000Z'));
    expect(advised.persisted.context.deadlines).toEqual({
      reassessment: '2026-07-15T10:00:00.000Z', checkpoint: '2026-05-13T10:00:00.000Z',
    });
    // The first advice's reassessment passing now is stale.
    expect(step(V, advised.persisted, passed('reassessment', REASSESSMENT_DUE)).outcome).toBe('ignored');
  });

  it('the reassessment loop arms a new overleg deadline, not the old one', () => {
    const looped = applied(inFollowUp(), ev('REQUEST_REASSESSMENT', T.reassess)).persisted;
    // The first overleg deadline (long met) passing again is stale.
    expect(step(V, looped, passed('overleg', OVERLEG_DUE))).toEqual({ outcome: 'ignored', state: 'planning_overleg' });
    const next = applied(looped, passed('overleg', '2026-04-16T10:00:00.000Z'));
    expect(next.persisted.context.overdue).toEqual({ overleg: '2026-04-16T10:00:00.000Z' });
  });
});

describe('follow-up checkpoint', () => {
  it('is armed 28 days after entering follow_up from advising, with the reassessment deadline', () => {
    const result = applied(inAdvising(), adviceAt(T.advice));
    expect(result.state).toBe('follow_up');
    expect(result.timers).toHaveLength(3);
    expect(result.timers).toContainEqual(cancel('advice'));
    expect(result.timers).toContainEqual(arm('checkpoint', days(T.advice, 28)));
    expect(result.timers).toContainEqual(arm('reassessment', REASSESSMENT_DUE));
    expect(result.persisted.context.deadlines).toEqual({
      checkpoint: '2026-03-12T13:20:00.000Z', reassessment: REASSESSMENT_DUE,
    });
  });

  it('is not armed in bridging; entering follow_up with the bridging plan arms it 28 days after the plan', () => {
    const bridging = applied(inAdvising(), adviceAt(T.advice, 6));
    expect(bridging.state).toBe('bridging');
    expect(bridging.timers).toEqual([cancel('advice'), arm('reassessment', REASSESSMENT_DUE)]);
    const planned = applied(bridging.persisted, ev('SET_BRIDGING_PLAN', T.plan));
    expect(planned.state).toBe('follow_up');
    // The plan's review is due when its review day (the day of T.plan here) has passed.
    expect(planned.timers).toEqual([
      arm('bridging_review', '2026-02-20T23:00:00.000Z'), arm('checkpoint', days(T.plan, 28)),
    ]);
    expect(planned.persisted.context.deadlines).toEqual({
      checkpoint: '2026-03-20T09:10:00.000Z', reassessment: REASSESSMENT_DUE,
      bridging_review: '2026-02-20T23:00:00.000Z',
    });
  });

  it('a new bridging plan in follow_up does not re-arm it (only its own review)', () => {
    const result = applied(inFollowUp(), ev('SET_BRIDGING_PLAN', T.plan));
    expect(result.timers).toEqual([arm('bridging_review', '2026-02-20T23:00:00.000Z')]);
    expect(result.persisted.context.deadlines.checkpoint).toBe(days(T.advice, 28));
  });

  it('each REPORT_PROGRESS meets it and arms the next, 28 days after the report', () => {
    const first = applied(inFollowUp(), progressAt(T.report1, false));
    expect(first.state).toBe('follow_up');
    expect(first.timers).toEqual([cancel('checkpoint'), arm('checkpoint', '2026-04-02T13:00:00.000Z')]);
    expect(first.persisted.context.deadlines).toEqual({
      checkpoint: '2026-04-02T13:00:00.000Z', reassessment: REASSESSMENT_DUE,
    });
    const second = applied(first.persisted, progressAt(T.report2, false));
    expect(second.timers).toEqual([cancel('checkpoint'), arm('checkpoint', days(T.report2, 28))]);
    expect(second.persisted.context.deadlines.checkpoint).toBe('2026-04-17T07:30:00.000Z');
  });

  it('a checkpoint not reported on is overdue; the report clears it and arms the next', () => {
    const due = days(T.advice, 28);
    const overdue = applied(inFollowUp(), passed('checkpoint', due));
    expect(overdue.persisted.context.overdue).toEqual({ checkpoint: due });
    const reportAt = plus(due, 3 * DAY);
    const reported = applied(overdue.persisted, progressAt(reportAt, false));
    expect(reported.persisted.context.overdue).toEqual({});
    expect(reported.persisted.context.deadlines.checkpoint).toBe(days(reportAt, 28));
    expect(reported.timers).toEqual([cancel('checkpoint'), arm('checkpoint', days(reportAt, 28))]);
  });

  it('the old checkpoint passing after a report is stale; the new one passes', () => {
    const oldDue = days(T.advice, 28);
    const reported = applied(inFollowUp(), progressAt(T.report1, false)).persisted;
    expect(step(V, reported, passed('checkpoint', oldDue))).toEqual({ outcome: 'ignored', state: 'follow_up' });
    const newDue = days(T.report1, 28);
    expect(applied(reported, passed('checkpoint', newDue)).persisted.context.overdue).toEqual({ checkpoint: newDue });
  });

  it.each(['CLOSE', 'WITHDRAW'] as const)('%s leaves follow-up and cancels the checkpoint and reassessment', (type) => {
    const result = applied(inFollowUpReported(), type === 'CLOSE' ? closeAt(T.report2) : ev(type, T.report2));
    expect(result.state).toBe('closed');
    expect(result.timers.map((t) => t.kind)).toEqual(['cancel', 'cancel']);
    expect(result.timers.map((t) => t.name).sort()).toEqual(['checkpoint', 'reassessment']);
    expect(result.persisted.context.deadlines).toEqual({});
    expect(result.persisted.context.overdue).toEqual({});
  });

  it('leaving follow-up clears an overdue checkpoint', () => {
    const due = days(T.advice, 28);
    const overdue = applied(inFollowUp(), passed('checkpoint', due)).persisted;
    const closed = applied(overdue, ev('WITHDRAW', plus(due, DAY)));
    expect(closed.persisted.context.overdue).toEqual({});
  });
});

describe('reassessment deadline', () => {
  it('is due 3 calendar months after the advice, at the same Amsterdam time', () => {
    const deadline = inFollowUp().context.deadlines.reassessment;
    expect(deadline).toBe(REASSESSMENT_DUE);
    // 14:20 CET on 12 February, 14:20 CEST on 12 May: 89 days minus the summer-time hour.
    expect(local(deadline ?? '')).toBe('2026-05-12T14:20:00.000');
    expect(Date.parse(REASSESSMENT_DUE) - Date.parse(T.advice)).toBe(89 * DAY - 3600 * SECOND);
  });

  it.each([
    // Month end: the last day of the shorter month.
    ['2026-11-30T10:00:00.000Z', '2027-02-28T10:00:00.000Z'],
    // Just after midnight in Amsterdam is still the previous day in UTC: the Amsterdam date counts.
    ['2026-01-31T23:30:00.000Z', '2026-04-30T22:30:00.000Z'],
    // Into winter time.
    ['2026-08-15T08:00:00.000Z', '2026-11-15T09:00:00.000Z'],
  ])('advice at %s: reassessment due %s', (adviceTime, due) => {
    const result = applied(inAdvising(), adviceAt(adviceTime));
    expect(result.persisted.context.deadlines.reassessment).toBe(due);
    expect(result.timers).toContainEqual(arm('reassessment', due));
  });

  it('spans bridging and follow-up: armed in bridging, kept when the bridging plan moves the case on', () => {
    const bridging = inBridging();
    expect(bridging.context.deadlines).toEqual({ reassessment: REASSESSMENT_DUE });
    const planned = applied(bridging, ev('SET_BRIDGING_PLAN', T.plan));
    expect(planned.timers).not.toContainEqual(cancel('reassessment'));
    expect(planned.timers.filter((t) => t.name === 'reassessment')).toEqual([]);
    expect(planned.persisted.context.deadlines.reassessment).toBe(REASSESSMENT_DUE);
  });

  it('a progress report with helpStarted false keeps it', () => {
    const result = applied(inFollowUp(), progressAt(T.report1, false));
    expect(result.timers.filter((t) => t.name === 'reassessment')).toEqual([]);
    expect(result.persisted.context.deadlines.reassessment).toBe(REASSESSMENT_DUE);
  });

  it('a progress report with helpStarted true keeps it: only the help items count (§5.2)', () => {
    const result = applied(inFollowUp(), progressAt(T.report1, true));
    expect(result.timers.filter((t) => t.name === 'reassessment')).toEqual([]);
    expect(result.persisted.context.deadlines.reassessment).toBe(REASSESSMENT_DUE);
  });

  it('is met when the last help item starts: cancelled with the bridging review, the checkpoint goes on', () => {
    const advised = applied(inAdvising(), ev('ISSUE_ADVICE', T.advice, {
      helpItems: [helpItem(6), { ...helpItem(0), description: 'Parent coaching' }] })).persisted;
    const planned = applied(advised, ev('SET_BRIDGING_PLAN', T.plan, { reviewAt: '2026-03-10' })).persisted;
    const [first, second] = startEveryItem(planned, T.report1);
    const one = applied(planned, first!);
    expect(one.timers).toEqual([]);
    expect(one.persisted.context.record.helpItems.map((i) => i.status)).toEqual(['started', 'advised']);
    const both = applied(one.persisted, second!);
    expect(both.timers).toEqual([cancel('reassessment'), cancel('bridging_review')]);
    expect(both.persisted.context.deadlines).toEqual({ checkpoint: days(T.plan, 28) });
  });

  it('the last help item starting clears an overdue reassessment', () => {
    let persisted = applied(inFollowUp(), passed('reassessment', REASSESSMENT_DUE)).persisted;
    expect(persisted.context.overdue).toEqual({ reassessment: REASSESSMENT_DUE });
    persisted = startAll(persisted, plus(REASSESSMENT_DUE, DAY)).persisted;
    expect(persisted.context.overdue).toEqual({});
    expect(persisted.context.deadlines).not.toHaveProperty('reassessment');
  });

  it.each([
    ['bridging', inBridging, 'WITHDRAW'],
    ['follow_up', inFollowUp, 'REQUEST_REASSESSMENT'],
    ['follow_up', inFollowUpReported, 'CLOSE'],
  ] as const)('from %s, %s cancels it', (_state, from, type) => {
    const result = applied(from(), type === 'CLOSE' ? closeAt(T.reassess) : ev(type, T.reassess));
    expect(result.timers).toContainEqual(cancel('reassessment'));
    expect(result.persisted.context.deadlines).not.toHaveProperty('reassessment');
  });
});

describe('DEADLINE_PASSED', () => {
  const open: [DeadlineName, LifecycleState, () => PersistedReferral][] = [
    ['triage', 'submitted', submitted],
    ['triage', 'triage', inTriage],
    ['triage', 'awaiting_information', inAwaitingInformation],
    ['overleg', 'planning_overleg', inPlanningOverleg],
    ['checkpoint', 'follow_up', inFollowUp],
    ['reassessment', 'bridging', inBridging],
    ['reassessment', 'follow_up', inFollowUp],
  ];

  it.each(open)('%s passing in %s marks it overdue and changes nothing else', (deadline, state, from) => {
    const before = from();
    const dueAt = before.context.deadlines[deadline];
    expect(dueAt, `${deadline} is open in ${state}`).toEqual(expect.any(String));
    const result = applied(before, passed(deadline, dueAt ?? ''));
    expect(result.state).toBe(state);
    expect(result.persisted.value).toEqual(before.value);
    expect(result.timers).toEqual([]);
    expect(result.persisted.context.overdue).toEqual({ [deadline]: dueAt });
    expect(result.persisted.context.deadlines).toEqual(before.context.deadlines);
    expect(result.persisted.context.record).toEqual(before.context.record);
  });

  it('two deadlines can be overdue at once', () => {
    const before = inFollowUp();
    const { checkpoint, reassessment } = before.context.deadlines;
    let persisted = applied(before, passed('checkpoint', checkpoint ?? '')).persisted;
    persisted = applied(persisted, passed('reassessment', reassessment ?? '')).persisted;
    expect(persisted.context.overdue).toEqual({ checkpoint, reassessment });
    expect(persisted.value).toEqual(before.value);
  });

  it('an overdue case still accepts the same events as before', () => {
    const before = inTriage();
    const after = applied(before, passed('triage', TRIAGE_DUE)).persisted;
    for (const type of ['REQUEST_INFORMATION', 'ACCEPT', 'DECLINE'] as const) {
      expect(step(V, after, ev(type, plus(TRIAGE_DUE, DAY))).outcome, type).toBe('applied');
    }
  });

  const stale: [string, () => PersistedReferral, DeadlinePassedEvent, LifecycleState][] = [
    ['triage after ACCEPT', inPlanningOverleg, passed('triage', TRIAGE_DUE), 'planning_overleg'],
    ['overleg after SCHEDULE_OVERLEG', inOverlegScheduled, passed('overleg', OVERLEG_DUE), 'overleg_scheduled'],
    ['checkpoint in bridging (never armed)', inBridging, passed('checkpoint', days(T.advice, 28)), 'bridging'],
    ['triage with another due time', submitted, passed('triage', plus(TRIAGE_DUE, 1)), 'submitted'],
    ['triage one millisecond early', submitted, passed('triage', plus(TRIAGE_DUE, -1)), 'submitted'],
    ['reassessment with another due time', inFollowUp, passed('reassessment', plus(REASSESSMENT_DUE, DAY)), 'follow_up'],
    ['overleg never armed in triage', inTriage, passed('overleg', OVERLEG_DUE), 'triage'],
  ];
  it.each(stale)('a stale DEADLINE_PASSED (%s) is ignored', (_label, from, event, state) => {
    const before = from();
    expect(step(V, roundTrip(before), event)).toEqual({ outcome: 'ignored', state });
  });

  it('a DEADLINE_PASSED on a closed case is ignored', () => {
    const closed = applied(submitted(), ev('WITHDRAW', T.startTriage)).persisted;
    for (const name of ['triage', 'overleg', 'checkpoint', 'reassessment'] as const) {
      expect(step(V, closed, passed(name, TRIAGE_DUE))).toEqual({ outcome: 'ignored', state: 'closed' });
    }
  });
});

describe('settings handed to step', () => {
  const env = (now: string, deadlines: Partial<DeadlineSettings>): ReferralEnv =>
    ({ ...DEFAULT_ENV_SETTINGS, now, deadlines: { ...DEFAULT_DEADLINES, ...deadlines } });

  it('submit arms with the settings of its input, urgent or not', () => {
    const settings = { triage: 'P2D', triageUrgent: 'PT6H' };
    const regular = submit({ submission: parsedSubmission(), env: env(SUBMITTED_AT, settings) });
    expect(regular.persisted.context.deadlines).toEqual({ triage: '2026-01-17T09:00:00.000Z' });
    const urgent = submit({ submission: parsedSubmission({ urgency: 'urgent' }), env: env(SUBMITTED_AT, settings) });
    expect(urgent.timers).toEqual([arm('triage', '2026-01-15T15:00:00.000Z')]);
  });

  it('a step arms its deadlines with the settings given to it', () => {
    const result = applied(inTriage(), ev('ACCEPT', T.accept), env(T.accept, { overleg: 'PT2S' }));
    expect(result.timers).toEqual([cancel('triage'), arm('overleg', plus(T.accept, 2 * SECOND))]);
    expect(result.persisted.context.deadlines).toEqual({ overleg: plus(T.accept, 2 * SECOND) });
  });

  it('deadlines already armed keep their due time when a step brings other settings', () => {
    const before = inFollowUp();
    const settings = env(T.report1, { checkpoint: 'P7D', reassessment: 'P1M', overleg: 'PT1S', triage: 'PT1S' });
    const result = applied(before, progressAt(T.report1, false), settings);
    expect(result.timers).toEqual([cancel('checkpoint'), arm('checkpoint', plus(T.report1, 7 * DAY))]);
    expect(result.persisted.context.deadlines).toEqual({
      checkpoint: plus(T.report1, 7 * DAY),
      reassessment: REASSESSMENT_DUE,
    });
  });

  it('a step that arms nothing leaves every open deadline as it was', () => {
    const before = inAwaitingInformation();
    const result = applied(before, ev('PROVIDE_INFORMATION', T.provideInfo), env(T.provideInfo, { triage: 'PT1S' }));
    expect(result.timers).toEqual([]);
    expect(result.persisted.context.deadlines).toEqual({ triage: TRIAGE_DUE });
  });

  it('ISSUE_ADVICE arms both follow-up deadlines with the given settings', () => {
    const result = applied(inAdvising(), adviceAt(T.advice), env(T.advice, { checkpoint: 'PT2S', reassessment: 'PT10S' }));
    expect(result.persisted.context.deadlines).toEqual({
      checkpoint: plus(T.advice, 2 * SECOND), reassessment: plus(T.advice, 10 * SECOND),
    });
  });
});

describe('calendar arithmetic (Europe/Amsterdam)', () => {
  it('P5D across the last Sunday of March (summer time starts) keeps the local time', () => {
    // Friday 27 March 2026 10:00 CET; summer time starts Sunday 29 March.
    const at = '2026-03-27T09:00:00.000Z';
    const { persisted, timers } = submit(input({ submittedAt: at }));
    const due = '2026-04-01T08:00:00.000Z';
    expect(timers).toEqual([arm('triage', due)]);
    expect(persisted.context.deadlines.triage).toBe(due);
    expect(local(due)).toBe('2026-04-01T10:00:00.000');
    expect(Date.parse(due) - Date.parse(at)).toBe(5 * DAY - 3600 * SECOND);
  });

  it('P5D across the last Sunday of October (summer time ends) keeps the local time', () => {
    const at = '2026-10-23T09:00:00.000Z'; // 11:00 CEST
    const { timers } = submit(input({ submittedAt: at }));
    expect(timers).toEqual([arm('triage', '2026-10-28T10:00:00.000Z')]); // 11:00 CET
  });

  it('P1D urgent over the switch night is the same local time the next day (23 hours)', () => {
    const at = '2026-03-28T11:00:00.000Z'; // Saturday 12:00 CET
    const { timers } = submit(input({ submittedAt: at, submission: parsedSubmission({ urgency: 'urgent' }) }));
    expect(timers).toEqual([arm('triage', '2026-03-29T10:00:00.000Z')]); // Sunday 12:00 CEST
  });

  it('durations in hours or seconds are exact elapsed time, also across the switch', () => {
    expect(dueAfter('2026-03-27T09:00:00.000Z', 'PT120H')).toBe('2026-04-01T09:00:00.000Z');
    expect(dueAfter('2026-03-29T00:59:59.000Z', 'PT2S')).toBe('2026-03-29T01:00:01.000Z');
  });

  it('the timer due time and the open deadline are the same instant (the delay matches the calendar)', () => {
    const at = '2026-03-27T09:00:00.000Z';
    const env: ReferralEnv = { ...DEFAULT_ENV_SETTINGS, now: at };
    let persisted = submit({ submission: parsedSubmission(), env }).persisted;
    persisted = applied(persisted, ev('START_TRIAGE', at)).persisted;
    const accepted = applied(persisted, ev('ACCEPT', at));
    const [, armed] = accepted.timers;
    expect(armed).toEqual(arm('overleg', accepted.persisted.context.deadlines.overleg ?? ''));
    expect(local(armed?.kind === 'arm' ? armed.dueAt : '')).toBe('2026-04-10T10:00:00.000');
  });

  // dueAfter and endOfDay do their own arithmetic with Amsterdam's offset per UTC hour, for speed;
  // luxon (how they were written before) is the reference they must equal.
  const luxonDueAfter = (now: string, duration: string) =>
    DateTime.fromISO(now, { zone: ZONE }).plus(Duration.fromISO(duration)).toUTC().toISO({ suppressMilliseconds: false });
  const luxonEndOfDay = (day: string) => DateTime.fromISO(day.slice(0, 10), { zone: ZONE }).plus({ days: 1 })
    .startOf('day').toUTC().toISO({ suppressMilliseconds: false });
  const SHAPES = ['P5D', 'P1D', 'P14D', 'P21D', 'P28D', 'P3M', 'P1M', 'P2M', 'P13M', 'P1Y', 'P20Y', 'P1W', 'P2W3D',
    'P1Y2M3D', 'PT2S', 'PT1H', 'PT1H30M', 'PT120H', 'PT25H', 'P1DT12H', 'P1MT1.5S', 'PT0.5S', 'PT0.0005S',
    'PT1.9999S', 'P31D', 'P3660D', 'PT59M59S'];

  // 139,000 comparisons: collected and asserted once, since an expect() per comparison made this
  // one test take 14 s on a busy machine; its own budget besides.
  it('dueAfter equals luxon on every change of summer time 2020–2040, every hour around it, every duration shape', () => {
    let compared = 0;
    const differing: string[] = [];
    for (let year = 2020; year <= 2040; year++) {
      for (const month of [2, 9]) {
        // The last Sunday of March / October, 01:00 UTC: the instant Amsterdam's offset changes.
        const lastDay = new Date(Date.UTC(year, month + 1, 0));
        const sunday = Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
        for (let h = -30; h <= 30; h++) {
          for (const extra of [0, 59 * 60_000 + 59_999]) {
            const now = new Date(sunday + h * 3_600_000 + extra).toISOString();
            for (const shape of SHAPES) {
              const ours = dueAfter(now, shape);
              const luxons = luxonDueAfter(now, shape);
              if (ours !== luxons) differing.push(`${shape} after ${now}: ${ours}, luxon ${luxons}`);
              compared++;
            }
          }
        }
      }
    }
    expect(differing.slice(0, 20)).toEqual([]);
    expect(compared).toBe(21 * 2 * 61 * 2 * SHAPES.length);
  }, 120_000);

  it('dueAfter equals luxon at the ends of months and on leap days (the day clamped, as luxon)', () => {
    const starts = ['2024-01-31T10:00:00.000Z', '2024-02-29T23:30:00.000Z', '2023-01-29T12:00:00.000Z',
      '2025-08-31T22:15:00.000Z', '2026-12-31T23:59:59.999Z', '2028-02-28T23:00:00.000Z', '2026-05-31T00:00:00Z'];
    for (const now of starts) {
      for (const shape of SHAPES) expect(dueAfter(now, shape), `${shape} after ${now}`).toBe(luxonDueAfter(now, shape));
    }
    // Pseudo-random instants over twenty years (fixed seed: the same every run).
    let seed = 12345;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5000; i++) {
      const now = new Date(Date.UTC(2020, 0, 1) + Math.floor(next() * 20 * 365 * DAY)).toISOString();
      const shape = SHAPES[Math.floor(next() * SHAPES.length)]!;
      expect(dueAfter(now, shape), `${shape} after ${now}`).toBe(luxonDueAfter(now, shape));
    }
  });

  it('endOfDay equals luxon on every day 2020–2040, and both refuse what is not a day', () => {
    for (let ms = Date.UTC(2020, 0, 1); ms < Date.UTC(2041, 0, 1); ms += DAY) {
      const day = new Date(ms).toISOString().slice(0, 10);
      expect(endOfDay(day), day).toBe(luxonEndOfDay(day));
    }
    expect(endOfDay('2026-03-28T23:30:00.000Z')).toBe(luxonEndOfDay('2026-03-28T23:30:00.000Z'));
    for (const bad of ['2026-02-30', '2026-13-01', 'not a day', '']) expect(() => endOfDay(bad), bad).toThrow();
    expect(() => dueAfter('2026-02-30T10:00:00.000Z', 'P1D')).toThrow();
    expect(() => dueAfter('yesterday', 'P1D')).toThrow();
  });

  it('recognises the ISO 8601 durations the region settings accept, and only positive ones', () => {
    for (const ok of ['P5D', 'P1D', 'P14D', 'P28D', 'P3M', 'PT2S', 'P1W', 'PT1H30M', 'P1Y', 'PT0.5S']) {
      expect(isIsoDuration(ok), ok).toBe(true);
    }
    for (const bad of ['5D', 'P', 'PT', 'P-1D', 'PT0S', 'P0D', '', 'p5d', 'P5', 'PT2', 'P1DT', '-P1D', 'P5D ']) {
      expect(isIsoDuration(bad), bad).toBe(false);
    }
  });
});

describe('isCalendarPeriod (the retention and housekeeping settings)', () => {
  it('takes years, months and days of at least the minimum, and nothing with a time part', () => {
    expect(isCalendarPeriod('P20Y', 365)).toBe(true);
    expect(isCalendarPeriod('P1Y6M', 365)).toBe(true);
    expect(isCalendarPeriod('P11M', 365)).toBe(false);
    expect(isCalendarPeriod('P30D', 1)).toBe(true);
    expect(isCalendarPeriod('P0D', 1)).toBe(false);
    expect(isCalendarPeriod('PT5S', 1)).toBe(false);
    expect(isCalendarPeriod('P', 1)).toBe(false);
    expect(isCalendarPeriod('20Y', 1)).toBe(false);
  });
});
