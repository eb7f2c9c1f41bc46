/**
 * The referral lifecycle of a regional expert team as an XState v5 statechart (DESIGN §3).
 *
 * Pure: no I/O and no clock. The engine stamps every event with its time (`at`) before it steps
 * the machine with XState's `transition`, and gives the region's settings as input at submission.
 *
 * Shape: `open` holds every state a case can be withdrawn from; inside it `engaged` holds the
 * states from triage to follow-up, which can be escalated. `closed` is not final, so a note can
 * still be added to a closed case.
 */
import { and, assign, setup, type SnapshotFrom, type StateValue } from 'xstate';
import {
  customArrangementsFunded,
  fitRationaleGiven,
  participationRecorded,
} from './referral.rules.ts';
import type { CaseSubmission, EventOf, ReferralEvent } from './referral.schemas.ts';

/** Bump on any change to states, transitions or context shape; every case keeps the version it was created with. */
export const REFERRAL_MACHINE_VERSION = '1.0.0';

export const LIFECYCLE_STATES = [
  'submitted', 'triage', 'awaiting_information', 'planning_overleg', 'overleg_scheduled',
  'advising', 'bridging', 'follow_up', 'closed',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** An event as the machine sees it: the validated payload plus the time the engine received it. */
export type StampedEvent = ReferralEvent & { at: string };
type Stamped<T extends ReferralEvent['type']> = EventOf<T> & { at: string };

export interface ReferralInput {
  submission: CaseSubmission;
  submittedAt: string;
  /** A help item waiting longer than this many weeks needs a bridging plan first. */
  bridgingThresholdWeeks: number;
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
}

export interface ReferralContext {
  bridgingThresholdWeeks: number;
  record: CaseRecord;
}

type ListField = {
  [K in keyof CaseRecord]: CaseRecord[K] extends unknown[] ? K : never;
}[keyof CaseRecord];
type SingleField = 'triageStart' | 'triageDecision' | 'closure';

const append = (to: ListField) => ({ type: 'append', params: { to } }) as const;
const keep = (as: SingleField) => ({ type: 'keep', params: { as } }) as const;

export const referralMachine = setup({
  types: {} as {
    context: ReferralContext;
    events: StampedEvent;
    input: ReferralInput;
  },
  guards: {
    participationRecorded: ({ event }) =>
      (event.type === 'SCHEDULE_OVERLEG' || event.type === 'RECORD_OVERLEG') &&
      participationRecorded(event),
    fitRationaleGiven: ({ event }) => event.type === 'ISSUE_ADVICE' && fitRationaleGiven(event),
    customArrangementsFunded: ({ event }) =>
      event.type === 'ISSUE_ADVICE' && customArrangementsFunded(event),
    waitExceedsThreshold: ({ context, event }) =>
      event.type === 'ISSUE_ADVICE' &&
      event.helpItems.some((item) => item.waitingWeeks > context.bridgingThresholdWeeks),
  },
  actions: {
    append: assign(({ context, event }, { to }: { to: ListField }) => ({
      record: { ...context.record, [to]: [...context.record[to], event] },
    })),
    keep: assign(({ context, event }, { as }: { as: SingleField }) => ({
      record: { ...context.record, [as]: event },
    })),
  },
}).createMachine({
  id: 'referral',
  version: REFERRAL_MACHINE_VERSION,
  context: ({ input }) => ({
    bridgingThresholdWeeks: input.bridgingThresholdWeeks,
    record: {
      submission: input.submission,
      submittedAt: input.submittedAt,
      triageStart: null,
      informationRequests: [],
      informationAnswers: [],
      triageDecision: null,
      overlegSchedules: [],
      overlegRecords: [],
      advices: [],
      bridgingPlans: [],
      progressReports: [],
      reassessments: [],
      closure: null,
      notes: [],
    },
  }),
  initial: 'open',
  on: {
    ADD_NOTE: { actions: append('notes') },
  },
  states: {
    open: {
      initial: 'submitted',
      on: {
        WITHDRAW: { target: 'closed', actions: keep('closure') },
      },
      states: {
        submitted: {
          on: { START_TRIAGE: { target: 'engaged', actions: keep('triageStart') } },
        },
        engaged: {
          initial: 'triage',
          on: {
            ESCALATE: { target: '#referral.closed', actions: keep('closure') },
          },
          states: {
            triage: {
              on: {
                REQUEST_INFORMATION: {
                  target: 'awaiting_information',
                  actions: append('informationRequests'),
                },
                ACCEPT: { target: 'planning_overleg', actions: keep('triageDecision') },
                DECLINE: {
                  target: '#referral.closed',
                  actions: [keep('triageDecision'), keep('closure')],
                },
                CONSULT: {
                  target: '#referral.closed',
                  actions: [keep('triageDecision'), keep('closure')],
                },
              },
            },
            awaiting_information: {
              on: {
                PROVIDE_INFORMATION: { target: 'triage', actions: append('informationAnswers') },
              },
            },
            planning_overleg: {
              on: {
                SCHEDULE_OVERLEG: {
                  guard: 'participationRecorded',
                  target: 'overleg_scheduled',
                  actions: append('overlegSchedules'),
                },
              },
            },
            overleg_scheduled: {
              on: {
                RECORD_OVERLEG: {
                  guard: 'participationRecorded',
                  target: 'advising',
                  actions: append('overlegRecords'),
                },
              },
            },
            advising: {
              on: {
                ISSUE_ADVICE: [
                  {
                    guard: and(['fitRationaleGiven', 'customArrangementsFunded', 'waitExceedsThreshold']),
                    target: 'bridging',
                    actions: append('advices'),
                  },
                  {
                    guard: and(['fitRationaleGiven', 'customArrangementsFunded']),
                    target: 'follow_up',
                    actions: append('advices'),
                  },
                ],
              },
            },
            bridging: {
              on: {
                SET_BRIDGING_PLAN: { target: 'follow_up', actions: append('bridgingPlans') },
              },
            },
            follow_up: {
              on: {
                // No target: a new plan or a progress report does not re-enter follow-up.
                SET_BRIDGING_PLAN: { actions: append('bridgingPlans') },
                REPORT_PROGRESS: { actions: append('progressReports') },
                REQUEST_REASSESSMENT: {
                  target: 'planning_overleg',
                  actions: append('reassessments'),
                },
                CLOSE: { target: '#referral.closed', actions: keep('closure') },
              },
            },
          },
        },
      },
    },
    closed: {},
  },
});

export type ReferralMachine = typeof referralMachine;
export type ReferralSnapshot = SnapshotFrom<ReferralMachine>;

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
