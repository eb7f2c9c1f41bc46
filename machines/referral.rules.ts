/**
 * The IGJ rules and the legal checks the engine enforces, each with the stable code of DESIGN §3
 * and §5. They are pure predicates (the day is always an argument). They are checked in one
 * place, before the step (`ruleBroken` in referral.ts): the statechart repeats none of them.
 */
import { agesInRange, consentPartiesFor, MAX_BEN_AGE, possibleAges } from './referral.age.ts';
import {
  HELP_ITEM_NEXT,
  needsGuardianOrganisation,
  type CaseSubmission,
  type EventOf,
  type LegalGround,
  type Reason,
  type ReferralEvent,
} from './referral.schemas.ts';
import { explains, saysSomething } from './referral.text.ts';
import type { CaseRecord } from './referral.types.ts';
import { calendarDay } from './referral.dates.ts';

export const RULE_CODES = [
  'CONSENT_REQUIRED',
  'PARTICIPATION_REASON_REQUIRED',
  'FIT_RATIONALE_REQUIRED',
  'FUNDER_REQUIRED',
  'AGE_OUT_OF_RANGE',
  'UNKNOWN_MUNICIPALITY',
  'MUNICIPALITY_NOT_IN_REGION',
  'DATE_ORDER',
  'UNKNOWN_HELP_ITEM',
  'REASON_REQUIRED',
  'HELP_ITEM_STATUS_ORDER',
  'HELP_NOT_STARTED',
  'FOLLOW_UP_REQUIRED',
  'ESCALATION_OPEN',
  'COMMITMENT_OPEN',
  'UNKNOWN_COMMITMENT',
  'COMMITMENT_SETTLED',
  'UNKNOWN_OFFER',
  'WAITING_TIME_UNKNOWN',
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

const filled = (value: string | undefined): boolean =>
  value !== undefined && saysSomething(value);

/** A reason counts when it has a code other than `other`, or an explanation that explains (§5.1). */
export function reasonGiven(reason: Reason | undefined): boolean {
  return reason !== undefined && (reason.code !== 'other' || explains(reason.explanation));
}

/** A legal ground counts only with an explanation that explains something (§5.1). */
export function legalGroundGiven(ground: LegalGround | undefined): boolean {
  return ground !== undefined && explains(ground.explanation);
}

/**
 * IGJ's first finding: child and parents take part as a matter of course. Scheduling needs each
 * of them invited, or a recorded reason why not; recording needs their participation, or a reason
 * why they were not involved.
 */
export function participationRecorded(
  event: EventOf<'SCHEDULE_OVERLEG'> | EventOf<'RECORD_OVERLEG'>,
  submission?: Pick<CaseSubmission, 'subject'>,
): boolean {
  if (event.type === 'RECORD_OVERLEG') {
    return [event.youth, event.parents].every(
      (p) => p.participation !== 'not_involved' || reasonGiven(p.reason),
    );
  }
  // With a guardian or a protection measure, the certified institution (GI) is at the table too.
  const roles = submission && needsGuardianOrganisation(submission.subject)
    ? (['youth', 'parents', 'guardian'] as const)
    : (['youth', 'parents'] as const);
  return roles.every(
    (role) =>
      event.participants.some((p) => p.role === role) ||
      (event.notInvited ?? []).some((n) => n.role === role && reasonGiven(n.reason)),
  );
}

/** IGJ: advise from the question, not from the supply; every help item says why it fits. */
export function fitRationaleGiven(event: EventOf<'ISSUE_ADVICE'>): boolean {
  return event.helpItems.every((item) => explains(item.fitRationale));
}

/** A custom arrangement (maatwerk) is only workable when somebody pays for it. */
export function customArrangementsFunded(event: EventOf<'ISSUE_ADVICE'>): boolean {
  return event.helpItems.every(
    (item) =>
      item.kind !== 'custom_arrangement' ||
      (item.financing ?? []).some((f) => filled(f.funder)),
  );
}

/** The consent as it stands now: the submission's, changed by every UPDATE_CONSENT since. */
export function currentConsent(record: Pick<CaseRecord, 'submission' | 'consentUpdates'>): CaseSubmission['consent'] {
  let consent = record.submission.consent;
  for (const { youth, parents, legalGround } of record.consentUpdates ?? []) {
    consent = {
      youth: youth ?? consent.youth,
      parents: parents ?? consent.parents,
      legalGround: legalGround ?? consent.legalGround,
    };
  }
  return consent;
}

/**
 * DOMAIN R9 for every age the youth may have on `at`: under 12 the parents (or guardian), 12 to
 * 15 the youth and the parents, 16 and over the youth. Without that consent a legal ground must
 * be recorded.
 */
export function consentHolds(
  consent: CaseSubmission['consent'], subject: CaseSubmission['subject'], at: Date | string,
): boolean {
  const needed = consentPartiesFor(possibleAges(subject, at));
  return needed.every((party) => consent[party] === 'given') || legalGroundGiven(consent.legalGround);
}

/** The subject's possible ages on `at` are within 0–22, and 18+ only with extended care. */
export function ageInRange(subject: CaseSubmission['subject'], at: Date | string): boolean {
  return agesInRange(possibleAges(subject, at), subject.extendedCare === true);
}

/** Events a case takes while consent fails: the ones that mend it, end it, or only note (§5.1). */
export const WHILE_CONSENT_FAILS: ReadonlySet<string> = new Set(['UPDATE_CONSENT', 'WITHDRAW', 'ADD_NOTE', 'ASSIGN']);

/** Whether the case is held: consent fails for the youth's ages on `at` and no legal ground. */
export function consentHeld(record: Pick<CaseRecord, 'submission' | 'consentUpdates'>, at: string): boolean {
  return !consentHolds(currentConsent(record), record.submission.subject, at);
}

export interface DateOrderBreach {
  field: string;
  reason: string;
}

/**
 * Dates in order (§5.1), as calendar days in Europe/Amsterdam: nothing that happened may lie in
 * the future, an overleg is not planned before the case was accepted, nor held before its planned
 * day, and a review is not set in the past.
 */
export function dateOrderBreach(event: ReferralEvent & { at: string }, record?: CaseRecord): DateOrderBreach | undefined {
  const today = calendarDay(event.at);
  switch (event.type) {
    case 'UPDATE_SCHOOL':
      return schoolDateBreach(event, event.at, 'notAttendingSince');
    case 'SCHEDULE_OVERLEG': {
      const accepted = record?.triageDecision?.type === 'ACCEPT' ? calendarDay(record.triageDecision.at) : undefined;
      return accepted && calendarDay(event.scheduledAt) < accepted
        ? { field: 'scheduledAt', reason: `must not be before the day the case was accepted (${accepted})` }
        : undefined;
    }
    case 'RECORD_OVERLEG': {
      const held = calendarDay(event.heldAt);
      const planned = record?.overlegSchedules.at(-1)?.scheduledAt;
      if (held > today) return { field: 'heldAt', reason: `must not be after today (${today})` };
      return planned && held < calendarDay(planned)
        ? { field: 'heldAt', reason: `must not be before the planned day (${calendarDay(planned)})` }
        : undefined;
    }
    case 'UPDATE_HELP_ITEM': {
      const advised = record?.advices.at(-1);
      if (event.date > today) return { field: 'date', reason: `must not be after today (${today})` };
      return advised && event.date < calendarDay(advised.at)
        ? { field: 'date', reason: `must not be before the day of the advice (${calendarDay(advised.at)})` }
        : undefined;
    }
    case 'SET_BRIDGING_PLAN':
      return calendarDay(event.reviewAt) < today
        ? { field: 'reviewAt', reason: `must not be before today (${today})` }
        : undefined;
    default:
      return undefined;
  }
}

/** A school status whose `notAttendingSince` lies after today. */
export function schoolDateBreach(
  school: { notAttendingSince?: string | undefined }, at: string, field: string,
): DateOrderBreach | undefined {
  const today = calendarDay(at);
  return school.notAttendingSince !== undefined && school.notAttendingSince > today
    ? { field, reason: `must not be after today (${today})` }
    : undefined;
}

/**
 * The first rule the event breaks, in the order DESIGN §3 and §5 list them; undefined when none.
 * `at`: the day the event is sent (for the ages an escalation to a BEN may have).
 */
export function ruleViolation(event: ReferralEvent, record?: CaseRecord, at?: string): RuleCode | undefined {
  switch (event.type) {
    case 'SCHEDULE_OVERLEG':
    case 'RECORD_OVERLEG':
      return participationRecorded(event, record?.submission) ? undefined : 'PARTICIPATION_REASON_REQUIRED';
    case 'ISSUE_ADVICE':
      if (!fitRationaleGiven(event)) return 'FIT_RATIONALE_REQUIRED';
      return customArrangementsFunded(event) ? undefined : 'FUNDER_REQUIRED';
    case 'UPDATE_HELP_ITEM':
      return record ? helpItemBreach(event, record) : undefined;
    case 'CLOSE':
      return record ? closeBreach(event, record) : undefined;
    case 'ESCALATE':
      return record && at && event.to === 'ben' && !benAgeAllowed(record.submission.subject, at)
        ? 'AGE_OUT_OF_RANGE'
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Every rule of `ruleViolation` the event breaks, in the same order (its first is
 * `ruleViolation`'s): an advice can lack a fit rationale and a funder at once.
 */
export function ruleViolations(event: ReferralEvent, record?: CaseRecord, at?: string): RuleCode[] {
  if (event.type === 'ISSUE_ADVICE') {
    return [
      ...(fitRationaleGiven(event) ? [] : ['FIT_RATIONALE_REQUIRED' as const]),
      ...(customArrangementsFunded(event) ? [] : ['FUNDER_REQUIRED' as const]),
    ];
  }
  const code = ruleViolation(event, record, at);
  return code === undefined ? [] : [code];
}

/** §5.2: the item is one of the advice's, a reason where one is asked, and a status that follows. */
export function helpItemBreach(event: EventOf<'UPDATE_HELP_ITEM'>, record: CaseRecord): RuleCode | undefined {
  const item = record.helpItems.find((i) => i.id === event.itemId);
  if (!item) return 'UNKNOWN_HELP_ITEM';
  if ((event.status === 'not_started' || event.status === 'stopped') && !explains(event.reason)) {
    return 'REASON_REQUIRED';
  }
  return HELP_ITEM_NEXT[item.status].includes(event.status) ? undefined : 'HELP_ITEM_STATUS_ORDER';
}

/** Whether anything was reported on the help since the latest advice: a progress report or a help item update. */
export function followedUp(record: CaseRecord): boolean {
  const advised = record.advices.at(-1)?.at;
  if (advised === undefined) return true;
  return record.progressReports.some((r) => r.at >= advised) ||
    record.helpItemUpdates.some((u) => u.at >= advised);
}

/** Every help item of the latest advice has started (vacuously true for a case of machine 1.0.0). */
export function everyHelpStarted(record: CaseRecord): boolean {
  return record.helpItems.every((item) => item.status === 'started');
}

/** §5.2: a case is closed only after follow-up, and as help_in_place only when every item started. */
function closeBreach(event: EventOf<'CLOSE'>, record: CaseRecord): RuleCode | undefined {
  if (!followedUp(record)) return 'FOLLOW_UP_REQUIRED';
  return event.outcome === 'help_in_place' && !everyHelpStarted(record) ? 'HELP_NOT_STARTED' : undefined;
}

/** R11: a BEN takes youths up to 21; every possible age must be at most that. */
export function benAgeAllowed(subject: CaseSubmission['subject'], at: Date | string): boolean {
  return possibleAges(subject, at).every((age) => age <= MAX_BEN_AGE);
}

/**
 * §6.1: the free texts each event requires that must explain something (at least 10 characters
 * after trimming, letters among them), by event type. A path names a member of the event.
 */
export const EXPLAINING_TEXTS: Partial<Record<ReferralEvent['type'], readonly string[]>> = {
  ACCEPT: ['rationale'],
  DECLINE: ['reason', 'adviceToReferrer', 'escalationWithdrawn.reason'],
  CONSULT: ['advice', 'escalationWithdrawn.reason'],
  REQUEST_INFORMATION: ['question'],
  PROVIDE_INFORMATION: ['answer'],
  REQUEST_REASSESSMENT: ['reason'],
  WITHDRAW: ['reason'],
  ESCALATE: ['question', 'reason'],
  RECORD_OVERLEG: ['analysis'],
  ISSUE_ADVICE: ['summary'],
  CLOSE: ['escalationWithdrawn.reason'],
};

const TOO_SHORT = 'must explain: at least 10 characters, letters among them';

/**
 * The text at `path` and whether it is asked for: a top-level text always, a member of an optional
 * object (escalationWithdrawn.reason) when the object is given.
 */
function member(event: ReferralEvent, path: string): { asked: boolean; value: string | undefined } {
  const keys = path.split('.');
  let value: unknown = event;
  for (const [i, key] of keys.entries()) {
    if (value === null || typeof value !== 'object') return { asked: i === 0, value: undefined };
    value = (value as Record<string, unknown>)[key];
  }
  return { asked: true, value: typeof value === 'string' ? value : undefined };
}

/** The first required text of §6.1 that explains nothing, with the field named; undefined when none. */
export function unexplainedText(event: ReferralEvent): DateOrderBreach | undefined {
  return unexplainedTexts(event)[0];
}

/** Every required text of §6.1 that explains nothing, each with its field, in the order above. */
export function unexplainedTexts(event: ReferralEvent): DateOrderBreach[] {
  const found: DateOrderBreach[] = [];
  for (const path of EXPLAINING_TEXTS[event.type] ?? []) {
    const { asked, value } = member(event, path);
    if (asked && !explains(value)) found.push({ field: path, reason: TOO_SHORT });
  }
  if (event.type === 'CLOSE' && event.outcome !== 'help_in_place' && !explains(event.explanation)) {
    found.push({ field: 'explanation', reason: `${TOO_SHORT} (required with outcome ${event.outcome})` });
  }
  return found;
}

/**
 * The latest escalation, while no outcome has answered it (§5.3). The chart lets escalations and
 * outcomes only alternate, so it is open when there are more escalations than outcomes (counted,
 * not compared by time: two events can carry the same millisecond).
 */
export function openEscalation(record: Pick<CaseRecord, 'escalations' | 'escalationOutcomes'>):
  CaseRecord['escalations'][number] | undefined {
  return record.escalations.length > record.escalationOutcomes.length ? record.escalations.at(-1) : undefined;
}

/** Events that end a case by a decision of the team: each must leave nothing open (§6.1). */
const ENDING: ReadonlySet<string> = new Set(['CLOSE', 'DECLINE', 'CONSULT']);

/**
 * §6.1, no loose ends (machine 2.1.0): commitments due on a day not before today, settled once and
 * with a reason when not done; a case ends by a decision only with its escalation answered or
 * withdrawn and every commitment settled.
 */
export function looseEnd(event: ReferralEvent & { at?: string }, record: CaseRecord):
  { code: RuleCode; breach?: DateOrderBreach } | undefined {
  const today = event.at === undefined ? undefined : calendarDay(event.at);
  if ((event.type === 'RECORD_OVERLEG' || event.type === 'RECORD_ESCALATION_OUTCOME') && today) {
    const late = (event.commitments ?? []).findIndex((c) => c.dueAt < today);
    if (late >= 0) {
      return { code: 'DATE_ORDER', breach: { field: `commitments.${late}.dueAt`, reason: `must not be before today (${today})` } };
    }
  }
  if (event.type === 'UPDATE_COMMITMENT') {
    const commitment = record.commitments.find((c) => c.id === event.commitmentId);
    if (!commitment) return { code: 'UNKNOWN_COMMITMENT', breach: { field: 'commitmentId', reason: 'not a commitment of this case' } };
    if (commitment.status !== 'open') {
      return { code: 'COMMITMENT_SETTLED', breach: { field: 'commitmentId', reason: `already settled as ${commitment.status}` } };
    }
    if (event.status === 'not_done' && !explains(event.reason)) {
      return { code: 'REASON_REQUIRED', breach: { field: 'reason', reason: `${TOO_SHORT} (required with not_done)` } };
    }
    if (today && event.date > today) return { code: 'DATE_ORDER', breach: { field: 'date', reason: `must not be after today (${today})` } };
    if (event.date < calendarDay(commitment.madeAt)) {
      return { code: 'DATE_ORDER', breach: { field: 'date', reason: `must not be before the day it was made (${calendarDay(commitment.madeAt)})` } };
    }
  }
  if (ENDING.has(event.type)) {
    const withdrawn = (event as { escalationWithdrawn?: unknown }).escalationWithdrawn !== undefined;
    if (openEscalation(record) && !withdrawn) return { code: 'ESCALATION_OPEN' };
    if (record.commitments.some((c) => c.status === 'open')) return { code: 'COMMITMENT_OPEN' };
  }
  return undefined;
}
