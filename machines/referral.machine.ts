/**
 * The referral lifecycle of a regional expert team as an XState v5 statechart (DESIGN §3).
 *
 * Pure: no I/O and no clock. The engine hands the machine its environment with every step
 * (`context.env`: the time and the region's current settings) and stamps every event with its
 * time (`at`) before it steps the machine with XState's pure `transition`.
 *
 * Shape: `open` holds every state a case can be withdrawn from. `intake` (submitted, triage,
 * awaiting_information) carries the triage deadline; `working` (planning_overleg to follow_up)
 * the later ones; `assessing` and `working` can be escalated. `closed` is not final, so a note
 * can still be added to a closed case.
 *
 * Deadlines: entering a phase arms its deadline with a delayed `raise` of DEADLINE_PASSED (id =
 * the deadline's name); leaving the phase cancels it. XState's pure `transition` returns these as
 * `xstate.raise` (with `delay`) and `xstate.cancel` actions; the engine stores them as durable
 * timers and delivers a due one back as an event. A passed deadline marks the case overdue and
 * never changes the lifecycle state.
 */
import { and, assign, enqueueActions, setup, type SnapshotFrom } from 'xstate';
import { dueAfter, type DeadlineName } from './referral.deadlines.ts';
import {
  customArrangementsFunded,
  fitRationaleGiven,
  participationRecorded,
} from './referral.rules.ts';
import type {
  DeadlineMap, ListField, ReferralContext, ReferralInput, SingleField, StampedEvent,
} from './referral.types.ts';

export * from './referral.types.ts';

/** Bump on any change to states, transitions or context shape; every case keeps the version it was created with. */
export const REFERRAL_MACHINE_VERSION = '2.0.0';

const append = (to: ListField) => ({ type: 'append', params: { to } }) as const;
const keep = (as: SingleField) => ({ type: 'keep', params: { as } }) as const;
const arm = (deadline: DeadlineName) => ({ type: 'arm', params: { deadline } }) as const;
const disarm = (deadline: DeadlineName) => ({ type: 'disarm', params: { deadline } }) as const;

const without = (map: DeadlineMap, name: DeadlineName): DeadlineMap => {
  const { [name]: _gone, ...rest } = map;
  return rest;
};

function durationOf(deadline: DeadlineName, context: ReferralContext): string {
  const settings = context.env.deadlines;
  if (deadline === 'triage' && context.record.submission.urgency === 'urgent') {
    return settings.triageUrgent;
  }
  return settings[deadline];
}

export const referralMachine = setup({
  types: {} as {
    context: ReferralContext;
    events: StampedEvent;
    input: ReferralInput;
  },
  guards: {
    participationRecorded: ({ context, event }) =>
      (event.type === 'SCHEDULE_OVERLEG' || event.type === 'RECORD_OVERLEG') &&
      participationRecorded(event, context.record.submission),
    fitRationaleGiven: ({ event }) => event.type === 'ISSUE_ADVICE' && fitRationaleGiven(event),
    customArrangementsFunded: ({ event }) =>
      event.type === 'ISSUE_ADVICE' && customArrangementsFunded(event),
    waitExceedsThreshold: ({ context, event }) =>
      event.type === 'ISSUE_ADVICE' &&
      event.helpItems.some((item) => item.waitingWeeks > context.env.bridgingThresholdWeeks),
    helpStarted: ({ event }) => event.type === 'REPORT_PROGRESS' && event.helpStarted,
    /**
     * Only a deadline that is open with this due time, and has not passed yet, can pass; a stale
     * or repeated timer changes nothing.
     */
    deadlineOpen: ({ context, event }) =>
      event.type === 'DEADLINE_PASSED' && context.deadlines[event.deadline] === event.dueAt &&
      context.overdue[event.deadline] === undefined,
  },
  actions: {
    append: assign(({ context, event }, { to }: { to: ListField }) => ({
      record: { ...context.record, [to]: [...context.record[to], event] },
    })),
    keep: assign(({ context, event }, { as }: { as: SingleField }) => ({
      record: { ...context.record, [as]: event },
    })),
    arm: enqueueActions(({ context, enqueue }, { deadline }: { deadline: DeadlineName }) => {
      const dueAt = dueAfter(context.env.now, durationOf(deadline, context));
      enqueue.assign({ deadlines: { ...context.deadlines, [deadline]: dueAt } });
      enqueue.raise(
        { type: 'DEADLINE_PASSED', deadline, dueAt, at: dueAt },
        { id: deadline, delay: Date.parse(dueAt) - Date.parse(context.env.now) },
      );
    }),
    disarm: enqueueActions(({ context, enqueue }, { deadline }: { deadline: DeadlineName }) => {
      enqueue.cancel(deadline);
      enqueue.assign({
        deadlines: without(context.deadlines, deadline),
        overdue: without(context.overdue, deadline),
      });
    }),
    markOverdue: assign(({ context, event }) =>
      event.type === 'DEADLINE_PASSED'
        ? { overdue: { ...context.overdue, [event.deadline]: event.dueAt } }
        : {}),
  },
}).createMachine({
  id: 'referral',
  version: REFERRAL_MACHINE_VERSION,
  context: ({ input }) => ({
    env: input.env,
    deadlines: {},
    overdue: {},
    record: {
      submission: input.submission,
      submittedAt: input.env.now,
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
      consentUpdates: [],
      schoolUpdates: [],
    },
  }),
  initial: 'open',
  on: {
    ADD_NOTE: { actions: append('notes') },
    DEADLINE_PASSED: { guard: 'deadlineOpen', actions: 'markOverdue' },
  },
  states: {
    open: {
      initial: 'intake',
      on: {
        WITHDRAW: { target: 'closed', actions: keep('closure') },
        // Consent and school can change in any open phase (§5.1); neither moves the case.
        UPDATE_CONSENT: { actions: append('consentUpdates') },
        UPDATE_SCHOOL: { actions: append('schoolUpdates') },
      },
      states: {
        intake: {
          entry: arm('triage'),
          exit: disarm('triage'),
          initial: 'submitted',
          states: {
            submitted: {
              on: { START_TRIAGE: { target: 'assessing', actions: keep('triageStart') } },
            },
            assessing: {
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
                    ACCEPT: {
                      target: '#referral.open.working.planning_overleg',
                      actions: keep('triageDecision'),
                    },
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
              },
            },
          },
        },
        working: {
          initial: 'planning_overleg',
          on: {
            ESCALATE: { target: '#referral.closed', actions: keep('closure') },
          },
          states: {
            planning_overleg: {
              entry: arm('overleg'),
              exit: disarm('overleg'),
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
                    target: 'advised.bridging',
                    actions: append('advices'),
                  },
                  {
                    guard: and(['fitRationaleGiven', 'customArrangementsFunded']),
                    target: 'advised.follow_up',
                    actions: append('advices'),
                  },
                ],
              },
            },
            advised: {
              // Help not started this long after the advice: due for reassessment (DOMAIN R3).
              entry: arm('reassessment'),
              exit: disarm('reassessment'),
              initial: 'follow_up',
              states: {
                bridging: {
                  on: {
                    SET_BRIDGING_PLAN: { target: 'follow_up', actions: append('bridgingPlans') },
                  },
                },
                follow_up: {
                  entry: arm('checkpoint'),
                  exit: disarm('checkpoint'),
                  on: {
                    // No target: a new plan or a progress report does not re-enter follow-up.
                    SET_BRIDGING_PLAN: { actions: append('bridgingPlans') },
                    // A report meets the current checkpoint and starts the next one.
                    REPORT_PROGRESS: [
                      {
                        guard: 'helpStarted',
                        actions: [append('progressReports'), disarm('reassessment'),
                          disarm('checkpoint'), arm('checkpoint')],
                      },
                      {
                        actions: [append('progressReports'), disarm('checkpoint'), arm('checkpoint')],
                      },
                    ],
                    REQUEST_REASSESSMENT: {
                      target: '#referral.open.working.planning_overleg',
                      actions: append('reassessments'),
                    },
                    CLOSE: { target: '#referral.closed', actions: keep('closure') },
                  },
                },
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
