/** The offers register on SQLite (DESIGN §6.4): offers and their waiting times, audited writes, the supply rows. */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from './client.ts';
import { offers, offerWaitingTimes } from '../../../db/schema.ts';
import { administrationEntry, type Operator } from '../../auth/actors.ts';
import { auditTrail } from './audit.ts';
import { latestOf, offerOf, type NewOffer, type Offer, type OfferRow, type WaitingTime, type WaitingTimeReport } from '../../offers/offers.ts';
import type { ResolvedOffer } from '../../../machines/referral.supply.ts';
import type { Period } from '../../reports/period.ts';
import { sqliteDialect } from '../sql/dialect.ts';
import { supplyStatements } from '../sql/supply.ts';
import { supplyRowsOf, type SupplyRows } from '../../reports/supply-raw.ts';

const timeOf = (row: typeof offerWaitingTimes.$inferSelect): WaitingTime =>
  ({ weeks: row.weeks, measuredAt: row.measuredAt, source: row.source, reportedAt: row.reportedAt });

export function offerRepository(db: Db) {
  const sql = supplyStatements(sqliteDialect);
  const advised = db.$client.prepare(sql.advised.text);
  const notStarted = db.$client.prepare(sql.notStarted.text);

  /** Each offer's waiting times in report order. */
  function timesOf(ids: readonly string[]): Map<string, WaitingTime[]> {
    const byOffer = new Map<string, WaitingTime[]>();
    if (ids.length === 0) return byOffer;
    const rows = db.select().from(offerWaitingTimes).where(inArray(offerWaitingTimes.offerId, [...ids]))
      .orderBy(asc(offerWaitingTimes.seq)).all();
    for (const row of rows) byOffer.set(row.offerId, [...byOffer.get(row.offerId) ?? [], timeOf(row)]);
    return byOffer;
  }

  function withLatest(rows: readonly OfferRow[]): Offer[] {
    const times = timesOf(rows.map((r) => r.id));
    return rows.map((row) => offerOf(row, latestOf(times.get(row.id) ?? [])));
  }

  return {
    create(region: string, offer: NewOffer, now: Date, operator: Operator): Offer {
      const row: OfferRow = {
        id: randomUUID(), region, provider: offer.provider, name: offer.name, kind: offer.kind,
        laws: JSON.stringify(offer.laws), municipalities: JSON.stringify(offer.municipalities),
        minAge: offer.minAge ?? null, maxAge: offer.maxAge ?? null, createdAt: now.toISOString(),
      };
      db.$client.transaction(() => {
        db.insert(offers).values(row).run();
        auditTrail(db).append(administrationEntry(operator, 'offer_registered', row.createdAt, { offerId: row.id, region, ...offer }));
      }).immediate();
      return offerOf(row, null);
    },
    list(region: string, provider?: string): Offer[] {
      const rows = db.select().from(offers)
        .where(provider === undefined ? eq(offers.region, region) : and(eq(offers.region, region), eq(offers.provider, provider)))
        .orderBy(asc(offers.provider), asc(offers.name), asc(offers.id)).all();
      return withLatest(rows);
    },
    find(id: string): Offer | undefined {
      const rows = db.select().from(offers).where(eq(offers.id, id)).all();
      return withLatest(rows)[0];
    },
    waitingTimes(id: string): WaitingTime[] {
      return (timesOf([id]).get(id) ?? []).reverse()
        .sort((a, b) => b.measuredAt.localeCompare(a.measuredAt));
    },
    report(id: string, report: WaitingTimeReport, now: Date, operator: Operator): WaitingTime | undefined {
      const at = now.toISOString();
      return db.$client.transaction(() => {
        const [offer] = db.select({ id: offers.id, region: offers.region }).from(offers).where(eq(offers.id, id)).all();
        if (!offer) return undefined;
        db.insert(offerWaitingTimes).values({ offerId: id, ...report, reportedAt: at }).run();
        auditTrail(db).append(administrationEntry(operator, 'waiting_time_reported', at, { offerId: id, region: offer.region, ...report }));
        return { ...report, reportedAt: at };
      }).immediate();
    },
    resolve(region: string, ids: readonly string[]): Map<string, ResolvedOffer> {
      const resolved = new Map<string, ResolvedOffer>();
      if (ids.length === 0) return resolved;
      const rows = db.select().from(offers).where(and(eq(offers.region, region), inArray(offers.id, [...ids]))).all();
      for (const offer of withLatest(rows)) {
        resolved.set(offer.id, {
          provider: offer.provider, name: offer.name, kind: offer.kind,
          waitingWeeks: offer.waitingTime?.weeks ?? null, measuredAt: offer.waitingTime?.measuredAt ?? null,
        });
      }
      return resolved;
    },
    supply(region: string, period: Period): SupplyRows {
      const params = { start: period.startsAt, end: period.endsBefore, region };
      return db.$client.transaction(() => supplyRowsOf(
        advised.all(params) as Record<string, unknown>[], notStarted.all(params) as Record<string, unknown>[]))();
    },
  };
}

export type OfferRepository = ReturnType<typeof offerRepository>;
