/**
 * The services the routes, the console and the scheduler use, built once from the store (port.ts):
 * the store's own parts, and above them the case queries (who may see what), the signalering
 * report, the webhook deliverer and the mail deliverer. Nothing here knows which store it runs on.
 */
import type { FastifyBaseLogger } from 'fastify';
import { caseQueries, type CaseQueries } from './cases/case-queries.ts';
import type { Clock } from './clock.ts';
import { mailDeliverer, type MailDeliverer } from './notifications/mail-deliverer.ts';
import type { Mailer } from './notifications/mail.ts';
import { webhookDeliverer, type DeliveryRound } from './notifications/webhook-deliverer.ts';
import { signaleringService, type SignaleringService } from './reports/signalering.ts';
import type { Store } from './store/port.ts';
import { offerService, type OfferService } from './offers/offer-service.ts';
import { supplyService, type SupplyService } from './reports/supply.ts';

/** The outbox's deliveries: the webhooks and the e-mail notices, each on its own. */
export interface Deliverer {
  deliverDue(limit?: number): Promise<DeliveryRound>;
  idle(): Promise<void>;
}

/** Mail, when SMTP_URL is set: the mailer, and the console's address the mails link to. */
export interface MailSetup {
  mailer: Mailer | null;
  /** PUBLIC_URL, else http://HOST:PORT, without a trailing slash. */
  base: string;
}

export interface Services extends Omit<Store, 'signalering' | 'reads' | 'retention' | 'kind' | 'durable' | 'close'> {
  queries: CaseQueries;
  signalering: SignaleringService;
  /** The offers register (§6.4). */
  offerRegister: OfferService;
  /** The supply report (§6.4). */
  supply: SupplyService;
  /** The scheduler's delivery of notifications: webhooks and mail. */
  deliverer: Deliverer;
  /** The delivery of e-mail notices alone. */
  mail: MailDeliverer;
  /** The mailer (null without SMTP_URL), for the mails sent at once (a sign-in link). */
  mailer: Mailer | null;
  /** The store under these services. */
  store: Store;
}

export function servicesOf(store: Store, clock: Clock, logger?: FastifyBaseLogger,
  mail: MailSetup = { mailer: null, base: 'http://127.0.0.1:3000' }): Services {
  const webhooks = webhookDeliverer({ box: store.outbox, regions: store.regions }, clock, logger);
  const mails = mailDeliverer({ box: store.outbox, people: store.people, cases: store.reads }, mail.mailer, mail.base, clock, logger);
  return {
    ...store,
    store,
    queries: caseQueries(store.reads, clock, store.people, store.offers),
    offerRegister: offerService(store.offers, store.regions, clock),
    supply: supplyService(store.offers, store.regions, clock),
    signalering: signaleringService(store.signalering, clock),
    mail: mails,
    mailer: mail.mailer,
    deliverer: {
      async deliverDue(limit?: number): Promise<DeliveryRound> {
        const [a, b] = await Promise.all([webhooks.deliverDue(limit), mails.deliverDue()]);
        return { delivered: a.delivered + b.delivered, retried: a.retried + b.retried, failed: a.failed + b.failed,
          skipped: a.skipped + b.skipped };
      },
      async idle(): Promise<void> {
        await Promise.all([webhooks.idle(), mails.idle()]);
      },
    },
  };
}
