/**
 * The referral statechart of machine version 2.0.0, frozen: version 2 created its cases with it,
 * and those cases are stepped by it to their end (DESIGN §5, §6: pinned, not migrated). Do not
 * change its states, transitions or context: test/machine/pinned-2.0.0.test.ts steps a 2.0.0 case
 * through it. Only its imports and types follow the current record, whose 2.1.0 lists
 * (commitments) it never fills: recordOf (referral.ts) reads them as empty.
 *
 * In 2.0.0 a case can close with its escalation open, and the commitments of an escalation outcome
 * are stored but not followed (no ids, no deadline); there is no advice deadline.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { calendarDay } from '../referral.dates.ts';
import { dueAfter, endOfDay, type DeadlineName, type TimedDeadline } from '../referral.deadlines.ts';
import type {
  CaseRecord, DeadlineMap, HelpItemState, ReferralContext as CurrentContext, ReferralInput, SingleField, StampedEvent,
} from '../referral.types.ts';

export const MACHINE_VERSION_2 = '2.0.0';

/** The record of 2.0.0: the current record without what 2.1.0 added. */
type CaseRecordV2 = Omit<CaseRecord, 'commitments' | 'commitmentUpdates' | 'regisseur'>;
type ReferralContext = Omit<CurrentContext, 'record'> & { record: CaseRecordV2 };
type ListField = {
  [K in keyof CaseRecordV2]: CaseRecordV2[K] extends unknown[] ? K : never;
}[keyof CaseRecordV2];

const append = (to: ListField) => ({ type: 'append', params: { to } }) as const;
const keep = (as: SingleField) => ({ type: 'keep', params: { as } }) as const;
const arm = (deadline: TimedDeadline) => ({ type: 'arm', params: { deadline } }) as const;
const disarm = (deadline: DeadlineName) => ({ type: 'disarm', params: { deadline } }) as const;

const without = (map: DeadlineMap, name: DeadlineName): DeadlineMap => {
  const { [name]: _gone, ...rest } = map;
  return rest;
};

function durationOf(deadline: TimedDeadline, context: ReferralContext): string {
  const settings = context.env.deadlines;
  if (deadline === 'triage' && context.record.submission.urgency === 'urgent') {
    return settings.triageUrgent;
  }
  return settings[deadline];
}

/** The help items after this UPDATE_HELP_ITEM (an unknown id changes nothing: the rules refuse it first). */
function updatedItems(items: readonly HelpItemState[], event: StampedEvent): HelpItemState[] {
  if (event.type !== 'UPDATE_HELP_ITEM') return [...items];
  return items.map((item) => item.id !== event.itemId ? item : {
    ...item,
    status: event.status,
    statusSince: event.date,
    history: [...item.history, {
      status: event.status, date: event.date, at: event.at,
      ...(event.reason === undefined ? {} : { reason: event.reason }),
      ...(event.decision === undefined ? {} : { decision: event.decision }),
    }],
  });
}

export const referralMachineV2 = setup({
  types: {} as {
    context: ReferralContext;
    events: StampedEvent;
    input: ReferralInput;
  },
  guards: {
    waitExceedsThreshold: ({ context, event }) =>
      event.type === 'ISSUE_ADVICE' &&
      event.helpItems.some((item) => item.waitingWeeks > context.env.bridgingThresholdWeeks),
    /** This update makes every help item of the advice started: the wait is over. */
    lastHelpStarts: ({ context, event }) =>
      updatedItems(context.record.helpItems, event).every((item) => item.status === 'started'),
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
    /** The advice's help items, each `advised` from the day of the advice (§5.2). */
    adviseHelpItems: assign(({ context, event }) => {
      if (event.type !== 'ISSUE_ADVICE') return {};
      const day = calendarDay(event.at);
      return {
        record: {
          ...context.record,
          helpItems: event.helpItems.map((item): HelpItemState => ({
            id: item.id, kind: item.kind, description: item.description,
            responsibleOrganisation: item.responsibleOrganisation,
            waitingWeeks: item.waitingWeeks, waitingWeeksSource: item.waitingWeeksSource,
            status: 'advised', statusSince: day, history: [{ status: 'advised', date: day, at: event.at }],
          })),
        },
      };
    }),
    updateHelpItem: assign(({ context, event }) => ({
      record: { ...context.record, helpItems: updatedItems(context.record.helpItems, event) },
    })),
    arm: enqueueActions(({ context, enqueue }, { deadline }: { deadline: TimedDeadline }) => {
      const dueAt = dueAfter(context.env.now, durationOf(deadline, context));
      enqueue.assign({ deadlines: { ...context.deadlines, [deadline]: dueAt } });
      enqueue.raise(
        { type: 'DEADLINE_PASSED', deadline, dueAt, at: dueAt },
        { id: deadline, delay: Date.parse(dueAt) - Date.parse(context.env.now) },
      );
    }),
    /** A bridging plan's review is due when its review day has passed (§5.2); a new plan re-arms it. */
    armReview: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'SET_BRIDGING_PLAN') return;
      const dueAt = endOfDay(calendarDay(event.reviewAt));
      if (context.deadlines.bridging_review !== undefined) enqueue.cancel('bridging_review');
      enqueue.assign({
        deadlines: { ...context.deadlines, bridging_review: dueAt },
        overdue: without(context.overdue, 'bridging_review'),
      });
      enqueue.raise(
        { type: 'DEADLINE_PASSED', deadline: 'bridging_review', dueAt, at: dueAt },
        { id: 'bridging_review', delay: Date.parse(dueAt) - Date.parse(context.env.now) },
      );
    }),
    /** Cancels the deadline if it is armed; a deadline that is not armed is left alone. */
    disarm: enqueueActions(({ context, enqueue }, { deadline }: { deadline: DeadlineName }) => {
      if (context.deadlines[deadline] === undefined) return;
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
  version: MACHINE_VERSION_2,
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
      helpItems: [],
      helpItemUpdates: [],
      escalations: [],
      escalationOutcomes: [],
    },
  }),
  initial: 'open',
  on: {
    ADD_NOTE: { actions: append('notes') },
    DEADLINE_PASSED: { guard: 'deadlineOpen', actions: 'markOverdue' },
  },
  states: {
    open: {
      type: 'parallel',
      on: {
        WITHDRAW: { target: 'closed', actions: keep('closure') },
        // Consent and school can change in any open phase (§5.1); neither moves the case.
        UPDATE_CONSENT: { actions: append('consentUpdates') },
        UPDATE_SCHOOL: { actions: append('schoolUpdates') },
      },
      states: {
        phase: {
          initial: 'intake',
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
                  states: {
                    triage: {
                      on: {
                        REQUEST_INFORMATION: {
                          target: 'awaiting_information',
                          actions: append('informationRequests'),
                        },
                        ACCEPT: {
                          target: '#referral.open.phase.working.planning_overleg',
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
              states: {
                planning_overleg: {
                  entry: arm('overleg'),
                  exit: disarm('overleg'),
                  on: {
                    SCHEDULE_OVERLEG: { target: 'overleg_scheduled', actions: append('overlegSchedules') },
                  },
                },
                overleg_scheduled: {
                  on: {
                    RECORD_OVERLEG: { target: 'advising', actions: append('overlegRecords') },
                  },
                },
                advising: {
                  on: {
                    ISSUE_ADVICE: [
                      {
                        guard: 'waitExceedsThreshold',
                        target: 'advised.bridging',
                        actions: [append('advices'), 'adviseHelpItems'],
                      },
                      { target: 'advised.follow_up', actions: [append('advices'), 'adviseHelpItems'] },
                    ],
                  },
                },
                advised: {
                  // Help not started this long after the advice: due for reassessment (DOMAIN R3).
                  entry: arm('reassessment'),
                  exit: [disarm('reassessment'), disarm('bridging_review')],
                  initial: 'follow_up',
                  on: {
                    // Every help item started: the reassessment and the bridging review are met.
                    UPDATE_HELP_ITEM: [
                      {
                        guard: 'lastHelpStarts',
                        actions: [append('helpItemUpdates'), 'updateHelpItem',
                          disarm('reassessment'), disarm('bridging_review')],
                      },
                      { actions: [append('helpItemUpdates'), 'updateHelpItem'] },
                    ],
                  },
                  states: {
                    bridging: {
                      on: {
                        SET_BRIDGING_PLAN: { target: 'follow_up', actions: [append('bridgingPlans'), 'armReview'] },
                      },
                    },
                    follow_up: {
                      entry: arm('checkpoint'),
                      exit: disarm('checkpoint'),
                      on: {
                        // No target: a new plan or a progress report does not re-enter follow-up.
                        SET_BRIDGING_PLAN: { actions: [append('bridgingPlans'), 'armReview'] },
                        // A report meets the current checkpoint and starts the next one.
                        REPORT_PROGRESS: {
                          actions: [append('progressReports'), disarm('checkpoint'), arm('checkpoint')],
                        },
                        REQUEST_REASSESSMENT: {
                          target: '#referral.open.phase.working.planning_overleg',
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
        // §5.3: an escalation keeps the case in its phase. From triage on, one at a time.
        escalation: {
          initial: 'not_yet',
          states: {
            not_yet: { on: { START_TRIAGE: 'none' } },
            none: { on: { ESCALATE: { target: 'open', actions: append('escalations') } } },
            open: {
              entry: arm('escalation'),
              exit: disarm('escalation'),
              on: {
                RECORD_ESCALATION_OUTCOME: { target: 'answered', actions: append('escalationOutcomes') },
              },
            },
            answered: { on: { ESCALATE: { target: 'open', actions: append('escalations') } } },
          },
        },
      },
    },
    closed: {},
  },
});
