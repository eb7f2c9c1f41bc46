/**
 * The Dutch municipalities (gemeenten) by CBS code, with the day each code came into force and
 * the last day it was in force, so that a case is checked against the list of its own day: a
 * case of 2026 may not name a municipality that merged away in 2023, and a case of 2022 may.
 *
 * The list is data kept in the repository (machines/data/municipalities.json, with its source and
 * the day it was taken); README "Updating the municipality list" says how it is renewed each year.
 */
import list from './data/municipalities.json' with { type: 'json' };
import { calendarDay } from './referral.dates.ts';

export interface Municipality {
  code: string;
  name: string;
  /** First day in force; null when in force since before the list begins. */
  from: string | null;
  /** Last day in force; null while in force. */
  until: string | null;
  /** Other names people use (Den Haag for 's-Gravenhage), for the public search. */
  aliases?: string[];
}

/** Where the list comes from, the day CBS's list describes, and how many were in force then. */
export const MUNICIPALITY_SOURCE: {
  source: string; sourceUrl: string; inForceOn: string; inForceCount: number; retrieved: string;
} = {
  source: list.source, sourceUrl: list.sourceUrl, inForceOn: list.inForceOn, inForceCount: list.inForceCount,
  retrieved: list.retrieved,
};

/** The shape of a CBS municipality code: GM and four digits. */
export const MUNICIPALITY_CODE = /^GM\d{4}$/;

const byCode = new Map<string, Municipality[]>();
for (const m of list.municipalities as Municipality[]) {
  byCode.set(m.code, [...(byCode.get(m.code) ?? []), m]);
}

/** Whether `code` names a municipality in force on the Amsterdam day of `at`. */
export function municipalityInForce(code: string, at: string | Date): boolean {
  const day = calendarDay(at);
  return (byCode.get(code) ?? []).some((m) =>
    (m.from === null || m.from <= day) && (m.until === null || day <= m.until));
}

/** The municipalities in force on the Amsterdam day of `at`. */
export function municipalitiesInForce(at: string | Date): Municipality[] {
  const day = calendarDay(at);
  return (list.municipalities as Municipality[]).filter((m) =>
    (m.from === null || m.from <= day) && (m.until === null || day <= m.until));
}

/** The name of a code, for people (the console, the report); undefined when unknown. */
export function municipalityName(code: string): string | undefined {
  return byCode.get(code)?.at(-1)?.name;
}

const inForceOn = (m: Municipality, day: string): boolean =>
  (m.from === null || m.from <= day) && (m.until === null || day <= m.until);

/** The municipality a code names on the Amsterdam day of `at`; undefined when not in force then. */
export function municipalityInForceByCode(code: string, at: string | Date): Municipality | undefined {
  const day = calendarDay(at);
  return (byCode.get(code) ?? []).find((m) => inForceOn(m, day));
}

/** Lower case, without accents, apostrophes, hyphens or extra spaces: "'s-Hertogenbosch" → "s hertogenbosch". */
export function searchKey(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
    .replace(/[\u2018\u2019'`]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
}

/**
 * The municipalities in force on the Amsterdam day of `at` that a search names: a GM code (case
 * and spaces ignored) gives that one; a name gives the exact matches (of the name or an alias,
 * case, accents and punctuation ignored) or, when there are none, those whose name or alias starts
 * with it, then those that contain it. Empty when nothing matches.
 */
export function findMunicipalities(query: string, at: string | Date): Municipality[] {
  const compact = query.replace(/\s+/g, '').toUpperCase();
  if (MUNICIPALITY_CODE.test(compact)) {
    const one = municipalityInForceByCode(compact, at);
    return one ? [one] : [];
  }
  const key = searchKey(query);
  if (key === '') return [];
  const all = municipalitiesInForce(at);
  const names = (m: Municipality): string[] => [m.name, ...(m.aliases ?? [])].map(searchKey);
  for (const test of [(n: string) => n === key, (n: string) => n.startsWith(key), (n: string) => n.includes(key)]) {
    const found = all.filter((m) => names(m).some(test));
    if (found.length > 0) return found.sort((a, b) => a.name.localeCompare(b.name, 'nl'));
  }
  return [];
}
