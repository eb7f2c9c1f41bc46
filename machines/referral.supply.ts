/**
 * The rules of the region's supply side (DESIGN §6.4) on an advice: a help item that names an offer
 * of the register must name one of the case's region (the engine looked it up and stamped what it
 * found, `offer: null` for none: the machine stays pure), and then carries the register's waiting
 * time or gives one itself; from machine 2.2.0 on a custom arrangement (maatwerk) says why no
 * existing offer fits, with the 10-character rule of §6.1.
 */
import { explains } from './referral.text.ts';
import type { DateOrderBreach, RuleCode } from './referral.rules.ts';
import type { ReferralEvent } from './referral.schemas.ts';
import type { AdvisedHelpItem } from './referral.types.ts';

/** What the register had of an offer when the advice was given: its latest waiting time. */
export interface ResolvedOffer {
  provider: string;
  name: string;
  kind: AdvisedHelpItem['offer'] extends infer O ? O extends { kind: infer K } ? K : never : never;
  /** The latest waiting time reported, and the day it was measured; null when none was. */
  waitingWeeks: number | null;
  measuredAt: string | null;
}

/**
 * Offer ids to resolution: an offer of the case's region, or null for an id the region's register
 * does not have.
 */
export type OfferResolution = ReadonlyMap<string, ResolvedOffer | null>;

const TOO_SHORT = 'must explain: at least 10 characters, letters among them';

/** The ids of the offers an event's help items name (none for other events). */
export function offerIdsOf(event: { type: string; helpItems?: readonly { offerId?: string }[] }): string[] {
  if (event.type !== 'ISSUE_ADVICE') return [];
  return [...new Set((event.helpItems ?? []).flatMap((item) => (item.offerId === undefined ? [] : [item.offerId])))];
}

/**
 * A help item with its offer resolved: the offer as the register had it, its kind as the item's,
 * and its latest waiting time in place of the item's (`register`); an item without an offer, or
 * without a resolution (a form checking its rules), as it is.
 */
export function withOffer<T extends { offerId?: string | undefined; provider?: string | undefined }>(
  item: T, offers: OfferResolution | undefined,
): T {
  if (item.offerId === undefined || offers === undefined) return item;
  const found = offers.get(item.offerId) ?? null;
  if (found === null) return { ...item, offer: null };
  const weeks = found.waitingWeeks === null ? {} : { waitingWeeks: found.waitingWeeks, waitingWeeksSource: 'register' as const };
  return {
    ...item,
    provider: item.provider ?? found.provider,
    helpKind: found.kind,
    ...weeks,
    offer: {
      provider: found.provider, name: found.name, kind: found.kind,
      measuredAt: found.waitingWeeks === null ? null : found.measuredAt,
    },
  };
}

interface SupplyBreach {
  code: RuleCode;
  breach: DateOrderBreach;
}

/** Every supply rule the event breaks, in item order; `since22`: the case is of machine 2.2.0 or later. */
export function supplyBreaches(event: ReferralEvent, since22: boolean): SupplyBreach[] {
  if (event.type !== 'ISSUE_ADVICE') return [];
  const found: SupplyBreach[] = [];
  event.helpItems.forEach((raw, i) => {
    const item = raw as typeof raw & { offer?: unknown };
    if (item.offer === null) {
      found.push({ code: 'UNKNOWN_OFFER', breach: { field: `helpItems.${i}.offerId`, reason: 'not an offer of the region\'s register' } });
    } else if (item.offer !== undefined && item.waitingWeeks === undefined) {
      found.push({ code: 'WAITING_TIME_UNKNOWN', breach: {
        field: `helpItems.${i}.waitingWeeks`, reason: 'the offer has no waiting time in the register yet: give one',
      } });
    }
    if (since22 && item.kind === 'custom_arrangement' && !explains(item.noOfferBecause)) {
      found.push({ code: 'REASON_REQUIRED', breach: {
        field: `helpItems.${i}.noOfferBecause`, reason: `${TOO_SHORT} (why no existing offer fits)`,
      } });
    }
  });
  return found;
}
