/**
 * The Amsterdam calendar day without a time-zone lookup per call (machines/referral.dates.ts)
 * gives the day luxon gives, for any instant, around every change of summer time too.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { amsterdamDay, calendarDay, daysInMonth } from '../../machines/referral.dates.ts';

const luxonDay = (ms: number): string => DateTime.fromMillis(ms, { zone: 'Europe/Amsterdam' }).toISODate()!;

describe('amsterdamDay', () => {
  it('is the day luxon gives, for any instant from 1980 to 2080', () => {
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1980, 0, 1), max: Date.UTC(2080, 0, 1) }), (ms) => {
      expect(amsterdamDay(new Date(ms)).iso).toBe(luxonDay(ms));
      expect(calendarDay(new Date(ms).toISOString())).toBe(luxonDay(ms));
    }), { numRuns: 5_000 });
  });

  it('is right in the minutes around each change of summer time and around midnight', () => {
    for (let year = 2020; year <= 2040; year++) {
      for (const month of [3, 10]) {
        // The last Sunday of the month, 01:00 UTC: the change.
        const last = new Date(Date.UTC(year, month, 0));
        const sunday = Date.UTC(year, month - 1, last.getUTCDate() - last.getUTCDay(), 1);
        for (let m = -120; m <= 120; m += 1) {
          const ms = sunday + m * 60_000;
          expect(amsterdamDay(new Date(ms)).iso, new Date(ms).toISOString()).toBe(luxonDay(ms));
        }
      }
      for (const midnight of [Date.UTC(year, 0, 1) - 3_600_000, Date.UTC(year, 6, 1) - 7_200_000]) {
        for (let m = -5; m <= 5; m++) expect(amsterdamDay(new Date(midnight + m * 60_000)).iso).toBe(luxonDay(midnight + m * 60_000));
      }
    }
  });

  it('reads a date as that day, and gives year, month and day', () => {
    expect(amsterdamDay('2026-12-03')).toEqual({ year: 2026, month: 12, day: 3, iso: '2026-12-03' });
    expect(amsterdamDay('2026-12-31T23:30:00Z')).toEqual({ year: 2027, month: 1, day: 1, iso: '2027-01-01' });
    expect(() => amsterdamDay('geen datum')).toThrow(RangeError);
  });

  it('daysInMonth is luxon\'s', () => {
    for (let year = 1999; year <= 2101; year++) {
      for (let month = 1; month <= 12; month++) {
        expect(daysInMonth(year, month)).toBe(DateTime.fromObject({ year, month }).daysInMonth);
      }
    }
  });
});
