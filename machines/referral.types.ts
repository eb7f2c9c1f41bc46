/**
 * The types of a referral as the statechart sees it: its lifecycle states (and how to read one
 * off a state value), the stamped events it takes, its input and the record a case holds. Apart
 * from the machine (referral.machine.ts, which re-exports them) so the chart reads on its own.
 */
import type { StateValue } from 'xstate';
import type { DeadlineName, ReferralEnv } from './referral.deadlines.ts';
import type { CaseSubmission, EventOf, ReferralEvent } from './referral.schemas.ts';

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

/** An event as the machine sees it: the validated payload plus the time the engine received it. */
export type StampedEvent = (ReferralEvent & { at: string }) | DeadlinePassedEvent;
export type Stamped<T extends ReferralEvent['type']> = EventOf<T> & { at: string };

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
  closure: Stamped<'ESCALATE' | 'WITHDRAW' | 'CLOSE' | 'DECLINE' | 'CONSULT'> | null;
  notes: Stamped<'ADD_NOTE'>[];
  /** Consent changed or withdrawn since the submission (§5.1); see currentConsent. */
  consentUpdates: Stamped<'UPDATE_CONSENT'>[];
  /** The school status since the submission; the latest one counts. */
  schoolUpdates: Stamped<'UPDATE_SCHOOL'>[];
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

/** The lifecycle state of DESIGN §3: the innermost active state of the `open`/`closed` chart. */
export function lifecycleState(value: StateValue): LifecycleState {
  let current: StateValue = value;
  while (typeof current !== 'string') {
    const [child] = Object.values(current);
    if (child === undefined) throw new Error('empty state value');
    current = child;
  }
  return current as LifecycleState;
}
