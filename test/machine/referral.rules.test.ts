/**
 * The IGJ rules of DESIGN §3 (machines/referral.rules.ts): each code exactly when its rule is
 * broken, consent by age at submission in Europe/Amsterdam, and properties (fast-check) that the
 * statechart's guards hold back exactly the events the rules refuse.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REFERRAL_MACHINE_VERSION } from '../../machines/referral.machine.ts';
import { step } from '../../machines/referral.ts';
import {
  customArrangementsFunded,
  fitRationaleGiven,
  participationRecorded,
  RULE_CODES,
  ruleViolation,
  type RuleCode,
} from '../../machines/referral.rules.ts';
import {
  EVENT_SCHEMAS,
  EVENT_TYPES,
  LAWS,
  type EventInputOf,
  type ReferralEvent,
} from '../../machines/referral.schemas.ts';
import { explains } from '../../machines/referral.text.ts';
import { events, helpItem, parsedSubmission } from '../support/fixtures.ts';
import { AT, driveTo, input, stamp } from './helpers.ts';

/** Values the schema lets through for a rule field but that say nothing. */
const BLANKS = [undefined, '', ' ', '   ', '\t', '\n', ' \t\n '] as const;
const blankLabel = (v: string | undefined) => (v === undefined ? 'missing' : JSON.stringify(v));
/** "Non-empty" in DESIGN §3 means non-empty after trimming (a funder). */
const isBlank = (v: string | undefined) => v === undefined || v.trim() === '';
/** A reason or rationale counts with 10 characters after trimming, letters among them (§5.1). */
const unexplained = (v: string | undefined) => !explains(v);

type Schedule = EventInputOf<'SCHEDULE_OVERLEG'>;
type Participant = Schedule['participants'][number];
type NotInvited = NonNullable<Schedule['notInvited']>[number] & { reason?: string };
type Participation = EventInputOf<'RECORD_OVERLEG'>['youth'] & { reason?: string };
type HelpItem = EventInputOf<'ISSUE_ADVICE'>['helpItems'][number];
/** An event as the engine hands it to the rules: parsed by its schema. */
const parsed = <T extends keyof typeof EVENT_SCHEMAS>(type: T, event: unknown) =>
  EVENT_SCHEMAS[type].parse(event) as Extract<ReferralEvent, { type: T }>;
const record = (x: Partial<EventInputOf<'RECORD_OVERLEG'>>) => parsed('RECORD_OVERLEG', events.RECORD_OVERLEG(x));
type Financing = NonNullable<HelpItem['financing']>[number];

/** Build an object with `key` set to `value`, or without the key at all when `value` is undefined. */
function withOptional<T extends object, K extends string>(
  base: T, key: K, value: string | undefined,
): T & { [P in K]?: string } {
  const copy = { ...base } as Record<string, unknown>;
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy as T & { [P in K]?: string };
}

const professional: Participant = { role: 'professional', organisation: 'GGZ Noord', discipline: 'psychiatry' };
const notInvited = (role: NotInvited['role'], reason: string | undefined): NotInvited =>
  withOptional({ role }, 'reason', reason);
const schedule = (participants: Participant[], notInvitedList?: NotInvited[]) =>
  parsed('SCHEDULE_OVERLEG', events.SCHEDULE_OVERLEG(
    notInvitedList === undefined ? { participants } : { participants, notInvited: notInvitedList },
  ));
const notInvolved = (reason: string | undefined): Participation =>
  withOptional({ participation: 'not_involved' as const }, 'reason', reason);
const item = (changes: Partial<HelpItem> = {}, drop: Array<'fitRationale' | 'financing'> = []): HelpItem => {
  const result: HelpItem = { ...helpItem(0), ...changes };
  for (const key of drop) delete result[key];
  return result;
};
const advice = (...helpItems: HelpItem[]) => parsed('ISSUE_ADVICE', events.ISSUE_ADVICE({ helpItems }));
const funder = (name: string | undefined, law: Financing['law'] = 'jeugdwet'): Financing =>
  withOptional({ law }, 'funder', name);

describe('the fixtures break no rule', () => {
  it.each(EVENT_TYPES)('%s fixture → no rule code', (type) => {
    expect(ruleViolation(parsed(type, (events[type] as () => unknown)()))).toBeUndefined();
  });

  it('the rule codes are the four of DESIGN §3, the four of §5.1, the five of §5.2, the four of §6.1 and the two of §6.4', () => {
    expect([...RULE_CODES].sort()).toEqual([
      'AGE_OUT_OF_RANGE', 'COMMITMENT_OPEN', 'COMMITMENT_SETTLED', 'CONSENT_REQUIRED', 'DATE_ORDER',
      'ESCALATION_OPEN', 'FIT_RATIONALE_REQUIRED', 'FOLLOW_UP_REQUIRED',
      'FUNDER_REQUIRED', 'HELP_ITEM_STATUS_ORDER', 'HELP_NOT_STARTED', 'MUNICIPALITY_NOT_IN_REGION',
      'PARTICIPATION_REASON_REQUIRED', 'REASON_REQUIRED', 'UNKNOWN_COMMITMENT', 'UNKNOWN_HELP_ITEM', 'UNKNOWN_MUNICIPALITY',
      'UNKNOWN_OFFER', 'WAITING_TIME_UNKNOWN',
    ]);
  });
});

describe('PARTICIPATION_REASON_REQUIRED on SCHEDULE_OVERLEG', () => {
  const CODE = 'PARTICIPATION_REASON_REQUIRED';

  it('youth and parents among the participants: fine', () => {
    expect(ruleViolation(schedule([{ role: 'youth' }, { role: 'parents' }, professional]))).toBeUndefined();
  });

  it.each(['youth', 'parents'] as const)('%s neither a participant nor in notInvited → code', (role) => {
    const other = role === 'youth' ? 'parents' : 'youth';
    expect(ruleViolation(schedule([{ role: other }, professional]))).toBe(CODE);
    expect(ruleViolation(schedule([{ role: other }, professional], []))).toBe(CODE);
  });

  it('only professionals, nobody in notInvited → code', () => {
    expect(ruleViolation(schedule([professional]))).toBe(CODE);
  });

  describe.each(['youth', 'parents'] as const)('%s not invited', (role) => {
    const other = role === 'youth' ? 'parents' : 'youth';
    it.each(BLANKS.map((b) => [blankLabel(b), b] as const))('with reason %s → code', (_, reason) => {
      expect(ruleViolation(schedule([{ role: other }, professional], [notInvited(role, reason)]))).toBe(CODE);
    });
    it('with a reason → fine', () => {
      expect(ruleViolation(schedule([{ role: other }, professional], [notInvited(role, '  Too anxious for a meeting, heard by the coach  ')])))
        .toBeUndefined();
    });
    it('the reason given for the OTHER role does not count → code', () => {
      expect(ruleViolation(schedule([professional], [notInvited(other, 'A reason'), notInvited(role, '')]))).toBe(CODE);
    });
  });

  it('both not invited, both with reasons → fine; one reason blank → code', () => {
    expect(ruleViolation(schedule([professional], [notInvited('youth', 'Too young for a meeting'), notInvited('parents', 'Parental authority removed')])))
      .toBeUndefined();
    expect(ruleViolation(schedule([professional], [notInvited('youth', 'Too young for a meeting'), notInvited('parents', ' ')])))
      .toBe(CODE);
  });

  it('a participant with a blank notInvited entry beside it is still a participant → fine', () => {
    expect(ruleViolation(schedule([{ role: 'youth' }, { role: 'parents' }], [notInvited('youth', '')]))).toBeUndefined();
  });
});

describe('PARTICIPATION_REASON_REQUIRED on RECORD_OVERLEG', () => {
  const CODE = 'PARTICIPATION_REASON_REQUIRED';

  describe.each(['youth', 'parents'] as const)('%s not_involved', (who) => {
    it.each(BLANKS.map((b) => [blankLabel(b), b] as const))('with reason %s → code', (_, reason) => {
      expect(ruleViolation(record({ [who]: notInvolved(reason) }))).toBe(CODE);
    });
    it('with a reason → fine', () => {
      expect(ruleViolation(record({ [who]: notInvolved('Not reachable despite three attempts') })))
        .toBeUndefined();
    });
  });

  it.each(['present', 'heard_beforehand', 'represented'] as const)('%s needs no reason', (participation) => {
    expect(ruleViolation(record({ youth: { participation }, parents: { participation } })))
      .toBeUndefined();
  });
});

describe('FIT_RATIONALE_REQUIRED on ISSUE_ADVICE', () => {
  it.each(BLANKS.map((b) => [blankLabel(b), b] as const))('fitRationale %s → code', (_, fit) => {
    const broken = fit === undefined ? item({}, ['fitRationale']) : item({ fitRationale: fit });
    expect(ruleViolation(advice(broken))).toBe('FIT_RATIONALE_REQUIRED');
    expect(ruleViolation(advice(item(), broken))).toBe('FIT_RATIONALE_REQUIRED');
    expect(ruleViolation(advice(item({ kind: 'existing_offer' }, ['fitRationale'])))).toBe('FIT_RATIONALE_REQUIRED');
  });

  it('every item with a fit rationale → fine', () => {
    expect(ruleViolation(advice(item(), item({ kind: 'existing_offer', fitRationale: ' Close to home ' })))).toBeUndefined();
  });

  it('with both rules broken, FIT_RATIONALE_REQUIRED answers first (the order of DESIGN §3)', () => {
    expect(ruleViolation(advice(item({ fitRationale: ' ', financing: [] })))).toBe('FIT_RATIONALE_REQUIRED');
    expect(ruleViolation(advice(item({ financing: [] }), item({ fitRationale: '' })))).toBe('FIT_RATIONALE_REQUIRED');
  });
});

describe('FUNDER_REQUIRED on ISSUE_ADVICE', () => {
  const unfunded: Array<[string, HelpItem]> = [
    ['no financing', item({}, ['financing'])],
    ['empty financing', item({ financing: [] })],
    ...BLANKS.map((b): [string, HelpItem] => [`one funder ${blankLabel(b)}`, item({ financing: [funder(b)] })]),
    ['only blank funders', item({ financing: [funder(undefined), funder(''), funder('  ', 'wmo')] })],
  ];

  it.each(unfunded)('custom_arrangement with %s → code', (_, broken) => {
    expect(ruleViolation(advice(broken))).toBe('FUNDER_REQUIRED');
    expect(ruleViolation(advice(item({ kind: 'existing_offer' }), broken))).toBe('FUNDER_REQUIRED');
  });

  it.each(unfunded)('existing_offer with %s → fine', (_, offer) => {
    expect(ruleViolation(advice({ ...offer, kind: 'existing_offer' }))).toBeUndefined();
  });

  it('custom_arrangement with one named funder among blank ones → fine', () => {
    expect(ruleViolation(advice(item({ financing: [funder(' '), funder('Gemeente Utrecht', 'wmo')] })))).toBeUndefined();
  });
});

describe('properties (fast-check)', () => {
  const ruleText = fc.oneof(
    fc.constantFrom(...BLANKS),
    fc.constantFrom('Fits the question', ' x ', 'Gemeente Utrecht'),
    fc.string({ maxLength: 4 }),
  );

  const helpItemArb = fc
    .record({
      kind: fc.constantFrom('existing_offer', 'custom_arrangement'),
      fitRationale: ruleText,
      waitingWeeks: fc.integer({ min: 0, max: 6 }),
      financing: fc.option(
        fc.array(fc.record({ law: fc.constantFrom(...LAWS), funder: ruleText }), { maxLength: 3 }),
        { nil: undefined },
      ),
    })
    .map(({ kind, fitRationale, waitingWeeks, financing }) => {
      const result: HelpItem = { ...helpItem(waitingWeeks), kind };
      if (fitRationale === undefined) delete result.fitRationale;
      else result.fitRationale = fitRationale;
      if (financing === undefined) delete result.financing;
      else result.financing = financing.map((f) => funder(f.funder, f.law));
      return result;
    });

  /** DESIGN §3 read directly: the first rule an advice breaks. */
  function expectedAdviceCode(items: HelpItem[]): RuleCode | undefined {
    if (items.some((i) => unexplained(i.fitRationale))) return 'FIT_RATIONALE_REQUIRED';
    if (items.some((i) => i.kind === 'custom_arrangement' && (i.financing ?? []).every((f) => isBlank(f.funder)))) {
      return 'FUNDER_REQUIRED';
    }
    return undefined;
  }

  it('ISSUE_ADVICE: the rule code follows DESIGN §3, ruleViolation is undefined iff both predicates hold, and step answers it (the one place rules are checked)', () => {
    const advising = driveTo('advising', input({ submission: parsedSubmission(), submittedAt: '2026-01-15T09:00:00Z', bridgingThresholdWeeks: 2 }));
    fc.assert(
      fc.property(fc.array(helpItemArb, { minLength: 1, maxLength: 4 }), (items) => {
        const event = advice(...items);
        const expected = expectedAdviceCode(items);
        expect(ruleViolation(event)).toBe(expected);
        expect(ruleViolation(event) === undefined).toBe(fitRationaleGiven(event) && customArrangementsFunded(event));

        const stamped = stamp(event);
        const result = step(REFERRAL_MACHINE_VERSION, advising, stamped);
        if (expected) {
          expect(result).toEqual({ outcome: 'rule_broken', code: expected });
        } else {
          const target = items.some((i) => (i.waitingWeeks ?? 0) > 2) ? 'bridging' : 'follow_up';
          expect(result).toMatchObject({ outcome: 'applied', state: target });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('SCHEDULE_OVERLEG: PARTICIPATION_REASON_REQUIRED iff youth or parents is neither a participant nor not invited with a reason; the guard agrees', () => {
    const planning = driveTo('planning_overleg');
    const participantsArb = fc.subarray(['youth', 'parents'] as const).map((roles): Participant[] => [
      ...roles.map((role) => ({ role })), professional,
    ]);
    const notInvitedArb = fc.option(
      fc.array(
        fc.record({ role: fc.constantFrom('youth', 'parents'), reason: ruleText })
          .map(({ role, reason }) => notInvited(role, reason)),
        { maxLength: 2 },
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(participantsArb, notInvitedArb, (participants, absent) => {
        const event = schedule(participants, absent);
        const ok = (['youth', 'parents'] as const).every(
          (role) => participants.some((p) => p.role === role) ||
            (absent ?? []).some((n) => n.role === role && !unexplained(n.reason)),
        );
        expect(ruleViolation(event)).toBe(ok ? undefined : 'PARTICIPATION_REASON_REQUIRED');
        expect(participationRecorded(event)).toBe(ok);
        expect(step(REFERRAL_MACHINE_VERSION, planning, stamp({ ...event, scheduledAt: AT }))).toMatchObject(ok
          ? { outcome: 'applied', state: 'overleg_scheduled' }
          : { outcome: 'rule_broken', code: 'PARTICIPATION_REASON_REQUIRED' });
      }),
      { numRuns: 300 },
    );
  });

  it('RECORD_OVERLEG: PARTICIPATION_REASON_REQUIRED iff someone is not_involved without a reason; the guard agrees', () => {
    const scheduled = driveTo('overleg_scheduled');
    const participationArb = fc
      .record({
        participation: fc.constantFrom('present', 'heard_beforehand', 'represented', 'not_involved'),
        reason: ruleText,
      })
      .map(({ participation, reason }): Participation => withOptional({ participation }, 'reason', reason));
    fc.assert(
      fc.property(participationArb, participationArb, (youth, parents) => {
        const event = record({ youth, parents });
        const ok = [youth, parents].every((p) => p.participation !== 'not_involved' || !unexplained(p.reason));
        expect(ruleViolation(event)).toBe(ok ? undefined : 'PARTICIPATION_REASON_REQUIRED');
        expect(step(REFERRAL_MACHINE_VERSION, scheduled, stamp({ ...event, heldAt: AT }))).toMatchObject(ok
          ? { outcome: 'applied', state: 'advising' }
          : { outcome: 'rule_broken', code: 'PARTICIPATION_REASON_REQUIRED' });
      }),
      { numRuns: 200 },
    );
  });
});
