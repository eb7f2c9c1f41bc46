/**
 * The services the routes, the console and the scheduler use, built once from the store (port.ts):
 * the store's own parts, and above them the case queries (who may see what), the signalering
 * report and the webhook deliverer. Nothing here knows which store it runs on.
 */
import type { FastifyBaseLogger } from 'fastify';
import { caseQueries, type CaseQueries } from './cases/case-queries.ts';
import type { Clock } from './clock.ts';
import { webhookDeliverer } from './notifications/webhook-deliverer.ts';
import { signaleringService, type SignaleringService } from './reports/signalering.ts';
import type { Store } from './store/port.ts';
import { offerService, type OfferService } from './offers/offer-service.ts';
import { supplyService, type SupplyService } from './reports/supply.ts';

export interface Services extends Omit<Store, 'signalering' | 'reads' | 'retention' | 'kind' | 'durable' | 'close'> {
  queries: CaseQueries;
  signalering: SignaleringService;
  /** The offers register (§6.4). */
  offerRegister: OfferService;
  /** The supply report (§6.4). */
  supply: SupplyService;
  /** The scheduler's delivery of notifications. */
  deliverer: ReturnType<typeof webhookDeliverer>;
  /** The store under these services. */
  store: Store;
}

export function servicesOf(store: Store, clock: Clock, logger?: FastifyBaseLogger): Services {
  return {
    ...store,
    store,
    queries: caseQueries(store.reads, clock, store.people, store.offers),
    offerRegister: offerService(store.offers, store.regions, clock),
    supply: supplyService(store.offers, store.regions, clock),
    signalering: signaleringService(store.signalering, clock),
    deliverer: webhookDeliverer({ box: store.outbox, regions: store.regions }, clock, logger),
  };
}
