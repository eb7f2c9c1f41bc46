/**
 * The IGJ rules the engine enforces, each with the stable code of DESIGN §3. They are pure
 * predicates: the statechart uses them as named guards, and the engine asks `ruleViolation` which
 * code to answer when a guard holds an event back.
 */
import type { CaseSubmission, EventOf, ReferralEvent } from './referral.schemas.ts';

export const RULE_CODES = [
  'CONSENT_REQUIRED',
  'PARTICIPATION_REASON_REQUIRED',
  'FIT_RATIONALE_REQUIRED',
  'FUNDER_REQUIRED',
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

const filled = (value: string | undefined): boolean =>
  value !== undefined && value.trim().length > 0;

/**
 * IGJ's first finding: child and parents take part as a matter of course. Scheduling needs each
 * of them invited, or a recorded reason why not; recording needs their participation, or a reason
 * why they were not involved.
 */
export function participationRecorded(
  event: EventOf<'SCHEDULE_OVERLEG'> | EventOf<'RECORD_OVERLEG'>,
): boolean {
  if (event.type === 'RECORD_OVERLEG') {
    return [event.youth, event.parents].every(
      (p) => p.participation !== 'not_involved' || filled(p.reason),
    );
  }
  return (['youth', 'parents'] as const).every(
    (role) =>
      event.participants.some((p) => p.role === role) ||
      (event.notInvited ?? []).some((n) => n.role === role && filled(n.reason)),
  );
}

/** IGJ: advise from the question, not from the supply; every help item says why it fits. */
export function fitRationaleGiven(event: EventOf<'ISSUE_ADVICE'>): boolean {
  return event.helpItems.every((item) => filled(item.fitRationale));
}

/** A custom arrangement (maatwerk) is only workable when somebody pays for it. */
export function customArrangementsFunded(event: EventOf<'ISSUE_ADVICE'>): boolean {
  return event.helpItems.every(
    (item) =>
      item.kind !== 'custom_arrangement' ||
      (item.financing ?? []).some((f) => filled(f.funder)),
  );
}

const amsterdamYear = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Amsterdam', year: 'numeric' });

/** Age at submission as DESIGN §3 counts it: the calendar year in Europe/Amsterdam minus birthYear. */
export function ageAtSubmission(birthYear: number, submittedAt: Date): number {
  return Number(amsterdamYear.format(submittedAt)) - birthYear;
}

/**
 * DOMAIN R9: under 12 the parents consent, 12 to 15 the youth and the parents, 16 and over the
 * youth. Without that consent a legal ground must be recorded.
 */
export function consentGiven(submission: CaseSubmission, submittedAt: Date): boolean {
  const age = ageAtSubmission(submission.subject.birthYear, submittedAt);
  const { youth, parents, legalGround } = submission.consent;
  const needed = age < 12 ? [parents] : age < 16 ? [youth, parents] : [youth];
  return needed.every((c) => c === 'given') || filled(legalGround);
}

/** The first rule the event breaks, in the order DESIGN §3 lists them; undefined when none. */
export function ruleViolation(event: ReferralEvent): RuleCode | undefined {
  switch (event.type) {
    case 'SCHEDULE_OVERLEG':
    case 'RECORD_OVERLEG':
      return participationRecorded(event) ? undefined : 'PARTICIPATION_REASON_REQUIRED';
    case 'ISSUE_ADVICE':
      if (!fitRationaleGiven(event)) return 'FIT_RATIONALE_REQUIRED';
      return customArrangementsFunded(event) ? undefined : 'FUNDER_REQUIRED';
    default:
      return undefined;
  }
}
