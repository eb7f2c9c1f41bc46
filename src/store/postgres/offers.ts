/** The offers register on PostgreSQL (DESIGN §6.4): the same rows and answers as on SQLite (the store contract). */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as schema from '../../../db/pg/schema.ts';
import { offers, offerWaitingTimes } from '../../../db/pg/schema.ts';
import { administrationEntry, type Operator } from '../../auth/actors.ts';
import { appendAudit } from './audit.ts';
import type { PgDb, PgTx } from './client.ts';
import { latestOf, offerOf, type NewOffer, type Offer, type OfferRow, type WaitingTime, type WaitingTimeReport } from '../../offers/offers.ts';
import type { ResolvedOffer } from '../../../machines/referral.supply.ts';
import type { Period } from '../../reports/period.ts';
import { postgresDialect } from '../sql/dialect.ts';
import { supplyStatements } from '../sql/supply.ts';
import { supplyRowsOf, type SupplyRows } from '../../reports/supply-raw.ts';
import type { Offers } from '../port.ts';

/** Drizzle on the pool, in a transaction, or on one transaction's connection (the engine's `Writes.tx`). */
type Reader = NodePgDatabase<typeof schema> | PgTx;

const timeOf = (row: typeof offerWaitingTimes.$inferSelect): WaitingTime =>
  ({ weeks: row.weeks, measuredAt: row.measuredAt, source: row.source, reportedAt: row.reportedAt });

async function timesOf(db: Reader, ids: readonly string[]): Promise<Map<string, WaitingTime[]>> {
  const byOffer = new Map<string, WaitingTime[]>();
  if (ids.length === 0) return byOffer;
  const rows = await db.select().from(offerWaitingTimes).where(inArray(offerWaitingTimes.offerId, [...ids]))
    .orderBy(asc(offerWaitingTimes.seq));
  for (const row of rows) byOffer.set(row.offerId, [...byOffer.get(row.offerId) ?? [], timeOf(row)]);
  return byOffer;
}

async function withLatest(db: Reader, rows: readonly OfferRow[]): Promise<Offer[]> {
  const times = await timesOf(db, rows.map((r) => r.id));
  return rows.map((row) => offerOf(row, latestOf(times.get(row.id) ?? [])));
}

/** The region's offers of these ids with their latest waiting time, read in the caller's transaction (the engine's). */
export async function resolveOffers(db: Reader, region: string, ids: readonly string[]): Promise<Map<string, ResolvedOffer>> {
  const resolved = new Map<string, ResolvedOffer>();
  if (ids.length === 0) return resolved;
  const rows = await db.select().from(offers).where(and(eq(offers.region, region), inArray(offers.id, [...ids])));
  for (const offer of await withLatest(db, rows)) {
    resolved.set(offer.id, {
      provider: offer.provider, name: offer.name, kind: offer.kind,
      waitingWeeks: offer.waitingTime?.weeks ?? null, measuredAt: offer.waitingTime?.measuredAt ?? null,
    });
  }
  return resolved;
}

export function pgOffers(db: PgDb): Offers {
  const sql = supplyStatements(postgresDialect);
  return {
    async create(region: string, offer: NewOffer, now: Date, operator: Operator): Promise<Offer> {
      const row: OfferRow = {
        id: randomUUID(), region, provider: offer.provider, name: offer.name, kind: offer.kind,
        laws: JSON.stringify(offer.laws), municipalities: JSON.stringify(offer.municipalities),
        minAge: offer.minAge ?? null, maxAge: offer.maxAge ?? null, createdAt: now.toISOString(),
      };
      await db.transaction(async (tx) => {
        await tx.insert(offers).values(row);
        await appendAudit(tx, [administrationEntry(operator, 'offer_registered', row.createdAt, { offerId: row.id, region, ...offer })]);
      });
      return offerOf(row, null);
    },
    async list(region: string, provider?: string): Promise<Offer[]> {
      const rows = await db.select().from(offers)
        .where(provider === undefined ? eq(offers.region, region) : and(eq(offers.region, region), eq(offers.provider, provider)))
        .orderBy(asc(offers.provider), asc(offers.name), asc(offers.id));
      return withLatest(db, rows);
    },
    async find(id: string): Promise<Offer | undefined> {
      return (await withLatest(db, await db.select().from(offers).where(eq(offers.id, id))))[0];
    },
    async waitingTimes(id: string): Promise<WaitingTime[]> {
      return ((await timesOf(db, [id])).get(id) ?? []).reverse().sort((a, b) => b.measuredAt.localeCompare(a.measuredAt));
    },
    async report(id: string, report: WaitingTimeReport, now: Date, operator: Operator): Promise<WaitingTime | undefined> {
      const at = now.toISOString();
      return db.transaction(async (tx) => {
        const [offer] = await tx.select({ id: offers.id, region: offers.region }).from(offers).where(eq(offers.id, id));
        if (!offer) return undefined;
        await tx.insert(offerWaitingTimes).values({ offerId: id, ...report, reportedAt: at });
        await appendAudit(tx, [administrationEntry(operator, 'waiting_time_reported', at, { offerId: id, region: offer.region, ...report })]);
        return { ...report, reportedAt: at };
      });
    },
    resolve: (region, ids) => resolveOffers(db, region, ids),
    async supply(region: string, period: Period): Promise<SupplyRows> {
      const client = await db.$client.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const params: Record<string, unknown> = { start: period.startsAt, end: period.endsBefore, region };
        const run = async (s: typeof sql.advised) =>
          (await client.query<Record<string, unknown>>(s.text, s.names.map((name) => params[name]))).rows;
        const rows = supplyRowsOf(await run(sql.advised), await run(sql.notStarted));
        await client.query('COMMIT');
        return rows;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
