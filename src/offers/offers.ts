/**
 * The region's offers register (aanbod, DESIGN §6.4): what an offer is, who may register, read and
 * report its waiting times, and how a request is checked. Pure: the store keeps the rows
 * (src/store/*\/offers.ts), the routes (offer-routes.ts) and the console stay thin.
 */
import { z } from 'zod';
import { municipalityInForce } from '../../machines/referral.municipalities.ts';
import { LAWS, name, OFFER_KINDS, type OfferKind } from '../../machines/referral.schemas.ts';

type Law = (typeof LAWS)[number];
import type { Actor } from '../auth/actors.ts';
import { AppError } from '../errors.ts';
import { amsterdamDate } from '../reports/period.ts';

export { OFFER_KINDS, type OfferKind };

export const WAITING_TIME_SOURCES = ['provider', 'region'] as const;

const unique = <T>(list: readonly T[]): boolean => new Set(list).size === list.length;
const age = z.int().min(0).max(22);

export const NewOfferSchema = z.strictObject({
  provider: name().describe('The provider\'s name or identifier: a client or person with role provider and this organisation reports its waiting times'),
  name: name().describe('The offer\'s name'),
  kind: z.enum(OFFER_KINDS).describe('The kind of help'),
  laws: z.array(z.enum(LAWS)).min(1).max(LAWS.length).refine(unique, 'values must be unique')
    .describe('The laws the offer is financed under, as in a help item\'s financing'),
  municipalities: z.array(z.string().regex(/^GM\d{4}$/, 'a CBS municipality code: GM and 4 digits')).min(1).max(400)
    .refine(unique, 'values must be unique').describe('The municipalities the offer is for (CBS codes in force)'),
  minAge: age.optional(),
  maxAge: age.optional(),
}).refine((o) => o.minAge === undefined || o.maxAge === undefined || o.minAge <= o.maxAge, {
  message: 'must not be below minAge', path: ['maxAge'],
}).meta({ id: 'NewOffer' });
export type NewOffer = z.output<typeof NewOfferSchema>;

export const WaitingTimeReportSchema = z.strictObject({
  weeks: z.int().min(0).max(520).describe('The waiting time in whole weeks'),
  measuredAt: z.iso.date().describe('The day it was measured (not after today)'),
  source: z.enum(WAITING_TIME_SOURCES).describe('provider: reported by the provider; region: by the region\'s admin'),
}).meta({ id: 'WaitingTimeReport' });
export type WaitingTimeReport = z.output<typeof WaitingTimeReportSchema>;

export interface WaitingTime {
  weeks: number;
  measuredAt: string;
  source: (typeof WAITING_TIME_SOURCES)[number];
  reportedAt: string;
}

export interface Offer {
  id: string;
  region: string;
  provider: string;
  name: string;
  kind: OfferKind;
  laws: Law[];
  municipalities: string[];
  minAge: number | null;
  maxAge: number | null;
  createdAt: string;
  /** The latest waiting time: the latest measured, the last reported on a tie; null before any. */
  waitingTime: WaitingTime | null;
}

export const WaitingTimeSchema = z.object({
  weeks: z.int(), measuredAt: z.iso.date(), source: z.enum(WAITING_TIME_SOURCES), reportedAt: z.iso.datetime(),
}).meta({ id: 'WaitingTime' });

export const OfferSchema = z.object({
  id: z.uuid(),
  region: z.string(),
  provider: z.string(),
  name: z.string(),
  kind: z.enum(OFFER_KINDS),
  laws: z.array(z.enum(LAWS)),
  municipalities: z.array(z.string()),
  minAge: z.int().nullable(),
  maxAge: z.int().nullable(),
  createdAt: z.iso.datetime(),
  waitingTime: WaitingTimeSchema.nullable().describe('The latest waiting time; null before any was reported'),
}).meta({ id: 'Offer' });

export const OfferWithHistorySchema = OfferSchema.extend({
  waitingTimes: z.array(WaitingTimeSchema).describe('Every waiting time reported, latest first'),
}).meta({ id: 'OfferWithHistory' });

/** An offer as the store keeps it (JSON lists as text). */
export interface OfferRow {
  id: string;
  region: string;
  provider: string;
  name: string;
  kind: string;
  laws: string;
  municipalities: string;
  minAge: number | null;
  maxAge: number | null;
  createdAt: string;
}

export function offerOf(row: OfferRow, waitingTime: WaitingTime | null): Offer {
  return {
    ...row, kind: row.kind as OfferKind,
    laws: JSON.parse(row.laws) as Law[], municipalities: JSON.parse(row.municipalities) as string[], waitingTime,
  };
}

/** The latest of an offer's waiting times (they come in report order): the latest measured, the last reported on a tie. */
export function latestOf<T extends { measuredAt: string }>(times: readonly T[]): T | null {
  let latest: T | null = null;
  for (const time of times) if (latest === null || time.measuredAt >= latest.measuredAt) latest = time;
  return latest;
}

/** The region's admin registers offers; an admin of every region (`*`) has no register of its own. */
export function mayRegister(actor: Actor): void {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', `a ${actor.role} does not register offers`);
  if (actor.region === '*') throw new AppError('FORBIDDEN', 'an offer belongs to a region: register it as an admin of that region');
}

/**
 * Who reads the register: the region's admin and expert team; a provider its own offers (to
 * report their waiting times). Answers the provider filter, if any.
 */
export function readScope(actor: Actor): { region: string; provider?: string } {
  if (actor.role === 'admin' || actor.role === 'expert_team') return { region: actor.region };
  if (actor.role === 'provider') return { region: actor.region, provider: actor.organisation };
  throw new AppError('FORBIDDEN', `a ${actor.role} does not read the offers register`);
}

export const offerNotFound = (): AppError => new AppError('NOT_FOUND', 'no such offer');

/** Whether this caller may see the offer: one of its region's (a provider: one of its own). */
export function maySee(actor: Actor, offer: Pick<Offer, 'region' | 'provider'>): boolean {
  try {
    const scope = readScope(actor);
    return offer.region === scope.region && (scope.provider === undefined || scope.provider === offer.provider);
  } catch {
    return false;
  }
}

/**
 * Who reports an offer's waiting time: its provider (role provider, its organisation the offer's
 * provider) or the region's admin; another provider of the region is refused (403), an offer of
 * another region does not exist for the caller (404).
 */
export function mayReport<T extends Pick<Offer, 'region' | 'provider'>>(actor: Actor, offer: T | undefined): asserts offer is T {
  if (actor.role !== 'admin' && actor.role !== 'provider') {
    throw new AppError('FORBIDDEN', `a ${actor.role} does not report waiting times`);
  }
  if (!offer || offer.region !== actor.region) throw offerNotFound();
  if (actor.role === 'provider' && actor.organisation !== offer.provider) {
    throw new AppError('FORBIDDEN', 'only the offer\'s own provider, or the region\'s admin, reports its waiting time');
  }
}

/** A provider reports as the provider; the region's admin either (it may pass on the provider's figure). */
export function checkSource(actor: Actor, report: WaitingTimeReport): void {
  if (actor.role === 'provider' && report.source !== 'provider') {
    throw new AppError('VALIDATION_FAILED', 'a provider reports as provider', {
      invalidParams: [{ name: 'source', reason: 'a provider reports with source provider' }],
    });
  }
}

/** A waiting time is measured, so not in the future (Amsterdam days). */
export function checkMeasuredAt(report: WaitingTimeReport, now: Date): void {
  const today = amsterdamDate(now);
  if (report.measuredAt > today) {
    throw new AppError('DATE_ORDER', `measuredAt must not be after today (${today})`, {
      invalidParams: [{ name: 'measuredAt', reason: `must not be after today (${today})` }],
    });
  }
}

/** Municipalities in force today, and of the region's list where it has one (§5.1's codes). */
export function checkMunicipalities(codes: readonly string[], regionList: readonly string[] | null, now: Date): void {
  const today = amsterdamDate(now);
  const unknown = codes.findIndex((code) => !municipalityInForce(code, today));
  if (unknown >= 0) {
    throw new AppError('UNKNOWN_MUNICIPALITY', `municipalities.${unknown} is not a municipality in force`, {
      invalidParams: [{ name: `municipalities.${unknown}`, reason: 'not a municipality in force today (CBS list)' }],
    });
  }
  const outside = regionList ? codes.findIndex((code) => !regionList.includes(code)) : -1;
  if (outside >= 0) {
    throw new AppError('MUNICIPALITY_NOT_IN_REGION', `municipalities.${outside} is not one of the region's`, {
      invalidParams: [{ name: `municipalities.${outside}`, reason: 'not one of the region\'s municipalities' }],
    });
  }
}
