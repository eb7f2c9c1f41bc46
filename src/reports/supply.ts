/**
 * The supply report (DESIGN §6.4): per kind of help, the help items advised in a period, the
 * median and 90th percentile of their waiting weeks at the advice and of their offers' waiting
 * weeks now, the items not started for lack of capacity and those waiting longer than the region's
 * norm; the custom arrangements (maatwerk) by kind and by municipality. Exact for the region's
 * expert team and inspectors; `publication` suppresses small counts as the signalering does
 * (suppression.ts), and `municipality` narrows every figure to one municipality's cases: a
 * municipality reads `supplyReport(rows, { …, municipality, publication: true })`.
 *
 * Worked out from the store's counted rows (src/store/sql/supply.ts); no case, reference or text.
 */
import { municipalityScope, readsSuppressed } from './municipality-scope.ts';
import { z } from 'zod';
import { OFFER_KINDS } from '../../machines/referral.schemas.ts';
import type { Actor } from '../auth/actors.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { Offers, Regions } from '../store/port.ts';
import { endOfMonth, resolvePeriod, TIME_ZONE, type Period } from './period.ts';
import { P90_MINIMUM } from './signalering-figures.ts';
import { suppressBreakdown, SUPPRESSION_THRESHOLD, type Cell } from './suppression.ts';
import type { SupplyRows } from './supply-raw.ts';

/** The kinds of help the report lists: the register's, and items that named none. */
export const SUPPLY_KINDS = [...OFFER_KINDS, 'unspecified'] as const;

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/, 'a month (YYYY-MM) or a date (YYYY-MM-DD)');

export const SupplyQuerySchema = z.object({
  from: month.describe('The first month of the period (YYYY-MM; or its first day, YYYY-MM-DD). Default: January of the year of `to`.')
    .optional(),
  to: month.describe('The last month of the period (YYYY-MM; or its last day). Default: the current month.').optional(),
  region: z.string().min(1).max(64).describe('For a national inspector: the region (required for them)').optional(),
  municipality: z.string().regex(/^GM\d{4}$/).describe('Only the cases of this municipality (CBS code)').optional(),
  publication: z.enum(['true', 'false']).describe('`true`: small counts suppressed, as for publication').optional(),
});
export type SupplyQuery = z.infer<typeof SupplyQuerySchema>;

const CountSchema = z.object({ key: z.string(), count: z.int().min(0).nullable(), suppressed: z.boolean() });
const WeeksSchema = z.object({
  medianWeeks: z.number().nullable(), p90Weeks: z.number().nullable(),
  suppressed: z.boolean().describe('true when fewer than 5 items underlie it (p90: fewer than 10) in the figures for publication'),
  n: z.int().min(0).optional().describe('How many items underlie it; only in the exact figures'),
});

export const SupplyReportSchema = z.object({
  region: z.string(),
  municipality: z.string().nullable().describe('The municipality the figures are narrowed to; null: the whole region'),
  period: z.object({ from: z.iso.date(), to: z.iso.date(), timeZone: z.string(), startsAt: z.string(), endsBefore: z.string() }),
  generatedAt: z.string(),
  publication: z.boolean(),
  suppressionThreshold: z.int(),
  waitingNorm: z.int().nullable().describe('The region\'s norm in weeks (region set --waiting-norm); null: none set'),
  totals: z.object({
    advised: z.int().nullable(), customArrangements: z.int().nullable(), notStartedForLackOfCapacity: z.int().nullable(),
    aboveNorm: z.int().nullable().describe('Items advised with a waiting time above the norm; null without a norm'),
  }).describe('A municipality\'s published totals below the threshold are null (suppressed): with the region\'s ' +
    'published breakdown, a small exact total could give away a neighbour\'s suppressed count'),
  byKind: z.object({
    advised: z.array(CountSchema),
    notStartedForLackOfCapacity: z.array(CountSchema),
    aboveNorm: z.array(CountSchema).describe('Empty without a norm'),
    waitingAtAdvice: z.array(WeeksSchema.extend({ key: z.string() })),
    waitingNow: z.array(WeeksSchema.extend({ key: z.string() }))
      .describe('The waiting weeks of the items\' offers in the register today (items that name an offer with a waiting time)'),
  }),
  customArrangements: z.object({
    byKind: z.array(CountSchema),
    byMunicipality: z.array(CountSchema),
  }),
}).meta({ id: 'SupplyReport' });
export type SupplyReport = z.infer<typeof SupplyReportSchema>;
export type SupplyWeeks = SupplyReport['byKind']['waitingAtAdvice'][number];

/** YYYY-MM as the first or the last day of its month; a date as it is (resolvePeriod checks whole months). */
export function periodQuery(query: Pick<SupplyQuery, 'from' | 'to'>): { from?: string; to?: string } {
  const day = (value: string | undefined, last: boolean): string | undefined =>
    value === undefined || value.length === 10 ? value : last ? endOfMonth(`${value}-01`) : `${value}-01`;
  return {
    ...query.from === undefined ? {} : { from: day(query.from, false) },
    ...query.to === undefined ? {} : { to: day(query.to, true) },
  };
}

/** Nearest-rank percentile of weighted values (value, how often). */
function percentile(values: readonly (readonly [number, number])[], p: number): number | null {
  const n = values.reduce((sum, [, count]) => sum + count, 0);
  if (n === 0) return null;
  const rank = Math.ceil((p / 100) * n);
  const sorted = [...values].sort((a, b) => a[0] - b[0]);
  let upto = 0;
  for (const [value, count] of sorted) {
    upto += count;
    if (upto >= rank) return value;
  }
  return sorted.at(-1)![0];
}

function weeks(key: string, values: readonly (readonly [number, number])[], threshold: number): SupplyWeeks {
  const n = values.reduce((sum, [, count]) => sum + count, 0);
  const exact = threshold === 0;
  if (!exact && n < threshold) return { key, medianWeeks: null, p90Weeks: null, suppressed: true };
  return {
    key, medianWeeks: percentile(values, 50),
    p90Weeks: exact || n >= P90_MINIMUM ? percentile(values, 90) : null,
    suppressed: false, ...exact ? { n } : {},
  };
}

export interface SupplyOptions {
  region: string;
  municipality?: string | null;
  period: Period;
  now: Date;
  publication: boolean;
  waitingNorm: number | null;
}

/** The report from the store's rows: narrowed to a municipality where asked, suppressed for publication. */
export function supplyReport(raw: SupplyRows, options: SupplyOptions): SupplyReport {
  const { municipality = null, publication, waitingNorm: norm } = options;
  const threshold = publication ? SUPPRESSION_THRESHOLD : 0;
  const advised = raw.advised.filter((r) => municipality === null || r.municipality === municipality);
  const notStarted = raw.notStarted.filter((r) => municipality === null || r.municipality === municipality);
  const cells = (counts: Map<string, number>, keys: readonly string[]): Cell[] => {
    const raws = keys.map((key) => ({ key, count: counts.get(key) ?? 0 }));
    return publication ? suppressBreakdown(raws) : raws.map((c) => ({ ...c, suppressed: false }));
  };
  const sum = <T extends { n: number }>(rows: readonly T[], keyOf: (row: T) => string | null): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const key = keyOf(row);
      if (key !== null) counts.set(key, (counts.get(key) ?? 0) + row.n);
    }
    return counts;
  };
  const values = (pick: (row: (typeof advised)[number]) => number | null) => (kind: string) =>
    advised.filter((r) => r.kind === kind && pick(r) !== null).map((r) => [pick(r)!, r.n] as const);
  const custom = advised.filter((r) => r.itemKind === 'custom_arrangement');
  const municipalities = [...new Set(custom.map((r) => r.municipality))].sort();
  // A municipality's published totals are suppressed below the threshold too, as the signalering's are.
  const total = (rows: readonly { n: number }[]): number | null => {
    const n = rows.reduce((s, r) => s + r.n, 0);
    return publication && municipality !== null && n > 0 && n < threshold ? null : n;
  };
  const above = norm === null ? [] : advised.filter((r) => r.atAdvice !== null && r.atAdvice > norm);
  const { period } = options;
  return {
    region: options.region,
    municipality,
    period: { from: period.from, to: period.to, timeZone: TIME_ZONE, startsAt: period.startsAt, endsBefore: period.endsBefore },
    generatedAt: options.now.toISOString(),
    publication,
    suppressionThreshold: threshold,
    waitingNorm: norm,
    totals: {
      advised: total(advised), customArrangements: total(custom), notStartedForLackOfCapacity: total(notStarted),
      aboveNorm: norm === null ? null : total(above),
    },
    byKind: {
      advised: cells(sum(advised, (r) => r.kind), SUPPLY_KINDS),
      notStartedForLackOfCapacity: cells(sum(notStarted, (r) => r.kind), SUPPLY_KINDS),
      aboveNorm: norm === null ? [] : cells(sum(above, (r) => r.kind), SUPPLY_KINDS),
      waitingAtAdvice: SUPPLY_KINDS.map((kind) => weeks(kind, values((r) => r.atAdvice)(kind), threshold)),
      waitingNow: SUPPLY_KINDS.map((kind) => weeks(kind, values((r) => r.nowWeeks)(kind), threshold)),
    },
    customArrangements: {
      byKind: cells(sum(custom, (r) => r.kind), SUPPLY_KINDS),
      byMunicipality: cells(sum(custom, (r) => r.municipality), municipalities),
    },
  };
}

/**
 * Whose figures the caller reads: the expert team and a regional inspector their own region's; a
 * national inspector names a region.
 */
export function supplyScope(actor: Actor, region: string | undefined): string {
  if (actor.role !== 'expert_team' && actor.role !== 'inspector') {
    throw new AppError('FORBIDDEN', `a ${actor.role} does not read the supply report`);
  }
  if (actor.region === '*') {
    if (region === undefined || region === '*') {
      throw new AppError('VALIDATION_FAILED', 'the supply report covers one region: name it', {
        invalidParams: [{ name: 'region', reason: 'required for a national inspector' }],
      });
    }
    return region;
  }
  if (region !== undefined && region !== actor.region) {
    throw new AppError('FORBIDDEN', 'the report covers only the caller\'s own region');
  }
  return actor.region;
}

export function supplyService(offers: Pick<Offers, 'supply'>, regions: Pick<Regions, 'get'>, clock: Clock) {
  /** The report of a region (or one of its municipalities), exact or for publication. */
  async function of(region: string, query: SupplyQuery, municipality: string | null, publication: boolean): Promise<SupplyReport> {
    const now = clock.now();
    const period = resolvePeriod(periodQuery(query), now);
    const rows = await offers.supply(region, period);
    const { waitingNorm } = await regions.get(region);
    return supplyReport(rows, { region, municipality, period, now, publication, waitingNorm });
  }
  return {
    /**
     * The report for this caller: exact for the region's expert team and inspectors; for a
     * municipality (§6.4) only its own municipality in its own region, always suppressed, whatever
     * the query asks.
     */
    async report(actor: Actor, query: SupplyQuery): Promise<SupplyReport> {
      if (readsSuppressed(actor)) {
        const own = municipalityScope(actor, query.region);
        return of(own.region, query, own.municipality, true);
      }
      const region = supplyScope(actor, query.region);
      return of(region, query, query.municipality ?? null, query.publication === 'true');
    },
  };
}

export type SupplyService = ReturnType<typeof supplyService>;
