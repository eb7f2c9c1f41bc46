/**
 * Calendar days in Europe/Amsterdam: the unit every date rule of DESIGN §5.1 compares in. A date
 * ("2026-12-03") is that day; an instant is the Amsterdam day it falls on.
 */
import { DateTime } from 'luxon';
import { ZONE } from './referral.deadlines.ts';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The Amsterdam calendar day (YYYY-MM-DD) of a date or an instant. */
export function calendarDay(value: string | Date): string {
  if (typeof value === 'string' && DATE_ONLY.test(value)) return value;
  const instant = typeof value === 'string' ? DateTime.fromISO(value) : DateTime.fromJSDate(value);
  return instant.setZone(ZONE).toISODate() as string;
}
