/**
 * The types of a referral as the statechart sees it: its lifecycle states (and how to read one
 * off a state value), the stamped events it takes, its input and the record a case holds. Apart
 * from the machine (referral.machine.ts, which re-exports them) so the chart reads on its own.
 */
import type { StateValue } from 'xstate';
import type { DeadlineName, ReferralEnv } from './referral.deadlines.ts';
import type {
  CaseSubmission, EventOf, HelpItem, HelpItemStatus, ReferralEvent,
} from './referral.schemas.ts';

export const LIFECYCLE_STATES = [
  'submitted', 'triage', 'awaiting_information', 'planning_overleg', 'overleg_scheduled',
  'advising', 'bridging', 'follow_up', 'closed',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** Raised by the machine itself, delayed, when a deadline's phase is entered. */
export interface DeadlinePassedEvent {
  type: 'DEADLINE_PASSED';
  deadline: DeadlineName;
  dueAt: string;
  at: string;
}

/** A help item as advised, with the id the engine gave it (§5.2). */
export type AdvisedHelpItem = HelpItem & { id: string };

/**
 * An event as the machine sees it: the validated payload plus the time the engine received it,
 * and for an advice the ids of its help items (the engine draws them; the machine stays pure).
 */
type StampedClientEvent = {
  [K in ReferralEvent['type']]: K extends 'ISSUE_ADVICE'
    ? Omit<EventOf<K>, 'helpItems'> & { helpItems: AdvisedHelpItem[]; at: string }
    : EventOf<K> & { at: string };
}[ReferralEvent['type']];
export type StampedEvent = StampedClientEvent | DeadlinePassedEvent;
export type Stamped<T extends ReferralEvent['type']> = Extract<StampedClientEvent, { type: T }>;

/** One change of a help item's status, as its history keeps it. */
export interface HelpItemChange {
  status: HelpItemStatus;
  /** The day of the change as reported (for `advised`: the day of the advice). */
  date: string;
  /** When it was recorded. */
  at: string;
  reason?: string | undefined;
  decision?: { date: string; by: string } | undefined;
}

/** A help item of the current advice, followed until its help has started (§5.2). */
export interface HelpItemState {
  id: string;
  kind: HelpItem['kind'];
  description: string;
  responsibleOrganisation: string;
  waitingWeeks: number;
  waitingWeeksSource: HelpItem['waitingWeeksSource'];
  status: HelpItemStatus;
  statusSince: string;
  history: HelpItemChange[];
}

export interface ReferralInput {
  submission: CaseSubmission;
  env: ReferralEnv;
}

/** What the case holds: the submission and every decision since, as stamped events. */
export interface CaseRecord {
  submission: CaseSubmission;
  submittedAt: string;
  triageStart: Stamped<'START_TRIAGE'> | null;
  informationRequests: Stamped<'REQUEST_INFORMATION'>[];
  informationAnswers: Stamped<'PROVIDE_INFORMATION'>[];
  triageDecision: Stamped<'ACCEPT' | 'DECLINE' | 'CONSULT'> | null;
  overlegSchedules: Stamped<'SCHEDULE_OVERLEG'>[];
  overlegRecords: Stamped<'RECORD_OVERLEG'>[];
  advices: Stamped<'ISSUE_ADVICE'>[];
  bridgingPlans: Stamped<'SET_BRIDGING_PLAN'>[];
  progressReports: Stamped<'REPORT_PROGRESS'>[];
  reassessments: Stamped<'REQUEST_REASSESSMENT'>[];
  /** How the case closed; ESCALATE only for cases of machine 1.0.0, where an escalation closed the case. */
  closure: Stamped<'ESCALATE' | 'WITHDRAW' | 'CLOSE' | 'DECLINE' | 'CONSULT'> | null;
  notes: Stamped<'ADD_NOTE'>[];
  /** Consent changed or withdrawn since the submission (§5.1); see currentConsent. */
  consentUpdates: Stamped<'UPDATE_CONSENT'>[];
  /** The school status since the submission; the latest one counts. */
  schoolUpdates: Stamped<'UPDATE_SCHOOL'>[];
  /** The help items of the latest advice with their status (§5.2). */
  helpItems: HelpItemState[];
  helpItemUpdates: Stamped<'UPDATE_HELP_ITEM'>[];
  /** Escalations (§5.3): the case stays in its phase while one is open. */
  escalations: Stamped<'ESCALATE'>[];
  escalationOutcomes: Stamped<'RECORD_ESCALATION_OUTCOME'>[];
}

export type DeadlineMap = Partial<Record<DeadlineName, string>>;

export interface ReferralContext {
  env: ReferralEnv;
  record: CaseRecord;
  /** Open deadlines: name → due time. */
  deadlines: DeadlineMap;
  /** Open deadlines that have passed: name → due time. */
  overdue: DeadlineMap;
}

export type ListField = {
  [K in keyof CaseRecord]: CaseRecord[K] extends unknown[] ? K : never;
}[keyof CaseRecord];
export type SingleField = 'triageStart' | 'triageDecision' | 'closure';

/**
 * The lifecycle state of DESIGN §3: the innermost active state of the `open`/`closed` chart,
 * following the `phase` region where `open` is parallel (machine 2.0.0: phase and escalation).
 */
export function lifecycleState(value: StateValue): LifecycleState {
  let current: StateValue = value;
  while (typeof current !== 'string') {
    const child = 'phase' in current ? current.phase : Object.values(current)[0];
    if (child === undefined) throw new Error('empty state value');
    current = child;
  }
  return current as LifecycleState;
}
