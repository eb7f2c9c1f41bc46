/**
 * The offers register's service (DESIGN §6.4), for the API routes and the console alike: each
 * request checked in the order of DESIGN §3 (403 before 400, 404 for what the caller may not see,
 * 422 for a rule), then handed to the store.
 */
import type { Actor, Operator } from '../auth/actors.ts';
import type { Clock } from '../clock.ts';
import { parseBody } from '../validation.ts';
import type { Offers, Regions } from '../store/port.ts';
import {
  checkMeasuredAt, checkMunicipalities, checkSource, mayRegister, mayReport, maySee, NewOfferSchema, offerNotFound, readScope,
  WaitingTimeReportSchema, type Offer, type WaitingTime,
} from './offers.ts';

/** Who wrote it, for the audit trail: the client or the person acting. */
export const operatorOf = (actor: Actor): Operator =>
  ({ role: actor.role, organisation: actor.organisation, name: actor.name, clientId: actor.clientId });

export function offerService(offers: Offers, regions: Pick<Regions, 'get'>, clock: Clock) {
  return {
    async register(actor: Actor, body: unknown): Promise<Offer> {
      mayRegister(actor);
      const offer = parseBody(NewOfferSchema, body);
      const now = clock.now();
      checkMunicipalities(offer.municipalities, (await regions.get(actor.region)).municipalities, now);
      return offers.create(actor.region, offer, now, operatorOf(actor));
    },

    async list(actor: Actor): Promise<Offer[]> {
      const scope = readScope(actor);
      return offers.list(scope.region, scope.provider);
    },

    async get(actor: Actor, id: string): Promise<Offer & { waitingTimes: WaitingTime[] }> {
      readScope(actor);
      const offer = await offers.find(id);
      if (!offer || !maySee(actor, offer)) throw offerNotFound();
      return { ...offer, waitingTimes: await offers.waitingTimes(id) };
    },

    async report(actor: Actor, id: string, body: unknown): Promise<{ offer: Offer; waitingTime: WaitingTime }> {
      const offer = await offers.find(id);
      mayReport(actor, offer);
      const report = parseBody(WaitingTimeReportSchema, body);
      checkSource(actor, report);
      const now = clock.now();
      checkMeasuredAt(report, now);
      const waitingTime = await offers.report(id, report, now, operatorOf(actor));
      if (!waitingTime) throw offerNotFound();
      return { offer: (await offers.find(id)) ?? offer, waitingTime };
    },
  };
}

export type OfferService = ReturnType<typeof offerService>;
