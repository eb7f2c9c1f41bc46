/**
 * The report period. `from` and `to` are calendar dates in Europe/Amsterdam and both are
 * included ("1 januari t/m 31 maart"): the period runs from midnight at the start of `from` to
 * midnight at the end of `to`, Dutch time, and is compared with the UTC times the engine stores.
 * Periods are whole calendar months (DESIGN §5.6): `from` the first day of a month, `to` the last
 * day of one, so that two overlapping periods cannot be subtracted to single out a small group
 * (400 PERIOD_NOT_WHOLE_MONTHS). Without `to` the period ends with the current month; without
 * `from` it starts on 1 January of the year of `to`.
 */
import { AppError } from '../errors.ts';

export const TIME_ZONE = 'Europe/Amsterdam';

export interface Period {
  from: string;
  to: string;
  /** First instant of the period (UTC, ISO 8601). */
  startsAt: string;
  /** First instant after the period (UTC, ISO 8601): the bound is exclusive. */
  endsBefore: string;
  /** The day the stock figures (open cases, thuiszitters) describe: `to`, or today if earlier. */
  asOf: string;
}

const dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, dateStyle: 'short' });
const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE, hourCycle: 'h23',
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** The calendar date in Amsterdam at this instant (YYYY-MM-DD). */
export function amsterdamDate(at: Date): string {
  return dateFormat.format(at);
}

/** Minutes Amsterdam is ahead of UTC at this instant (60 or 120). */
function offsetMinutes(at: Date): number {
  const p = Object.fromEntries(partsFormat.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** Midnight at the start of this Amsterdam date, as a UTC instant. DST never starts at midnight. */
export function startOfDay(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  return new Date(utcMidnight - offsetMinutes(new Date(utcMidnight)) * 60_000);
}

/** The date `days` after `date` (both YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The date `months` before `date`, kept within the month (31 May − 3 months = 28 February). */
export function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m - 1 - months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 - months, Math.min(d, lastDay))).toISOString().slice(0, 10);
}

/** The last day of the month of `date` (YYYY-MM-DD). */
export function endOfMonth(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export function resolvePeriod(query: { from?: string; to?: string }, now: Date): Period {
  const today = amsterdamDate(now);
  const to = query.to ?? endOfMonth(today);
  const from = query.from ?? `${to.slice(0, 4)}-01-01`;
  const broken = [
    ...(from.endsWith('-01') ? [] : [{ name: 'from', reason: 'must be the first day of a month' }]),
    ...(to === endOfMonth(to) ? [] : [{ name: 'to', reason: 'must be the last day of a month' }]),
  ];
  if (broken.length > 0) {
    throw new AppError('PERIOD_NOT_WHOLE_MONTHS', 'a report covers whole calendar months', { invalidParams: broken });
  }
  if (from > to) {
    throw new AppError('VALIDATION_FAILED', 'the period must not start after it ends', {
      invalidParams: [{ name: 'from', reason: 'must be on or before to' }],
    });
  }
  return {
    from,
    to,
    startsAt: startOfDay(from).toISOString(),
    endsBefore: startOfDay(addDays(to, 1)).toISOString(),
    asOf: to < today ? to : today,
  };
}
