/**
 * Delivers the e-mail notices of the outbox (DESIGN §6.3), beside the webhook deliverer and with
 * its rules: a failed attempt is retried with the same exponential backoff, after MAX_ATTEMPTS the
 * notice is marked failed and listed by GET /notifications/failed (and `notifications retry` puts
 * it back). A notice row names the person; their address is read here, when the mail is sent.
 *
 * - `instant` notices go out one mail each;
 * - `daily` notices are queued due at the next digest time (src/notifications/notices.ts), so a
 *   person's day of them falls due together and goes out as one digest mail;
 * - a person disabled, gone, or who turned notices `off` since: their notices are skipped;
 * - without SMTP_URL, notices are still queued with their step and skipped here, as webhook
 *   notifications of a region without a webhook are.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Clock } from '../clock.ts';
import type { CaseReads, Outbox, OutboxEntry, People } from '../store/port.ts';
import { recordOf, type PersistedReferral } from '../../machines/referral.ts';
import { overlegIcs, overlegIcsName } from '../cases/overleg-ics.ts';
import { caseNumber, digestMail, MailError, noticeMail, type Mailer, type MailMessage } from './mail.ts';
import type { NoticeKind } from './notices.ts';
import { recordAttempt, type DeliveryRound } from './webhook-deliverer.ts';

/** A claimed notice is tried again after this long if the process died while sending it. */
const LEASE_MS = 5 * 60_000;

export interface MailDelivererStore {
  box: Pick<Outbox, 'claimDue' | 'record' | 'skip'>;
  people: Pick<People, 'get'>;
  /** The case, read when a mail carries its overleg's calendar entry. */
  cases?: Pick<CaseReads, 'find'>;
}

interface Notice { kind: NoticeKind; caseId: string; digest: boolean }

const noticeOf = (entry: OutboxEntry): Notice => {
  const payload = JSON.parse(entry.payload) as { digest?: boolean };
  return { kind: entry.kind as NoticeKind, caseId: entry.caseId, digest: payload.digest === true };
};

export function mailDeliverer({ box, people, cases }: MailDelivererStore, mailer: Mailer | null, base: string, clock: Clock,
  logger?: Logger) {

  /**
   * The overleg's invitation carries the calendar entry of the overleg as planned when the mail
   * goes (none when it is no longer planned, or the file was erased): the time, the case number
   * and the link, nothing of the file.
   */
  async function withInvitation(message: MailMessage, kind: NoticeKind, caseId: string): Promise<MailMessage> {
    if (kind !== 'overleg_planned' || !cases) return message;
    const row = await cases.find(caseId);
    if (!row || row.erasedAt !== null) return message;
    const ics = overlegIcs(caseId, recordOf(JSON.parse(row.snapshot) as PersistedReferral), base, caseNumber(caseId));
    return ics === null ? message
      : { ...message, attachments: [{ filename: overlegIcsName(caseId), content: ics, contentType: 'text/calendar; charset=utf-8' }] };
  }

  /** Sends one mail for these rows and records the outcome on each of them. */
  async function deliver(entries: readonly OutboxEntry[], message: MailMessage, round: DeliveryRound): Promise<void> {
    let error: string | null = null;
    try {
      await mailer!.send(message);
    } catch (err) {
      error = err instanceof MailError ? err.reason : (err as Error).name;
    }
    const now = clock.now();
    for (const entry of entries) await recordAttempt(box, entry, error, now, round, logger, 'e-mail notice failed for good');
  }

  /** The notices of one person: skipped, or sent (one mail each, the digest ones as one mail). */
  async function deliverTo(userId: string, entries: OutboxEntry[], round: DeliveryRound): Promise<void> {
    const user = await people.get(userId);
    if (!mailer || !user || user.disabledAt !== null || user.notices === 'off') {
      await box.skip(entries.map((e) => e.seq));
      round.skipped += entries.length;
      return;
    }
    const digest = entries.filter((e) => noticeOf(e).digest);
    for (const entry of entries.filter((e) => !noticeOf(e).digest)) {
      const { kind, caseId } = noticeOf(entry);
      await deliver([entry], await withInvitation(noticeMail(user.email, kind, caseId, base), kind, caseId), round);
    }
    if (digest.length > 0) await deliver(digest, digestMail(user.email, digest.map(noticeOf), base), round);
  }

  let running: Promise<DeliveryRound> | null = null;

  async function round(limit: number): Promise<DeliveryRound> {
    const now = clock.now();
    const result = { delivered: 0, retried: 0, failed: 0, skipped: 0 };
    const entries = await box.claimDue(now.toISOString(), new Date(now.getTime() + LEASE_MS).toISOString(), limit, [], 'mail');
    const byPerson = new Map<string, OutboxEntry[]>();
    for (const entry of entries) byPerson.set(entry.recipient!, [...(byPerson.get(entry.recipient!) ?? []), entry]);
    for (const [userId, theirs] of byPerson) await deliverTo(userId, theirs, result);
    return result;
  }

  return {
    /**
     * One round: the notices due now, person by person. A round still running (a slow mail
     * server) is not joined by a second: that one counts nothing.
     */
    async deliverDue(limit = 1000): Promise<DeliveryRound> {
      if (running) return { delivered: 0, retried: 0, failed: 0, skipped: 0 };
      running = round(limit);
      try {
        return await running;
      } finally {
        running = null;
      }
    },
    async idle(): Promise<void> {
      await running?.catch(() => undefined);
    },
  };
}

export type MailDeliverer = ReturnType<typeof mailDeliverer>;
