/**
 * The types of a referral as the statechart sees it: its lifecycle states (and how to read one
 * off a state value), the stamped events it takes, its input and the record a case holds. Apart
 * from the machine (referral.machine.ts, which re-exports them) so the chart reads on its own.
 */
import type { StateValue } from 'xstate';
import type { z } from 'zod';
import type { DeadlineKey, DeadlineName, ReferralEnv } from './referral.deadlines.ts';
import type {
  CaseRecordSchema, CommitmentStateSchema, HelpItemChangeSchema, HelpItemStateSchema, OfferRefSchema, RegisseurSchema,
} from './referral.record.ts';
import type { CaseSubmission, Commitment, EventOf, HelpItem, ReferralEvent } from './referral.schemas.ts';

export const LIFECYCLE_STATES = [
  'submitted', 'triage', 'awaiting_information', 'planning_overleg', 'overleg_scheduled',
  'advising', 'bridging', 'follow_up', 'closed',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** Raised by the machine itself, delayed, when a deadline's phase is entered. */
export interface DeadlinePassedEvent {
  type: 'DEADLINE_PASSED';
  deadline: DeadlineName;
  /** With deadline `commitment`: the commitment it is for (§6.1). */
  commitmentId?: string;
  dueAt: string;
  at: string;
}

/**
 * A help item as advised, with the id the engine gave it (§5.2) and, for an item naming an offer,
 * the offer as the register had it (§6.4; `null`: the register has no such offer of the region,
 * which the rules refuse). Its waiting time is there once the rules let the advice through
 * (WAITING_TIME_UNKNOWN refuses an offer without one when the item gives none).
 */
export type AdvisedHelpItem = Omit<HelpItem, 'waitingWeeks'> & {
  id: string;
  waitingWeeks: number;
  offer?: OfferRef | null;
};

/** The offer an item named, as the register had it at the advice. */
export type OfferRef = z.output<typeof OfferRefSchema>;

/**
 * An event as the machine sees it: the validated payload plus the time the engine received it,
 * and for an advice the ids of its help items (the engine draws them; the machine stays pure).
 */
type StampedClientEvent = {
  [K in ReferralEvent['type']]: K extends 'ISSUE_ADVICE'
    ? Omit<EventOf<K>, 'helpItems'> & { helpItems: AdvisedHelpItem[]; at: string }
    : K extends 'RECORD_OVERLEG' | 'RECORD_ESCALATION_OUTCOME'
      ? Omit<EventOf<K>, 'commitments'> & { commitments?: IdentifiedCommitment[]; at: string }
      // §6.3: the engine resolves the person named (or the one acting) to their id and name.
      : K extends 'START_TRIAGE'
        ? Omit<EventOf<K>, 'regisseur'> & { regisseur?: Regisseur; at: string }
        : K extends 'ASSIGN'
          ? EventOf<K> & { name: string; at: string }
          : EventOf<K> & { at: string };
}[ReferralEvent['type']];

/** A regisseur (§6.3): a person of the expert team, by id and name. */
export type Regisseur = z.output<typeof RegisseurSchema>;

/** A commitment as the machine takes it: with the id the engine gave it (§6.1). */
export type IdentifiedCommitment = Commitment & { id: string };
export type StampedEvent = StampedClientEvent | DeadlinePassedEvent;
export type Stamped<T extends ReferralEvent['type']> = Extract<StampedClientEvent, { type: T }>;

/** One change of a help item's status, as its history keeps it. */
export type HelpItemChange = z.output<typeof HelpItemChangeSchema>;

/** A help item of the current advice, followed until its help has started (§5.2). */
export type HelpItemState = z.output<typeof HelpItemStateSchema>;

/** A commitment followed until it is settled (§6.1). */
export type CommitmentState = z.output<typeof CommitmentStateSchema>;

export interface ReferralInput {
  submission: CaseSubmission;
  env: ReferralEnv;
}

/**
 * What the case holds: the submission and every decision since, as stamped events. Inferred from
 * its schema (referral.record.ts), which the case view shows as it is.
 */
export type CaseRecord = z.output<typeof CaseRecordSchema>;

/** Open deadlines by key (a commitment's is `commitment:<id>`): name → due time. */
export type DeadlineMap = Partial<Record<DeadlineKey, string>>;

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
