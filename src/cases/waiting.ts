/**
 * What waits for whom on a case (DESIGN §6.3): the next step of the expert team, and what the
 * local team that referred the case has to do (a question to answer, help items or a checkpoint
 * to report), and the commitments (afspraken) each organisation still owes. Pure: read off the
 * case's state, record and deadlines, so that "mijn werk" in the console, the e-mail notices and a
 * later API can say the same.
 *
 * An item carries no content of the file beyond the kind of step, its deadline and, for a
 * commitment, its id and the organisation that owes it (the console shows the action from the
 * case itself; a mail must not).
 */
import type { LifecycleState } from '../../machines/referral.types.ts';
import { commitmentKey } from '../../machines/referral.deadlines.ts';
import { recordOf, type PersistedReferral } from '../../machines/referral.ts';
import type { Role } from '../../machines/referral.schemas.ts';

export type WaitingKind =
  /** A question of the expert team (REQUEST_INFORMATION) not yet answered. */
  | 'question'
  /** Help items of the advice whose help has not started yet: their status to report. */
  | 'help_items'
  /** A progress report for the current checkpoint (follow-up). */
  | 'checkpoint'
  /** A commitment (afspraak) still open. */
  | 'commitment'
  /** The expert team's next step in the lifecycle. */
  | 'triage' | 'triage_decision' | 'overleg_planning' | 'overleg_record' | 'advice' | 'bridging_plan'
  | 'escalation_outcome';

export interface Waiting {
  kind: WaitingKind;
  /** Who it waits for: the expert team of the region, the local team that referred the case, or the organisation named. */
  party: 'expert_team' | 'referrer' | 'organisation';
  /** With party `organisation`: who owes it (a commitment's organisation, as it was written down). */
  organisation?: string;
  /** The deadline it is due by, when it has one. */
  dueAt: string | null;
  /** Its deadline has passed (or its due time has come). */
  overdue: boolean;
  /** help_items: how many; commitment: 1. */
  count?: number;
  /** A commitment's id. */
  commitmentId?: string;
}

/** A case as whatWaits reads it: its state, its organisation (the referrer's) and its persisted snapshot. */
export interface WaitingCase {
  state: string;
  organisation: string;
  persisted: PersistedReferral;
}

/** The expert team's next step per state, and the deadline that goes with it. */
const EXPERT_STEP: Partial<Record<LifecycleState, [WaitingKind, string | null]>> = {
  submitted: ['triage', 'triage'],
  triage: ['triage_decision', 'triage'],
  planning_overleg: ['overleg_planning', 'overleg'],
  overleg_scheduled: ['overleg_record', null],
  advising: ['advice', 'advice'],
  bridging: ['bridging_plan', 'reassessment'],
};

/** Everything that waits on this case, for anyone; nothing on a closed case. */
export function whatWaits(c: WaitingCase, now: string): Waiting[] {
  if (c.state === 'closed') return [];
  const record = recordOf(c.persisted);
  const { deadlines, overdue } = c.persisted.context;
  const due = (key: string | null): Pick<Waiting, 'dueAt' | 'overdue'> => {
    const at = key === null ? undefined : (deadlines as Record<string, string | undefined>)[key];
    const passed = key !== null && (overdue as Record<string, string | undefined>)[key] !== undefined;
    return { dueAt: at ?? null, overdue: at !== undefined && (passed || at <= now) };
  };
  const items: Waiting[] = [];
  const step = EXPERT_STEP[c.state as LifecycleState];
  if (step) items.push({ kind: step[0], party: 'expert_team', ...due(step[1]) });
  const escalation = record.escalations.length > record.escalationOutcomes.length;
  if (escalation) items.push({ kind: 'escalation_outcome', party: 'expert_team', ...due('escalation') });
  if (c.state === 'awaiting_information') {
    // A parent or youth who came to the expert team directly: the expert team answers (§5.1).
    const referrer = record.submission.referrer.kind === 'professional' ? 'referrer' : 'expert_team';
    items.push({ kind: 'question', party: referrer, ...due('triage') });
  }
  const waitingItems = record.helpItems.filter((i) => i.status === 'advised' || i.status === 'arranged').length;
  if (waitingItems > 0 && (c.state === 'bridging' || c.state === 'follow_up')) {
    items.push({ kind: 'help_items', party: 'referrer', count: waitingItems, ...due('reassessment') });
  }
  if (c.state === 'follow_up' && deadlines.checkpoint !== undefined) {
    items.push({ kind: 'checkpoint', party: 'referrer', ...due('checkpoint') });
  }
  for (const commitment of record.commitments.filter((x) => x.status === 'open')) {
    items.push({ kind: 'commitment', party: 'organisation', organisation: commitment.organisation, count: 1,
      commitmentId: commitment.id, ...due(commitmentKey(commitment.id)) });
  }
  return items;
}

/** Names of organisations as people write them: the same when they differ only in case and spaces. */
export const sameOrganisation = (a: string, b: string): boolean =>
  a.trim().replace(/\s+/g, ' ').toLocaleLowerCase('nl') === b.trim().replace(/\s+/g, ' ').toLocaleLowerCase('nl');

/**
 * What waits on this case for a person of this role and organisation: for the expert team its
 * steps; for a local team what the referrer has to do on its own cases, and the commitments its
 * organisation owes.
 */
export function waitingFor(party: { role: Role; organisation: string }, c: WaitingCase, now: string): Waiting[] {
  return whatWaits(c, now).filter((item) => {
    if (party.role === 'expert_team') return item.party === 'expert_team';
    if (party.role !== 'local_team') return false;
    if (item.party === 'referrer') return c.organisation === party.organisation;
    return item.party === 'organisation' && item.organisation !== undefined && sameOrganisation(item.organisation, party.organisation);
  });
}
