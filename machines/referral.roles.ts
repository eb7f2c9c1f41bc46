/**
 * Who may send which event (DESIGN §3). Inspectors, admins and municipalities send none: they are read-only or
 * never see case content at all.
 */
import { consentHeld, WHILE_CONSENT_FAILS } from './referral.rules.ts';
import { EVENT_TYPES, type EventType, type Role } from './referral.schemas.ts';
import type { CaseRecord } from './referral.types.ts';

const LOCAL_TEAM_EVENTS: readonly EventType[] = [
  'PROVIDE_INFORMATION', 'REPORT_PROGRESS', 'REQUEST_REASSESSMENT', 'WITHDRAW', 'ADD_NOTE',
  'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'UPDATE_HELP_ITEM', 'UPDATE_COMMITMENT',
];
// The expert team sends every event; PROVIDE_INFORMATION only where no local team referred the
// case (a parent or a youth came to it directly, §5.1): see mayAnswerFor.
const EXPERT_TEAM_EVENTS: readonly EventType[] = EVENT_TYPES;

export const EVENTS_BY_ROLE: Readonly<Record<Role, ReadonlySet<EventType>>> = {
  local_team: new Set(LOCAL_TEAM_EVENTS),
  expert_team: new Set(EXPERT_TEAM_EVENTS),
  inspector: new Set(),
  admin: new Set(),
  // The municipality reads suppressed figures of its own municipality, never a case (§6.4).
  municipality: new Set(),
  // A provider (§6.4) reports the waiting times of its own offers and reads no case.
  provider: new Set(),
};

export function maySend(role: Role, type: EventType): boolean {
  return EVENTS_BY_ROLE[role].has(type);
}

/**
 * Who answers a question to the referrer: the local team that referred the case, or the expert
 * team when a parent or a youth referred it themselves (§5.1).
 */
export function mayAnswerFor(role: Role, record: Pick<CaseRecord, 'submission'>): boolean {
  return role === 'local_team' || record.submission.referrer.kind !== 'professional';
}

/** Whether this role may send this type on this case: the role's list, and who answers questions. */
export function maySendOn(role: Role, type: EventType, record: Pick<CaseRecord, 'submission'>): boolean {
  return maySend(role, type) && (type !== 'PROVIDE_INFORMATION' || mayAnswerFor(role, record));
}

/**
 * Of the event types a state accepts, those this role may send on this case now: a case view's
 * allowedEvents. While consent fails (§5.1) only the events that mend, end or note go through; a
 * commitment is settled only while one is open (§6.1).
 */
export function allowedFor(
  role: Role, accepted: readonly EventType[], record: CaseRecord, at: string,
): EventType[] {
  const held = consentHeld(record, at);
  return accepted.filter((type) =>
    maySendOn(role, type, record) && (!held || WHILE_CONSENT_FAILS.has(type)) &&
    (type !== 'UPDATE_COMMITMENT' || record.commitments.some((c) => c.status === 'open')));
}

/** Roles that may submit a case: the local team, and the expert team on behalf of a parent or youth. */
export const SUBMITTING_ROLES: ReadonlySet<Role> = new Set(['local_team', 'expert_team']);
