/**
 * Calendar days in Europe/Amsterdam: the unit every date rule of DESIGN §5.1 compares in. A date
 * ("2026-12-03") is that day; an instant is the Amsterdam day it falls on.
 *
 * These run several times per event (every age and date rule, the case view's consent check), and
 * a time-zone lookup through Intl is the dearest part of them. Amsterdam's offset changes only on
 * a whole UTC hour (01:00 UTC, the last Sundays of March and October), so the offset of each UTC
 * hour is looked up once (luxon) and kept: the day is then plain arithmetic.
 */
import { DateTime } from 'luxon';

export const ZONE = 'Europe/Amsterdam';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HOUR_MS = 3_600_000;
const offsets = new Map<number, number>();

/** The offset of Amsterdam from UTC, in ms, during the UTC hour of `ms`. */
export function offsetAt(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    if (offsets.size >= 100_000) offsets.clear();
    offset = DateTime.fromMillis(hour * HOUR_MS, { zone: ZONE }).offset * 60_000;
    offsets.set(hour, offset);
  }
  return offset;
}

export interface CalendarDay {
  year: number;
  /** 1 to 12 */
  month: number;
  day: number;
  /** YYYY-MM-DD */
  iso: string;
}

/** The last instant asked for as text, and its day: one event asks for its own time's day many times. */
let lastText: string | undefined;
let lastDay: CalendarDay | undefined;

/** The Amsterdam calendar day of an instant (a Date, or an ISO date-time or date). Do not change the result. */
export function amsterdamDay(value: string | Date): CalendarDay {
  if (typeof value === 'string') {
    if (value === lastText) return lastDay!;
    const day = dayOf(value);
    lastText = value;
    lastDay = Object.freeze(day);
    return lastDay;
  }
  return dayOf(value);
}

function dayOf(value: string | Date): CalendarDay {
  if (typeof value === 'string' && DATE_ONLY.test(value)) {
    return { year: Number(value.slice(0, 4)), month: Number(value.slice(5, 7)), day: Number(value.slice(8, 10)), iso: value };
  }
  const ms = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a date or instant: ${String(value)}`);
  const local = new Date(ms + offsetAt(ms));
  const iso = local.toISOString().slice(0, 10);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(), iso };
}

/** The Amsterdam calendar day (YYYY-MM-DD) of a date or an instant. */
export function calendarDay(value: string | Date): string {
  if (typeof value === 'string' && DATE_ONLY.test(value)) return value;
  return amsterdamDay(value).iso;
}

/** The number of days in a month (1 to 12) of a year. */
export const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
