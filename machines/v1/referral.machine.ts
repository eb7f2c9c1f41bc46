/**
 * The referral statechart of machine version 1.0.0, frozen: the first release created its cases
 * with it, and those cases are stepped by it to their end (DESIGN §5: pinned, not migrated). Only
 * its imports and types changed since: the rules it repeated as guards are checked before every
 * step (referral.ts), for every version alike, so the guards that repeated them are gone, and its
 * record is the 2.0.0 record without the fields 2.0.0 added. Do not change its states,
 * transitions or context: test/machine/pinned-1.0.0.test.ts steps real 1.0.0 cases through it.
 *
 * In 1.0.0 an escalation closes the case, a progress report with helpStarted meets the
 * reassessment deadline, and the help items carry no status.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { dueAfter } from '../referral.deadlines.ts';
import type {
  CaseRecord, DeadlineMap, ReferralInput, StampedEvent,
} from '../referral.types.ts';
import type { ReferralEnv } from '../referral.deadlines.ts';

export const MACHINE_VERSION_1 = '1.0.0';

type DeadlineV1 = 'triage' | 'overleg' | 'checkpoint' | 'reassessment';
/** The record of 1.0.0: the 2.0.0 record without what 2.0.0 added. */
export type CaseRecordV1 = Omit<CaseRecord,
  'consentUpdates' | 'schoolUpdates' | 'helpItems' | 'helpItemUpdates' | 'escalations' | 'escalationOutcomes' |
  'commitments' | 'commitmentUpdates' | 'regisseur'>;
interface ContextV1 {
  env: ReferralEnv;
  record: CaseRecordV1;
  deadlines: DeadlineMap;
  overdue: DeadlineMap;
}
type ListFieldV1 = {
  [K in keyof CaseRecordV1]: CaseRecordV1[K] extends unknown[] ? K : never;
}[keyof CaseRecordV1];
type SingleFieldV1 = 'triageStart' | 'triageDecision' | 'closure';

const append = (to: ListFieldV1) => ({ type: 'append', params: { to } }) as const;
const keep = (as: SingleFieldV1) => ({ type: 'keep', params: { as } }) as const;
const arm = (deadline: DeadlineV1) => ({ type: 'arm', params: { deadline } }) as const;
const disarm = (deadline: DeadlineV1) => ({ type: 'disarm', params: { deadline } }) as const;

const without = (map: DeadlineMap, name: DeadlineV1): DeadlineMap => {
  const { [name]: _gone, ...rest } = map;
  return rest;
};

function durationOf(deadline: DeadlineV1, context: ContextV1): string {
  const settings = context.env.deadlines;
  if (deadline === 'triage' && context.record.submission.urgency === 'urgent') {
    return settings.triageUrgent;
  }
  return settings[deadline];
}

export const referralMachineV1 = setup({
  types: {} as {
    context: ContextV1;
    events: StampedEvent;
    input: ReferralInput;
  },
  guards: {
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
    append: assign(({ context, event }, { to }: { to: ListFieldV1 }) => ({
      record: { ...context.record, [to]: [...context.record[to], event] },
    })),
    keep: assign(({ context, event }, { as }: { as: SingleFieldV1 }) => ({
      record: { ...context.record, [as]: event },
    })),
    arm: enqueueActions(({ context, enqueue }, { deadline }: { deadline: DeadlineV1 }) => {
      const dueAt = dueAfter(context.env.now, durationOf(deadline, context));
      enqueue.assign({ deadlines: { ...context.deadlines, [deadline]: dueAt } });
      enqueue.raise(
        { type: 'DEADLINE_PASSED', deadline, dueAt, at: dueAt },
        { id: deadline, delay: Date.parse(dueAt) - Date.parse(context.env.now) },
      );
    }),
    disarm: enqueueActions(({ context, enqueue }, { deadline }: { deadline: DeadlineV1 }) => {
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
  version: MACHINE_VERSION_1,
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
                  target: 'overleg_scheduled',
                  actions: append('overlegSchedules'),
                },
              },
            },
            overleg_scheduled: {
              on: {
                RECORD_OVERLEG: {
                  target: 'advising',
                  actions: append('overlegRecords'),
                },
              },
            },
            advising: {
              on: {
                ISSUE_ADVICE: [
                  {
                    guard: 'waitExceedsThreshold',
                    target: 'advised.bridging',
                    actions: append('advices'),
                  },
                  {
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

export type ReferralMachineV1 = typeof referralMachineV1;
