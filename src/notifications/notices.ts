/**
 * E-mail notices to people (DESIGN §6.3), decided in one place for both stores: which step of a
 * case tells whom what (`noticesOfStep`), and the outbox rows for the people chosen
 * (`noticesFor`). Pure: the stores find the people of an audience inside the transaction of the
 * step and write the rows there too, so a notice exists exactly when its step does.
 *
 * A notice row holds the case's id, its region, the person's id and the kind, nothing of the file:
 * no question, no names, no reference of the referrer. The person's address is read only when the
 * mail is sent (src/notifications/mail-deliverer.ts).
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { recordOf, type PersistedReferral } from '../../machines/referral.ts';
import type { Role } from '../../machines/referral.schemas.ts';
import { USER_ACTOR_PREFIX } from '../auth/people.ts';
import type { NotificationRow } from '../cases/case-writes.ts';
import type { CaseRow, User } from '../store/rows.ts';

/** The notices a person can get by e-mail. */
export const NOTICE_KINDS = ['question_waiting', 'commitment_due', 'assigned', 'case_deadline_passed', 'overleg_planned'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const NOTICE_PREFERENCES = ['instant', 'daily', 'off'] as const;
export type NoticePreference = (typeof NOTICE_PREFERENCES)[number];

/**
 * Who a notice is for: the active people of an organisation in the case's region (with one of
 * these roles), or named people (active, of the case's region).
 */
export type Audience =
  | { organisation: string; roles: readonly Role[] }
  | { userIds: readonly string[] };

export interface NoticeIntent { kind: NoticeKind; audience: Audience }

/** A person as a notice needs them: never their address, which the deliverer reads itself. */
export type Recipient = Pick<User, 'id' | 'notices'>;

/** The people who work on cases: inspectors and admins get no notices about a case. */
const WORKERS: readonly Role[] = ['local_team', 'expert_team'];

/** The step a notice may come from: the trail entry's type, what the trail keeps of it, and who made it. */
export interface NoticeStep {
  /** An event's type, or DEADLINE_PASSED. */
  type: string;
  payload: unknown;
  /** Who made the step; a person's clientId is `user:<their id>` (src/auth/people.ts). */
  actor: { clientId: string | null };
}

/**
 * What a step of a case tells people; `persisted` is the case after the step: a question waits
 * for the referring organisation; a commitment's deadline passed for the organisation that made
 * it; the case is assigned to a person (ASSIGN, or START_TRIAGE naming another), unless they did
 * it themselves; a deadline of the case passed for its regisseur; an overleg is planned, for the
 * referring wijkteam and the regisseur, with its calendar entry (§6.3).
 */
export function noticesOfStep(row: Pick<CaseRow, 'organisation'>, step: NoticeStep,
  persisted: PersistedReferral): NoticeIntent[] {
  const { type } = step;
  const p = (step.payload ?? {}) as Record<string, unknown>;
  if (type === 'REQUEST_INFORMATION') {
    // The question waits for the referring organisation: its local team.
    return [{ kind: 'question_waiting', audience: { organisation: row.organisation, roles: ['local_team'] } }];
  }
  if (type === 'DEADLINE_PASSED' && typeof p.commitmentId === 'string') {
    const commitment = recordOf(persisted).commitments.find((c) => c.id === p.commitmentId);
    return commitment ? [{ kind: 'commitment_due', audience: { organisation: commitment.organisation, roles: WORKERS } }] : [];
  }
  if (type === 'SCHEDULE_OVERLEG') {
    // The invitation, with the calendar entry, to the people of the region taking part: the
    // referring wijkteam and the case's regisseur.
    const regisseur = recordOf(persisted).regisseur;
    return [
      { kind: 'overleg_planned', audience: { organisation: row.organisation, roles: ['local_team'] } },
      ...(regisseur ? [{ kind: 'overleg_planned' as const, audience: { userIds: [regisseur.userId] } }] : []),
    ];
  }
  if (type === 'DEADLINE_PASSED') {
    const regisseur = recordOf(persisted).regisseur;
    return regisseur ? [{ kind: 'case_deadline_passed', audience: { userIds: [regisseur.userId] } }] : [];
  }
  const assigned = type === 'ASSIGN' ? p.userId
    : type === 'START_TRIAGE' ? (p.regisseur as { userId?: unknown } | undefined)?.userId : undefined;
  if (typeof assigned === 'string' && step.actor.clientId !== `${USER_ACTOR_PREFIX}${assigned}`) {
    return [{ kind: 'assigned', audience: { userIds: [assigned] } }];
  }
  return [];
}

/** When a `daily` person's digest goes out: the next 07:00 in the Netherlands after `at`. */
export const DIGEST_HOUR = 7;
export function nextDigestAt(at: string): string {
  const local = DateTime.fromISO(at, { zone: 'utc' }).setZone('Europe/Amsterdam');
  let due = local.set({ hour: DIGEST_HOUR, minute: 0, second: 0, millisecond: 0 });
  if (due <= local) due = due.plus({ days: 1 });
  return due.toUTC().toISO({ suppressMilliseconds: false })!;
}

/** An outbox row of an e-mail notice: when it is due, and for whom. */
export type NoticeRow = NotificationRow & { recipient: string; nextAttemptAt: string };

/**
 * The outbox rows of one notice for these people: one each, due now for `instant`, at the next
 * digest for `daily`, none for `off`. This is the call to enqueue a notice with, inside the step's
 * transaction (the stores' `enqueueNotices`).
 */
export function noticesFor(kind: NoticeKind, row: Pick<CaseRow, 'id' | 'region'>, recipients: readonly Recipient[],
  at: string): NoticeRow[] {
  const seen = new Set<string>();
  return recipients.filter((r) => r.notices !== 'off' && !seen.has(r.id) && seen.add(r.id)).map((r) => {
    const id = randomUUID();
    const digest = r.notices === 'daily';
    return {
      id, caseId: row.id, region: row.region, kind, createdAt: at, recipient: r.id,
      nextAttemptAt: digest ? nextDigestAt(at) : at,
      payload: JSON.stringify({ id, kind, caseId: row.id, region: row.region, at, userId: r.id, digest }),
    };
  });
}

/** Whether an outbox row is an e-mail notice (else: a webhook notification). */
export const isNotice = (entry: { recipient: string | null }): boolean => entry.recipient !== null;
