/**
 * From raw counts to published figures: breakdowns with suppression (suppression.ts), shares
 * and lead times that rest on fewer than 5 cases withheld. The categories of every breakdown
 * come from the machine's own schemas, so a category with no cases is listed (and suppressed)
 * rather than missing.
 */
import { LIFECYCLE_STATES } from '../../machines/referral.machine.ts';
import {
  CaseSubmissionSchema, DISRUPTIONS, EVENT_SCHEMAS, PROBLEM_AREAS, REASON_CODES, SCHOOL_STATUSES,
} from '../../machines/referral.schemas.ts';
import { SUPPRESSION_THRESHOLD, suppressBreakdown, type RawCell } from './suppression.ts';
import type { Distribution, RawFigures } from './signalering-raw.ts';

export const CATEGORIES = {
  referrerKind: CaseSubmissionSchema.shape.referrer.shape.kind.options,
  problemArea: PROBLEM_AREAS,
  openState: LIFECYCLE_STATES.filter((s) => s !== 'closed'),
  schoolStatus: SCHOOL_STATUSES,
  outcome: EVENT_SCHEMAS.CLOSE.shape.outcome.options,
  familyViewOfFit: EVENT_SCHEMAS.CLOSE.shape.familyViewOfFit.options,
  disruption: DISRUPTIONS,
  notAttending: ['more_than_3_months', 'up_to_3_months', 'outside_school_age'],
  reason: REASON_CODES,
} as const;

/** The report's decision keys and the event types they count. */
export const DECISIONS = {
  accepted: 'ACCEPT', declined: 'DECLINE', consultation_only: 'CONSULT',
  escalated: 'ESCALATE', withdrawn: 'WITHDRAW', closed: 'CLOSE',
} as const;

const TOOK_PART = ['present', 'heard_beforehand', 'represented'];
/** Values needed before a 90th percentile is not simply the largest value. */
export const P90_MINIMUM = 10;

export class Figures {
  /**
   * `threshold`: below it a figure is suppressed, SUPPRESSION_THRESHOLD for publication (§4); 0 for
   * the region's expert team and inspectors, who may open every file anyway and see exact counts (§6.2).
   */
  constructor(private readonly raw: RawFigures, readonly threshold: number = SUPPRESSION_THRESHOLD,
    /**
     * Whether a total below the threshold is suppressed too: a municipality's totals are one cell
     * of the region's published breakdown by municipality, and an exact small one would let it work
     * back the suppressed cells of its neighbours (municipality-scope.ts).
     */
    readonly smallTotalsSuppressed = false) {}

  /** A total as shown: exact, or null when small and this report suppresses small totals. */
  shownTotal(total: number): number | null {
    return this.smallTotalsSuppressed && total < this.threshold ? null : total;
  }

  /** A breakdown of raw cells with this report's suppression. */
  suppress(cells: readonly RawCell[]) {
    return suppressBreakdown(cells, this.threshold);
  }

  counts(figure: string): Map<string, number> {
    return this.raw.counts.get(figure) ?? new Map<string, number>();
  }

  count(figure: string, key = ''): number {
    return this.counts(figure).get(key) ?? 0;
  }

  total(figure: string): number {
    let sum = 0;
    for (const n of this.counts(figure).values()) sum += n;
    return sum;
  }

  /** Raw cells over the known categories, plus any other key the data holds. */
  cells(figure: string, categories: readonly string[]): RawCell[] {
    const counts = this.counts(figure);
    const keys = [...categories, ...[...counts.keys()].filter((k) => !categories.includes(k)).sort()];
    return keys.map((key) => ({ key, count: counts.get(key) ?? 0 }));
  }

  /** Cells over the categories; keys that fail `keep` are added up into one cell `into`. */
  cellsMerged(figure: string, categories: readonly string[], keep: (key: string) => boolean, into: string): RawCell[] {
    const cells = this.cells(figure, categories).filter((cell) => keep(cell.key));
    const merged = this.cells(figure, categories).filter((cell) => !keep(cell.key))
      .reduce((sum, cell) => sum + cell.count, 0);
    return merged > 0 ? [...cells, { key: into, count: merged }] : cells;
  }

  breakdown(figure: string, categories: readonly string[]) {
    return this.suppress(this.cells(figure, categories));
  }

  /**
   * A share times its exact total gives back the part: so the part and the rest must each be at
   * least the threshold too, or the share would publish a small count.
   */
  share(part: number, whole: number) {
    // Exact figures of no cases: no share, and nothing withheld.
    if (whole === 0 && this.threshold === 0) return { share: null, suppressed: false };
    const small = whole === 0 || [part, whole - part].some((n) => n < this.threshold);
    return small
      ? { share: null, suppressed: true }
      : { share: Math.round((part / whole) * 1000) / 1000, suppressed: false };
  }

  tookPart(who: 'youth' | 'parents') {
    const counts = this.counts(`overleg.${who}`);
    return this.share(TOOK_PART.reduce((sum, k) => sum + (counts.get(k) ?? 0), 0), this.total(`overleg.${who}`));
  }

  /** For publication a 90th percentile needs P90_MINIMUM values (else it is one child's); exact figures show it. */
  p90Shown(d: Distribution): boolean {
    return this.threshold === 0 || d.n >= P90_MINIMUM;
  }

  /**
   * How many values underlie a distribution's figures, for the exact figures only: for publication
   * it is left out (a median's n would be a small count, and stays out also when it is not).
   */
  sizeOf(kind: string): { n?: number } {
    return this.threshold === 0 ? { n: this.raw.distributions.get(kind)?.n ?? 0 } : {};
  }

  distribution(kind: string): Distribution | undefined {
    const d = this.raw.distributions.get(kind);
    return d && d.n > 0 && d.n >= this.threshold ? d : undefined;
  }

  /**
   * With fewer than 10 values the nearest-rank 90th percentile is the largest one: one child's own
   * lead time, so it is withheld (null) while the median is shown.
   */
  leadTime(kind: string) {
    const d = this.distribution(kind);
    return d
      ? { medianDays: d.p50, p90Days: this.p90Shown(d) ? d.p90 : null, suppressed: false, ...this.sizeOf(kind) }
      : { medianDays: null, p90Days: null, suppressed: this.threshold > 0, ...this.sizeOf(kind) };
  }

  get municipalities(): string[] {
    return this.raw.municipalities;
  }
}
