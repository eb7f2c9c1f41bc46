/**
 * No loose ends (DESIGN §6.1, machine 2.1.0): required texts that explain, an escalation answered
 * or withdrawn before a case ends, commitments with ids and deadlines of their own until settled,
 * the advice deadline after the overleg. Pure: the machine and its rules, no store.
 */
import { describe, expect, it } from 'vitest';
import { REFERRAL_MACHINE_VERSION, type StampedEvent } from '../../machines/referral.machine.ts';
import { EXPLAINING_TEXTS, unexplainedText } from '../../machines/referral.rules.ts';
import { EVENT_SCHEMAS, type ReferralEvent } from '../../machines/referral.schemas.ts';
import { step, type PersistedReferral } from '../../machines/referral.ts';
import { MACHINE_VERSION_2 } from '../../machines/v2/referral.machine.ts';
import { events } from '../support/fixtures.ts';
import { AT, drive, fixtureEvent, pathTo, startEveryItem, stamped } from './helpers.ts';

const V = REFERRAL_MACHINE_VERSION;
const LATER = '2026-02-03T10:00:00Z';

function apply(persisted: PersistedReferral, event: StampedEvent, version = V): PersistedReferral {
  const result = step(version, persisted, event);
  if (result.outcome !== 'applied') throw new Error(`${event.type}: ${JSON.stringify(result)}`);
  return result.persisted;
}

/** A case in follow_up whose help has started and was reported: ready to close but for §6.1. */
function readyToClose(): PersistedReferral {
  const followUp = drive(pathTo('follow_up'));
  return startEveryItem(followUp).reduce((p, e) => apply(p, e), followUp);
}

const withCommitments = (type: 'RECORD_OVERLEG' | 'RECORD_ESCALATION_OUTCOME', at: string, dueAt = '2026-02-20') =>
  fixtureEvent(type, at, {
    commitments: [{ organisation: 'Gemeente Amsterdam', action: 'Issue the decision on the place', dueAt }],
  });

describe('REASON_REQUIRED: every required free text of §6.1 explains something', () => {
  const cases = Object.entries(EXPLAINING_TEXTS).flatMap(([type, paths]) =>
    (paths ?? []).filter((p) => !p.includes('.')).map((path) => [type, path] as const));

  it.each(cases)('%s.%s: "." and "ok ok" are refused naming the field; the fixture is not', (type, path) => {
    const fixture = EVENT_SCHEMAS[type as keyof typeof EVENT_SCHEMAS].parse(
      (events[type as keyof typeof events] as () => unknown)()) as ReferralEvent;
    expect(unexplainedText(fixture)).toBeUndefined();
    for (const bad of ['.', 'ok ok', '1234567890', '   n.v.t.  ']) {
      expect(unexplainedText({ ...fixture, [path]: bad } as ReferralEvent)).toEqual({ field: path, reason: expect.stringMatching(/^must explain/) });
    }
  });

  it('the rule is applied before the step on a 2.1.0 case, and not on a 2.0.0 case (it keeps stepping as it did)', () => {
    const triage = drive(pathTo('triage'));
    const accept = fixtureEvent('ACCEPT', AT, { rationale: '.' });
    expect(step(V, triage, accept)).toEqual({
      outcome: 'rule_broken', code: 'REASON_REQUIRED', breach: { field: 'rationale', reason: expect.any(String) },
    });
    expect(step(MACHINE_VERSION_2, triage, accept)).toMatchObject({ outcome: 'applied', state: 'planning_overleg' });
  });

  it('CLOSE with no_longer_needed or other needs an explanation; help_in_place does not', () => {
    const ready = readyToClose();
    for (const outcome of ['no_longer_needed', 'other'] as const) {
      expect(step(V, ready, fixtureEvent('CLOSE', LATER, { outcome }))).toMatchObject(
        { outcome: 'rule_broken', code: 'REASON_REQUIRED', breach: { field: 'explanation' } });
      expect(step(V, ready, fixtureEvent('CLOSE', LATER, { outcome, explanation: 'ok' }))).toMatchObject(
        { outcome: 'rule_broken', code: 'REASON_REQUIRED' });
      expect(step(V, ready, fixtureEvent('CLOSE', LATER, { outcome, explanation: 'The family moved to another region' })))
        .toMatchObject({ outcome: 'applied', state: 'closed' });
    }
    expect(step(V, ready, fixtureEvent('CLOSE', LATER))).toMatchObject({ outcome: 'applied', state: 'closed' });
  });
});

describe('ESCALATION_OPEN: no case ends by a decision with its escalation unanswered', () => {
  it('CLOSE is refused while the escalation is open, and goes through withdrawing it with a reason', () => {
    const escalated = apply(readyToClose(), stamped('ESCALATE', LATER));
    expect(step(V, escalated, fixtureEvent('CLOSE', LATER))).toEqual({ outcome: 'rule_broken', code: 'ESCALATION_OPEN' });
    expect(step(V, escalated, fixtureEvent('CLOSE', LATER, { escalationWithdrawn: { reason: '.' } })))
      .toMatchObject({ outcome: 'rule_broken', code: 'REASON_REQUIRED', breach: { field: 'escalationWithdrawn.reason' } });
    const closed = step(V, escalated, fixtureEvent('CLOSE', LATER, { escalationWithdrawn: { reason: 'The place came free after all' } }));
    expect(closed).toMatchObject({ outcome: 'applied', state: 'closed' });
    if (closed.outcome !== 'applied') throw new Error('unreachable');
    // The escalation's deadline is cancelled with the escalation.
    expect(closed.timers).toContainEqual({ kind: 'cancel', name: 'escalation' });
    expect(closed.persisted.context.deadlines).toEqual({});
  });

  it('DECLINE and CONSULT in triage are refused alike; an answered escalation ends nothing', () => {
    const escalated = apply(drive(pathTo('triage')), stamped('ESCALATE'));
    expect(step(V, escalated, stamped('DECLINE'))).toEqual({ outcome: 'rule_broken', code: 'ESCALATION_OPEN' });
    expect(step(V, escalated, stamped('CONSULT'))).toEqual({ outcome: 'rule_broken', code: 'ESCALATION_OPEN' });
    const answered = apply(escalated, stamped('RECORD_ESCALATION_OUTCOME'));
    expect(step(V, answered, stamped('DECLINE'))).toMatchObject({ outcome: 'applied', state: 'closed' });
  });

  it('on a 2.0.0 case the close still goes through, as it did', () => {
    const escalated = apply(readyToClose(), stamped('ESCALATE', LATER), MACHINE_VERSION_2);
    expect(step(MACHINE_VERSION_2, escalated, fixtureEvent('CLOSE', LATER))).toMatchObject({ outcome: 'applied' });
  });
});

describe('commitments: ids, a deadline each, settled before the close', () => {
  it('an overleg and an escalation outcome each make an open commitment with its own deadline at the end of its day', () => {
    const advising = apply(drive(pathTo('overleg_scheduled')), withCommitments('RECORD_OVERLEG', AT));
    const escalated = apply(advising, stamped('ESCALATE'));
    const result = step(V, escalated, withCommitments('RECORD_ESCALATION_OUTCOME', AT, '2026-03-02'));
    if (result.outcome !== 'applied') throw new Error(JSON.stringify(result));
    const [overleg, escalation] = result.persisted.context.record.commitments;
    expect(overleg).toMatchObject({ source: 'overleg', status: 'open', dueAt: '2026-02-20', settledOn: null });
    expect(escalation).toMatchObject({ source: 'escalation', status: 'open', dueAt: '2026-03-02' });
    expect(overleg!.id).not.toBe(escalation!.id);
    expect(result.persisted.context.deadlines).toMatchObject({
      [`commitment:${overleg!.id}`]: '2026-02-20T23:00:00.000Z',
      [`commitment:${escalation!.id}`]: '2026-03-02T23:00:00.000Z',
    });
    expect(result.timers).toContainEqual(expect.objectContaining({
      kind: 'arm', name: `commitment:${escalation!.id}`, dueAt: '2026-03-02T23:00:00.000Z',
      event: expect.objectContaining({ deadline: 'commitment', commitmentId: escalation!.id }),
    }));
  });

  it('a commitment due before today is DATE_ORDER naming it', () => {
    const scheduled = drive(pathTo('overleg_scheduled'));
    expect(step(V, scheduled, withCommitments('RECORD_OVERLEG', AT, '2026-01-31'))).toMatchObject({
      outcome: 'rule_broken', code: 'DATE_ORDER', breach: { field: 'commitments.0.dueAt' },
    });
  });

  it('its deadline passes without moving the case; settling it meets the deadline; the close waits for every one', () => {
    let persisted = readyToClose();
    persisted = apply(persisted, stamped('ESCALATE', LATER));
    persisted = apply(persisted, withCommitments('RECORD_ESCALATION_OUTCOME', LATER, '2026-02-04'));
    const [commitment] = persisted.context.record.commitments;
    const key = `commitment:${commitment!.id}` as const;
    const dueAt = persisted.context.deadlines[key]!;
    const passed = step(V, persisted, { type: 'DEADLINE_PASSED', deadline: 'commitment', commitmentId: commitment!.id, dueAt, at: dueAt });
    expect(passed).toMatchObject({ outcome: 'applied', state: 'follow_up' });
    if (passed.outcome !== 'applied') throw new Error('unreachable');
    persisted = passed.persisted;
    expect(persisted.context.overdue).toEqual({ [key]: dueAt });

    expect(step(V, persisted, fixtureEvent('CLOSE', LATER))).toEqual({ outcome: 'rule_broken', code: 'COMMITMENT_OPEN' });
    expect(step(V, persisted, fixtureEvent('UPDATE_COMMITMENT', LATER, { commitmentId: '00000000-0000-4000-8000-000000000bad' })))
      .toMatchObject({ outcome: 'rule_broken', code: 'UNKNOWN_COMMITMENT', breach: { field: 'commitmentId' } });
    expect(step(V, persisted, fixtureEvent('UPDATE_COMMITMENT', LATER, { commitmentId: commitment!.id, status: 'not_done', reason: 'no' })))
      .toMatchObject({ outcome: 'rule_broken', code: 'REASON_REQUIRED', breach: { field: 'reason' } });
    const settled = step(V, persisted, fixtureEvent('UPDATE_COMMITMENT', LATER, {
      commitmentId: commitment!.id, status: 'not_done', reason: 'The decision was postponed to January', date: '2026-02-03',
    }));
    if (settled.outcome !== 'applied') throw new Error(JSON.stringify(settled));
    expect(settled.timers).toEqual([{ kind: 'cancel', name: key }]);
    expect(settled.persisted.context.deadlines[key]).toBeUndefined();
    expect(settled.persisted.context.overdue).toEqual({});
    expect(settled.persisted.context.record.commitments[0]).toMatchObject({
      status: 'not_done', settledOn: '2026-02-03', reason: 'The decision was postponed to January',
    });
    expect(step(V, settled.persisted, fixtureEvent('UPDATE_COMMITMENT', LATER, { commitmentId: commitment!.id })))
      .toMatchObject({ outcome: 'rule_broken', code: 'COMMITMENT_SETTLED' });
    expect(step(V, settled.persisted, fixtureEvent('CLOSE', LATER))).toMatchObject({ outcome: 'applied', state: 'closed' });
  });

  it('WITHDRAW withdraws the open commitments and cancels their deadlines', () => {
    const advising = apply(drive(pathTo('overleg_scheduled')), withCommitments('RECORD_OVERLEG', AT));
    const result = step(V, advising, stamped('WITHDRAW'));
    if (result.outcome !== 'applied') throw new Error(JSON.stringify(result));
    const [commitment] = result.persisted.context.record.commitments;
    expect(commitment).toMatchObject({ status: 'withdrawn', reason: 'Family moved away' });
    expect(result.timers).toContainEqual({ kind: 'cancel', name: `commitment:${commitment!.id}` });
    expect(result.persisted.context.deadlines).toEqual({});
  });
});
