/**
 * Ages and consent (DESIGN §5.1, DOMAIN R9 and R11). A youth is known by birth month or birth
 * year only (the overleg works pseudonymously, R10), so the age on a given day is a set: one age
 * with a month (two when the birthday falls in that very month and is not yet certainly passed),
 * two with a year. Every rule that depends on age must hold for every age in the set.
 *
 * Pure: the day is an argument, in Europe/Amsterdam calendar time.
 */
import { amsterdamDay, daysInMonth, type CalendarDay } from './referral.dates.ts';

export interface BirthDate {
  /** "YYYY-MM" */
  birthMonth?: string | undefined;
  birthYear?: number | undefined;
}

/** The oldest a youth may be for the expert team: verlengde jeugdhulp runs to 23 (R11). */
export const MAX_AGE = 22;
/** From this age on, only with extended care (verlengde jeugdhulp). */
export const ADULT_AGE = 18;
/** A BEN registers youths up to 21 (R11). */
export const MAX_BEN_AGE = 21;

/** The whole ages a youth born in `year`-`month` can have on `day` (Amsterdam calendar). */
function agesForMonth(year: number, month: number, day: CalendarDay): number[] {
  const base = day.year - year;
  if (month < day.month) return [base];
  if (month > day.month) return [base - 1];
  // Born this very month: the birthday has passed for the days up to today, not after it.
  return day.day >= daysInMonth(year, month) ? [base] : [base - 1, base];
}

/** The possible ages on the day of `at`, in ascending order. */
export function possibleAges(birth: BirthDate, at: Date | string): number[] {
  const day = amsterdamDay(typeof at === 'string' ? at : new Date(at));
  if (birth.birthMonth !== undefined) {
    const [year, month] = birth.birthMonth.split('-').map(Number) as [number, number];
    return agesForMonth(year, month, day);
  }
  if (birth.birthYear === undefined) throw new Error('a birth month or year is required');
  // The union of agesForMonth over the twelve months, without building it: born this very month,
  // the youth may be `base` already; born in a later month (or this month, birthday not certainly
  // passed) one less. (Every rule asks this on every event; the loop's sets were a tenth of an
  // event's allocations. referral.age.test.ts holds both equal on every day of several years.)
  const base = day.year - birth.birthYear;
  const oneLess = day.month < 12 || day.day < daysInMonth(birth.birthYear, day.month);
  return oneLess ? [base - 1, base] : [base];
}

/** Whether the ages are within the expert team's reach: 0 to 22, and 18+ only with extended care. */
export function agesInRange(ages: readonly number[], extendedCare: boolean): boolean {
  return ages.every((age) => age >= 0 && age <= MAX_AGE && (age < ADULT_AGE || extendedCare));
}

export type ConsentParty = 'youth' | 'parents';

/**
 * Whose consent R9 asks for at one age: under 12 the parents (or guardian) with authority, 12 to
 * 15 the youth and the parents, 16 and over the youth.
 */
export function consentPartiesAt(age: number): ConsentParty[] {
  if (age < 12) return ['parents'];
  if (age < 16) return ['youth', 'parents'];
  return ['youth'];
}

/** Whose consent is needed so that it holds for every possible age. */
export function consentPartiesFor(ages: readonly number[]): ConsentParty[] {
  const parties = new Set(ages.flatMap(consentPartiesAt));
  return (['youth', 'parents'] as const).filter((p) => parties.has(p));
}
