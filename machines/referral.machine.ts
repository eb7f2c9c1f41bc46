/**
 * The referral lifecycle of a regional expert team as an XState v5 statechart (DESIGN §3, §5).
 *
 * Pure: no I/O and no clock. The engine hands the machine its environment with every step
 * (`context.env`: the time and the region's current settings) and stamps every event with its
 * time (`at`), and an advice's help items with their ids, before it steps the machine with
 * XState's pure `transition`.
 *
 * Shape: `open` is parallel. Its `phase` region holds the lifecycle: `intake` (submitted, triage,
 * awaiting_information) carries the triage deadline; `working` (planning_overleg to follow_up)
 * the later ones; `advised` (bridging, follow_up) follows each help item until its help has
 * started (§5.2). Its `escalation` region (§5.3) lets the expert team escalate from triage on
 * without leaving the phase: `open` carries the escalation deadline until an outcome answers it.
 * `closed` is not final, so a note can still be added to a closed case.
 *
 * No loose ends (§6.1, since 2.1.0): the commitments (afspraken) of an overleg and of an
 * escalation's outcome get ids and each a deadline of its own (`commitment:<id>`, due at the end
 * of its day) until UPDATE_COMMITMENT settles it; withdrawing the case withdraws what is still
 * open. Recording the overleg arms the `advice` deadline, met by the advice. Whether a case may end
 * with an escalation or a commitment open is a rule (referral.rules.ts: looseEnd), not a guard.
 *
 * The chart decides where an event goes; whether an event is allowed by the rules (consent, IGJ,
 * dates, help items) is decided once, before the step, in referral.rules.ts (`ruleBroken` in
 * referral.ts): the chart has no guard that repeats a rule, so the two cannot drift apart.
 *
 * Deadlines: entering a phase arms its deadline with a delayed `raise` of DEADLINE_PASSED (id =
 * the deadline's name); leaving the phase cancels it. XState's pure `transition` returns these as
 * `xstate.raise` (with `delay`) and `xstate.cancel` actions; the engine stores them as durable
 * timers and delivers a due one back as an event. A passed deadline marks the case overdue and
 * never changes the lifecycle state.
 */
import { assign, enqueueActions, setup, type SnapshotFrom } from 'xstate';
import { calendarDay } from './referral.dates.ts';
import {
  commitmentKey, dueAfter, endOfDay, type DeadlineKey, type DeadlineName, type TimedDeadline,
} from './referral.deadlines.ts';
import type {
  CommitmentState, DeadlineMap, HelpItemState, ListField, ReferralContext, ReferralInput, SingleField, StampedEvent,
} from './referral.types.ts';

export * from './referral.types.ts';

/** Bump on any change to states, transitions or context shape; every case keeps the version it was created with. */
export const REFERRAL_MACHINE_VERSION = '2.2.0';

/**
 * 2.2.0 (DESIGN §6.3, §6.4) only adds to 2.1.0: events and optional fields, and rules that apply
 * from 2.2.0 on (see `since22`). A 2.1.0 case therefore steps by this chart and gains what was
 * added (a regisseur, for one), while the new rules leave it as it was.
 */
export const MACHINE_VERSION_2_1 = '2.1.0';

const append = (to: ListField) => ({ type: 'append', params: { to } }) as const;
const keep = (as: SingleField) => ({ type: 'keep', params: { as } }) as const;
const arm = (deadline: TimedDeadline) => ({ type: 'arm', params: { deadline } }) as const;
const disarm = (deadline: Exclude<DeadlineName, 'commitment'>) => ({ type: 'disarm', params: { deadline } }) as const;

/** The key of the deadline a DEADLINE_PASSED is for: its name, or a commitment's own key. */
const keyOf = (event: { deadline: DeadlineName; commitmentId?: string | undefined }): DeadlineKey =>
  event.commitmentId === undefined ? event.deadline : commitmentKey(event.commitmentId);

const without = (map: DeadlineMap, name: DeadlineKey): DeadlineMap => {
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

/**
 * A commitment is settled in every phase from triage on, where one can exist (§6.1); the rules
 * refuse an unknown or settled one first.
 */
const settle = { actions: [append('commitmentUpdates'), 'settleCommitment'] } as const;

/** The commitments an overleg or an escalation's outcome makes, each open until settled (§6.1). */
function madeCommitments(event: StampedEvent): CommitmentState[] {
  if (event.type !== 'RECORD_OVERLEG' && event.type !== 'RECORD_ESCALATION_OUTCOME') return [];
  const source = event.type === 'RECORD_OVERLEG' ? 'overleg' : 'escalation';
  return (event.commitments ?? []).map((c) => ({
    id: c.id, source, organisation: c.organisation, action: c.action, dueAt: c.dueAt,
    status: 'open', settledOn: null, reason: null, madeAt: event.at,
  }));
}

export const referralMachine = setup({
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
      event.type === 'DEADLINE_PASSED' && context.deadlines[keyOf(event)] === event.dueAt &&
      context.overdue[keyOf(event)] === undefined,
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
            // §6.4 (2.2.0): the offer of the register, the kind of help, why no offer fits.
            ...(item.offerId === undefined ? {} : { offerId: item.offerId }),
            ...(item.offer ? { offer: item.offer } : {}),
            ...(item.helpKind === undefined ? {} : { helpKind: item.helpKind }),
            ...(item.noOfferBecause === undefined ? {} : { noOfferBecause: item.noOfferBecause }),
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
        ? { overdue: { ...context.overdue, [keyOf(event)]: event.dueAt } }
        : {}),
    /** Each new commitment is followed by a deadline at the end of its day (§6.1). */
    addCommitments: enqueueActions(({ context, event, enqueue }) => {
      const made = madeCommitments(event);
      if (made.length === 0) return;
      const deadlines = { ...context.deadlines };
      for (const commitment of made) {
        const key = commitmentKey(commitment.id);
        const dueAt = endOfDay(commitment.dueAt);
        deadlines[key] = dueAt;
        enqueue.raise(
          { type: 'DEADLINE_PASSED', deadline: 'commitment', commitmentId: commitment.id, dueAt, at: dueAt },
          { id: key, delay: Date.parse(dueAt) - Date.parse(context.env.now) },
        );
      }
      enqueue.assign({ deadlines, record: { ...context.record, commitments: [...context.record.commitments, ...made] } });
    }),
    /** UPDATE_COMMITMENT settles one commitment and meets its deadline. */
    settleCommitment: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'UPDATE_COMMITMENT') return;
      const key = commitmentKey(event.commitmentId);
      if (context.deadlines[key] !== undefined) enqueue.cancel(key);
      enqueue.assign({
        deadlines: without(context.deadlines, key),
        overdue: without(context.overdue, key),
        record: {
          ...context.record,
          commitments: context.record.commitments.map((c) => c.id !== event.commitmentId ? c : {
            ...c, status: event.status, settledOn: event.date,
            reason: event.status === 'not_done' ? event.reason ?? null : null,
          }),
        },
      });
    }),
    /** §6.3: START_TRIAGE that names a regisseur (the engine resolved who), or ASSIGN. */
    setRegisseur: assign(({ context, event }) => {
      const regisseur = event.type === 'ASSIGN' ? { userId: event.userId, name: event.name }
        : event.type === 'START_TRIAGE' ? event.regisseur : undefined;
      if (!regisseur) return {};
      return { record: { ...context.record, regisseur: { userId: regisseur.userId, name: regisseur.name, at: event.at } } };
    }),
    /** Withdrawing the case withdraws every commitment still open, with the case's reason. */
    withdrawCommitments: assign(({ context, event }) => ({
      record: {
        ...context.record,
        commitments: context.record.commitments.map((c) => c.status !== 'open' ? c : {
          ...c, status: 'withdrawn' as const, settledOn: calendarDay(event.at),
          reason: event.type === 'WITHDRAW' ? event.reason : null,
        }),
      },
    })),
    /** Leaving the open case cancels every commitment deadline still armed. */
    disarmCommitments: enqueueActions(({ context, enqueue }) => {
      const keys = Object.keys(context.deadlines).filter((k) => k.startsWith('commitment:')) as DeadlineKey[];
      if (keys.length === 0) return;
      let deadlines = context.deadlines;
      let overdue = context.overdue;
      for (const key of keys) {
        enqueue.cancel(key);
        deadlines = without(deadlines, key);
        overdue = without(overdue, key);
      }
      enqueue.assign({ deadlines, overdue });
    }),
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
      helpItems: [],
      helpItemUpdates: [],
      escalations: [],
      escalationOutcomes: [],
      commitments: [],
      commitmentUpdates: [],
      regisseur: null,
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
      exit: 'disarmCommitments',
      on: {
        WITHDRAW: { target: 'closed', actions: [keep('closure'), 'withdrawCommitments'] },
        // Consent and school can change in any open phase (§5.1); neither moves the case.
        UPDATE_CONSENT: { actions: append('consentUpdates') },
        UPDATE_SCHOOL: { actions: append('schoolUpdates') },
        // §6.3 (2.2.0, and 2.1.0 cases by the same chart): a regisseur in any open phase.
        ASSIGN: { actions: 'setRegisseur' },
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
                  on: { START_TRIAGE: { target: 'assessing', actions: [keep('triageStart'), 'setRegisseur'] } },
                },
                assessing: {
                  on: { UPDATE_COMMITMENT: settle },
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
              on: { UPDATE_COMMITMENT: settle },
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
                    RECORD_OVERLEG: { target: 'advising', actions: [append('overlegRecords'), 'addCommitments'] },
                  },
                },
                advising: {
                  // The advice follows the overleg within the region's term (§6.1).
                  entry: arm('advice'),
                  exit: disarm('advice'),
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
                RECORD_ESCALATION_OUTCOME: {
                  target: 'answered', actions: [append('escalationOutcomes'), 'addCommitments'],
                },
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

export type ReferralMachine = typeof referralMachine;
export type ReferralSnapshot = SnapshotFrom<ReferralMachine>;
