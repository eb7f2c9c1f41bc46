/**
 * A region's published figures of a past quarter (DESIGN §6.4): the signalering report of the
 * quarter's three months, always with small counts suppressed (§4, src/reports/suppression.ts),
 * under a stable URL `/api/v1/publications/{regionId}/{YYYY}-Q{1-4}`. A quarter is published once
 * it has ended (Europe/Amsterdam): the current and later ones are not there yet.
 */
import { amsterdamDate } from '../reports/period.ts';

export const QUARTER = /^(\d{4})-Q([1-4])$/;

/** The note every publication carries, in the JSON and in the CSV. */
export const SUPPRESSION_NOTE =
  'Published figures: every count below 5 in a breakdown is suppressed (JSON: count null, suppressed true; ' +
  'CSV: <5), and where a single count of a breakdown would be suppressed, the smallest shown count of it is ' +
  'suppressed too, so that no suppressed count can be worked back from the total and the other counts. ' +
  'Totals are exact. Lead times, waiting times and shares that rest on fewer than 5 cases are suppressed. ' +
  'Percentiles are nearest-rank. The period is the quarter\'s three calendar months, Europe/Amsterdam.';

export interface Quarter {
  /** `2026-Q3` */
  id: string;
  from: string;
  to: string;
}

/** The quarter `2026-Q3` as its first and last day; undefined when malformed. */
export function quarterOf(text: string): Quarter | undefined {
  const match = QUARTER.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const q = Number(match[2]);
  const first = `${match[1]}-${String(q * 3 - 2).padStart(2, '0')}-01`;
  const last = new Date(Date.UTC(year, q * 3, 0)).toISOString().slice(0, 10);
  return { id: text, from: first, to: last };
}

/** Whether the quarter has ended on the Amsterdam day of `now`. */
export function quarterEnded(quarter: Quarter, now: Date): boolean {
  return quarter.to < amsterdamDate(now);
}

/** The last quarter that has ended on the Amsterdam day of `now`. */
export function lastEndedQuarter(now: Date): Quarter {
  const [year, month] = amsterdamDate(now).split('-').map(Number) as [number, number];
  const current = Math.ceil(month / 3);
  return current === 1 ? quarterOf(`${year - 1}-Q4`)! : quarterOf(`${year}-Q${current - 1}`)!;
}
