/**
 * Delivers the outbox to each region's webhook: a POST of the notification's JSON, signed with
 * HMAC-SHA256 over "<timestamp>.<body>" in `Passend-Signature`, with the notification's stable id
 * in `Passend-Notification-Id`. A failed attempt is retried with exponential backoff; after
 * MAX_ATTEMPTS the notification is marked failed and listed by GET /notifications/failed.
 * A notification is not sent again once a delivery succeeded.
 */
import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Outbox, OutboxEntry, Regions } from '../store/port.ts';
import type { Webhook } from '../regions/region-settings.ts';

/** With the backoff below, 15 attempts span about four hours before a notification is marked failed. */
export const MAX_ATTEMPTS = 15;
const BASE_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60 * 60 * 1_000;
const TIMEOUT_MS = 5_000;
/** A claimed notification is retried after this long if the process died while sending it. */
const LEASE_MS = 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BASE_BACKOFF_MS * 2 ** (attempts - 1), MAX_BACKOFF_MS);
}

export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface DeliveryRound {
  delivered: number;
  retried: number;
  failed: number;
  skipped: number;
}

/** The outbox and the region settings it reads, from the store. */
/**
 * Records one attempt at an outbox row, for webhooks and mail alike: delivered, tried again
 * after the backoff, or failed for good after MAX_ATTEMPTS (then on the failure list). `error`:
 * the kind of failure only (never a receiver's text), or null when delivered.
 */
export async function recordAttempt(box: Pick<Outbox, 'record'>, entry: OutboxEntry, error: string | null, now: Date,
  round: DeliveryRound, logger: Logger | undefined, failedForGood: string): Promise<void> {
  const attempts = entry.attempts + 1;
  if (error === null) {
    await box.record(entry.seq, { status: 'delivered', attempts, deliveredAt: now.toISOString(), lastError: null });
    round.delivered += 1;
  } else if (attempts >= MAX_ATTEMPTS) {
    await box.record(entry.seq, { status: 'failed', attempts, lastError: error });
    round.failed += 1;
    logger?.warn({ notificationId: entry.id, attempts, error }, failedForGood);
  } else {
    await box.record(entry.seq, { attempts, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)).toISOString(), lastError: error });
    round.retried += 1;
  }
}

export interface DelivererStore {
  box: Pick<Outbox, 'claimDue' | 'record' | 'skip'>;
  regions: Pick<Regions, 'get'>;
}

export function webhookDeliverer({ box, regions }: DelivererStore, clock: Clock, logger?: Logger) {

  async function attempt(entry: OutboxEntry, webhook: Webhook): Promise<string | null> {
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'passend-notification-id': entry.id,
      'passend-timestamp': timestamp,
    };
    if (webhook.secret) headers['passend-signature'] = signature(webhook.secret, timestamp, entry.payload);
    try {
      const res = await fetch(webhook.url, {
        method: 'POST', headers, body: entry.payload, signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.body?.cancel();
      return res.ok ? null : `HTTP ${res.status}`;
    } catch (error) {
      // Only the error's kind: a message could quote the receiver's answer.
      const cause = (error as { cause?: { code?: string } }).cause;
      return cause?.code ?? (error as Error).name;
    }
  }

  async function deliver(entry: OutboxEntry, webhook: Webhook, round: DeliveryRound): Promise<void> {
    const error = await attempt(entry, webhook);
    await recordAttempt(box, entry, error, clock.now(), round, logger, 'notification delivery failed for good');
  }

  /** Regions whose delivery is under way: their next round waits until this one ends. */
  const busy = new Map<string, Promise<void>>();

  return {
    /**
     * One round: the notifications due now, of the regions not still busy from an earlier round.
     * Each region is delivered in order, on its own: one slow or hanging receiver holds up only
     * its own region. The promise settles when this round's regions are done; the scheduler's
     * loop does not wait for it, tests do.
     */
    async deliverDue(limit = 100): Promise<DeliveryRound> {
      const now = clock.now();
      const until = new Date(now.getTime() + LEASE_MS).toISOString();
      const round = { delivered: 0, retried: 0, failed: 0, skipped: 0 };
      const byRegion = new Map<string, OutboxEntry[]>();
      for (const entry of await box.claimDue(now.toISOString(), until, limit, [...busy.keys()])) {
        byRegion.set(entry.region, [...(byRegion.get(entry.region) ?? []), entry]);
      }
      const started = [...byRegion].map(([region, entries]) => {
        const run = (async () => {
          const { webhook } = await regions.get(region);
          if (!webhook) {
            // No receiver: the region's notifications of this round are skipped in one write.
            await box.skip(entries.map((entry) => entry.seq));
            round.skipped += entries.length;
            return;
          }
          for (const entry of entries) await deliver(entry, webhook, round);
        })().finally(() => busy.delete(region));
        busy.set(region, run);
        return run;
      });
      await Promise.all(started);
      return round;
    },

    /** Waits until no region is being delivered (for a clean stop). */
    async idle(): Promise<void> {
      await Promise.all([...busy.values()]);
    },
  };
}

export type WebhookDeliverer = ReturnType<typeof webhookDeliverer>;
