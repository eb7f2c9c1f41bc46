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
}

export const MUNICIPALITY_SOURCE: { source: string; retrieved: string } = {
  source: list.source, retrieved: list.retrieved,
};

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
