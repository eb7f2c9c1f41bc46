/**
 * Shared pieces of the statechart tests: the contract of DESIGN §3 written out as data, stamping
 * of fixture events, and driving a case to a lifecycle state with the pure `step`.
 *
 * No database, nothing from src/ or db/: only machines/ and the shared fixtures.
 */
import type { AnyStateNode } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import {
  LIFECYCLE_STATES,
  REFERRAL_MACHINE_VERSION,
  type LifecycleState,
  type ReferralInput,
  type ReferralMachine,
  type StampedEvent,
} from '../../machines/referral.machine.ts';
import { DEFAULT_ENV_SETTINGS } from '../../machines/referral.deadlines.ts';
import { randomUUID } from 'node:crypto';
import { stamp as stampForMachine, step, submit, type PersistedReferral } from '../../machines/referral.ts';
import { CaseSubmissionSchema, EVENT_SCHEMAS, type EventType, type ReferralEvent } from '../../machines/referral.schemas.ts';
import { events, helpItem, PATH_ITEM_ID, PATH_TO, submission } from '../support/fixtures.ts';

export const SUBMITTED_AT = '2026-01-15T09:00:00Z';
export const AT = '2026-02-01T10:00:00Z';

export interface InputOptions {
  submission?: ReferralInput['submission'];
  submittedAt?: string;
  bridgingThresholdWeeks?: number;
}

export function input(options: InputOptions = {}): ReferralInput {
  return {
    submission: options.submission ?? CaseSubmissionSchema.parse(submission()),
    env: {
      ...DEFAULT_ENV_SETTINGS,
      now: options.submittedAt ?? SUBMITTED_AT,
      bridgingThresholdWeeks: options.bridgingThresholdWeeks ?? 0,
    },
  };
}

/** An event as the engine hands it to the machine: stamped, an advice's help items with new ids. */
export function stamp(event: ReferralEvent, at: string = AT): StampedEvent {
  // ASSIGN (§6.3): the engine resolves the person; here a fixed name stands for that lookup.
  return stampForMachine(event, at, randomUUID, undefined, event.type === 'ASSIGN' ? { userId: event.userId, name: 'Petra Regie' } : undefined);
}

/**
 * A fixture event of the given type, as the engine hands it to the machine: parsed by its schema
 * and stamped. An overleg is planned and held on the day it is sent, so the dates are in order
 * (§5.1) whatever day a test sends it on.
 */
export function fixtureEvent(type: EventType, at: string, extra: Record<string, unknown> = {}): StampedEvent {
  // The fixture table is indexed by type; each entry returns the event of its own type.
  const make = events[type] as (x?: Record<string, unknown>) => ReferralEvent;
  const dated = type === 'SCHEDULE_OVERLEG' ? { scheduledAt: at } : type === 'RECORD_OVERLEG' ? { heldAt: at }
    : type === 'SET_BRIDGING_PLAN' ? { reviewAt: at.slice(0, 10) }
      : type === 'UPDATE_HELP_ITEM' || type === 'UPDATE_COMMITMENT' ? { date: at.slice(0, 10) } : {};
  return stamp(EVENT_SCHEMAS[type].parse(make({ ...dated, ...extra })) as ReferralEvent, at);
}

/** UPDATE_HELP_ITEM events that take every help item of the case's advice to `started`. */
export function startEveryItem(persisted: PersistedReferral, at: string = AT): StampedEvent[] {
  return persisted.context.record.helpItems.map((item) =>
    fixtureEvent('UPDATE_HELP_ITEM', at, { itemId: item.id, status: 'started', date: at.slice(0, 10) }));
}

/** A fixture event of the given type, stamped (default payload). */
export function stamped(type: EventType, at: string = AT): StampedEvent {
  return fixtureEvent(type, at);
}

/** ISSUE_ADVICE whose only help item waits `weeks` weeks. */
export function adviceWaiting(weeks: number): StampedEvent {
  return stamp(EVENT_SCHEMAS.ISSUE_ADVICE.parse(events.ISSUE_ADVICE({ helpItems: [helpItem(weeks)] })));
}

/**
 * DESIGN §3, "Events" table, read per state, with §5: the event types each lifecycle state accepts
 * and the lifecycle state(s) each leads to. ISSUE_ADVICE has two targets (bridging when a help item
 * waits more than the threshold, else follow_up). UPDATE_CONSENT and UPDATE_SCHOOL (§5.1) and ASSIGN (§6.3) keep any
 * open state; UPDATE_COMMITMENT (§6.1) every state from triage on; UPDATE_HELP_ITEM (§5.2) keeps bridging and follow_up;
 * ESCALATE (§5.3) keeps every
 * state from triage to follow_up, and RECORD_ESCALATION_OUTCOME is accepted there only while an
 * escalation is open (ESCALATION_EVENTS).
 */
const keeps = (state: LifecycleState, ...types: EventType[]) =>
  Object.fromEntries(types.map((type) => [type, [state]])) as Partial<Record<EventType, readonly LifecycleState[]>>;
const open = (state: LifecycleState) => keeps(state, 'ADD_NOTE', 'UPDATE_CONSENT', 'UPDATE_SCHOOL', 'ASSIGN');
// From triage on a commitment can exist (an escalation's outcome makes one): it can be settled.
const escalatable = (state: LifecycleState) => ({ ...open(state), ...keeps(state, 'ESCALATE', 'UPDATE_COMMITMENT') });

export const DESIGN_TRANSITIONS: Readonly<
  Record<LifecycleState, Readonly<Partial<Record<EventType, readonly LifecycleState[]>>>>
> = {
  submitted: { ...open('submitted'), START_TRIAGE: ['triage'], WITHDRAW: ['closed'] },
  triage: {
    ...escalatable('triage'),
    REQUEST_INFORMATION: ['awaiting_information'], ACCEPT: ['planning_overleg'],
    DECLINE: ['closed'], CONSULT: ['closed'], WITHDRAW: ['closed'],
  },
  awaiting_information: {
    ...escalatable('awaiting_information'), PROVIDE_INFORMATION: ['triage'], WITHDRAW: ['closed'],
  },
  planning_overleg: {
    ...escalatable('planning_overleg'), SCHEDULE_OVERLEG: ['overleg_scheduled'], WITHDRAW: ['closed'],
  },
  overleg_scheduled: {
    ...escalatable('overleg_scheduled'), RECORD_OVERLEG: ['advising'], WITHDRAW: ['closed'],
  },
  advising: {
    ...escalatable('advising'), ISSUE_ADVICE: ['bridging', 'follow_up'], WITHDRAW: ['closed'],
  },
  bridging: {
    ...escalatable('bridging'), ...keeps('bridging', 'UPDATE_HELP_ITEM'),
    SET_BRIDGING_PLAN: ['follow_up'], WITHDRAW: ['closed'],
  },
  follow_up: {
    ...escalatable('follow_up'), ...keeps('follow_up', 'UPDATE_HELP_ITEM', 'SET_BRIDGING_PLAN', 'REPORT_PROGRESS'),
    REQUEST_REASSESSMENT: ['planning_overleg'], CLOSE: ['closed'], WITHDRAW: ['closed'],
  },
  closed: {
    ADD_NOTE: ['closed'],
  },
};

/** The escalation region (§5.3): where ESCALATE and RECORD_ESCALATION_OUTCOME are accepted. */
export const ESCALATION_EVENTS = {
  none: ['ESCALATE'], open: ['RECORD_ESCALATION_OUTCOME'], answered: ['ESCALATE'],
} as const;

export const designAccepts = (state: LifecycleState): EventType[] =>
  Object.keys(DESIGN_TRANSITIONS[state]) as EventType[];

/** "state|EVENT" and "state|EVENT|target" keys of the contract. */
export const pairKey = (state: string, type: string) => `${state}|${type}`;
export const tripleKey = (state: string, type: string, target: string) => `${state}|${type}|${target}`;

/** Lifecycle states where an escalation can be open (its region is active beside them). */
const withEscalation = (state: LifecycleState) => 'ESCALATE' in DESIGN_TRANSITIONS[state];

export function designPairs(): Set<string> {
  return new Set(
    LIFECYCLE_STATES.flatMap((s) => [
      ...designAccepts(s).map((type) => pairKey(s, type)),
      ...(withEscalation(s) ? [pairKey(s, 'RECORD_ESCALATION_OUTCOME')] : []),
    ]),
  );
}

export function designTriples(): Set<string> {
  return new Set(
    LIFECYCLE_STATES.flatMap((s) =>
      Object.entries(DESIGN_TRANSITIONS[s]).flatMap(([type, targets]) =>
        (targets ?? []).map((t) => tripleKey(s, type, t)),
      ).concat(withEscalation(s) ? [tripleKey(s, 'RECORD_ESCALATION_OUTCOME', s)] : []),
    ),
  );
}

/** The atomic state a transition target enters: follow `initial` down through compound states. */
function enteredLeaf(node: AnyStateNode): AnyStateNode {
  let current = node;
  while (current.type === 'compound') {
    const [next] = current.initial.target;
    if (!next) throw new Error(`compound state ${current.id} without initial target`);
    current = next;
  }
  return current;
}

/**
 * The transitions the machine DEFINITION declares, per lifecycle state: walks every leaf of the
 * `phase` region (and `closed`) and its ancestors (the nearest declaration of an event type wins,
 * as in SCXML) and resolves each transition's target to the leaf it enters. Guards are not
 * evaluated, so an event with guarded alternatives contributes every alternative's target. The
 * escalation region's events (ESCALATE, RECORD_ESCALATION_OUTCOME) keep the lifecycle state: they
 * count for every phase leaf the region is active beside (all but `submitted`).
 */
export function definedTransitions(machine: ReferralMachine): {
  states: Set<string>;
  pairs: Set<string>;
  triples: Set<string>;
} {
  const states = new Set<string>();
  const pairs = new Set<string>();
  const triples = new Set<string>();
  const escalationNode = getStateNodes(machine.root).find((n) => n.id === 'referral.open.escalation');
  if (!escalationNode) throw new Error('no escalation region');
  const escalationTypes = new Set(getStateNodes(escalationNode).flatMap((n) => [...n.transitions.keys()])
    .filter((type) => type !== 'START_TRIAGE'));
  const leaves = getStateNodes(machine.root).filter((n) => n.type === 'atomic' &&
    (n.id.startsWith('referral.open.phase.') || n.id === 'referral.closed'));
  for (const leaf of leaves) {
    states.add(leaf.key);
    const seen = new Set<string>();
    for (let node: AnyStateNode | undefined = leaf; node; node = node.parent) {
      for (const [type, definitions] of node.transitions) {
        // The machine raises DEADLINE_PASSED itself (test/machine/deadlines.test.ts covers it).
        if (seen.has(type) || type === 'DEADLINE_PASSED') continue;
        seen.add(type);
        pairs.add(pairKey(leaf.key, type));
        for (const definition of definitions) {
          const [target] = definition.target ?? [];
          triples.add(tripleKey(leaf.key, type, target ? enteredLeaf(target).key : leaf.key));
        }
      }
    }
    if (leaf.id.startsWith('referral.open.phase.') && leaf.key !== 'submitted') {
      for (const type of escalationTypes) {
        pairs.add(pairKey(leaf.key, type));
        triples.add(tripleKey(leaf.key, type, leaf.key));
      }
    }
  }
  return { states, pairs, triples };
}

/** The events that take a new case to `state`: the fixtures' PATH_TO, plus bridging. */
export function pathTo(state: LifecycleState): StampedEvent[] {
  if (state === 'bridging') return [...pathTo('advising'), adviceWaiting(1)];
  const types = PATH_TO[state];
  if (!types) throw new Error(`no fixture path to ${state}`);
  return types.map((type) => stamped(type));
}

/**
 * Submit and apply `path` with `step`, failing loudly when any step is not applied. An
 * UPDATE_HELP_ITEM in the path (PATH_TO's way of saying "the help started") starts every help
 * item of the advice, whatever ids the advice gave them.
 */
export function drive(
  path: readonly StampedEvent[],
  caseInput: ReferralInput = input(),
): PersistedReferral {
  let persisted = submit(caseInput).persisted;
  for (const planned of path) {
    const events = planned.type === 'UPDATE_HELP_ITEM' && planned.itemId === PATH_ITEM_ID
      ? startEveryItem(persisted, planned.at)
      : [planned];
    for (const event of events) {
      const result = step(REFERRAL_MACHINE_VERSION, persisted, event);
      if (result.outcome !== 'applied') {
        throw new Error(`${event.type} was not applied: ${JSON.stringify(result)}`);
      }
      persisted = result.persisted;
    }
  }
  return persisted;
}

export const driveTo = (state: LifecycleState, caseInput?: ReferralInput) =>
  drive(pathTo(state), caseInput);

/** JSON round trip, as the engine stores a case. */
export const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
