/**
 * The deadlines of a referral (DESIGN §3, DOMAIN R3): what they are called, how long they run by
 * default, and calendar arithmetic on ISO 8601 durations. Pure: "now" is always an argument.
 *
 * Durations are added in Europe/Amsterdam calendar time, so P5D is five calendar days at the same
 * local time across a change to or from summer time, and P3M ends on the same day of the month
 * (or the month's last day).
 */
import { DateTime, Duration } from 'luxon';
import { daysInMonth, offsetAt, ZONE } from './referral.dates.ts';

export { ZONE };

export const DEADLINE_NAMES = [
  'triage', 'overleg', 'advice', 'checkpoint', 'reassessment', 'bridging_review', 'escalation', 'commitment',
] as const;
export type DeadlineName = (typeof DEADLINE_NAMES)[number];

/**
 * How an open deadline is keyed in a case's deadline map and its timer's name: by its name, and a
 * commitment's (§6.1: one deadline per commitment) by `commitment:<id>`.
 */
export type DeadlineKey = DeadlineName | `commitment:${string}`;

export const commitmentKey = (id: string): DeadlineKey => `commitment:${id}`;

/** The deadline's name and, for a commitment's, the commitment's id. */
export function deadlineOfKey(key: string): { name: DeadlineName; commitmentId?: string } {
  return key.startsWith('commitment:')
    ? { name: 'commitment', commitmentId: key.slice('commitment:'.length) }
    : { name: key as DeadlineName };
}

export interface DeadlineSettings {
  /** Triage decision after submission. */
  triage: string;
  /** Triage decision after submission when the case is urgent. */
  triageUrgent: string;
  /** Overleg held after acceptance (from entering planning_overleg). */
  overleg: string;
  /** Advice issued after the overleg was recorded (machine 2.1.0). */
  advice: string;
  /** A follow-up checkpoint: a progress report is due this long after follow-up starts or the last report. */
  checkpoint: string;
  /** Help not started this long after the advice: the case is due for reassessment. */
  reassessment: string;
  /** An escalation unanswered this long after it was sent (§5.3). */
  escalation: string;
}

/** Deadlines with a duration setting; a bridging review and a commitment are due on the day they name. */
export type TimedDeadline = Exclude<DeadlineName, 'bridging_review' | 'commitment'>;

export const DEFAULT_DEADLINES: DeadlineSettings = {
  triage: 'P5D',
  triageUrgent: 'P1D',
  overleg: 'P14D',
  advice: 'P14D',
  checkpoint: 'P28D',
  reassessment: 'P3M',
  escalation: 'P21D',
};

/** What the engine hands the machine with every step: the time, and the region's current settings. */
export interface ReferralEnv {
  now: string;
  deadlines: DeadlineSettings;
  /** A help item waiting longer than this many weeks needs a bridging plan first. */
  bridgingThresholdWeeks: number;
}

export const DEFAULT_ENV_SETTINGS: Omit<ReferralEnv, 'now'> = {
  deadlines: DEFAULT_DEADLINES,
  bridgingThresholdWeeks: 0,
};

const ISO_DURATION =
  /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** No deadline runs longer than this: it keeps every due time a plain four-digit-year instant. */
export const MAX_DURATION_DAYS = 3_660;

/**
 * A period of the calendar (years, months, days; no time part) of at least `minDays`, such as the
 * P20Y a file is kept or the P30D settled timers are: the region settings that are not deadlines.
 */
export function isCalendarPeriod(value: string, minDays: number): boolean {
  if (!/^P(?=\d)(\d+Y)?(\d+M)?(\d+D)?$/.test(value)) return false;
  const duration = Duration.fromISO(value);
  return duration.isValid && duration.as('days') >= minDays;
}

/** A positive ISO 8601 duration of at most about ten years, such as P5D, P3M or PT2S. */
export function isIsoDuration(value: string): boolean {
  if (!ISO_DURATION.test(value)) return false;
  const duration = Duration.fromISO(value);
  return duration.isValid && duration.toMillis() > 0 && duration.as('days') <= MAX_DURATION_DAYS;
}

/*
 * Deadlines are computed on most steps (every deadline a step arms), and luxon's time-zone
 * arithmetic through Intl was the dearest part of such a step (a CPU profile of the lifecycle of
 * bench/bpmn-peer.ts; lifecycles per second went from about 250 to 300 without it). The two
 * functions below do the same arithmetic as luxon's `plus` (calendar units shift the Amsterdam
 * wall clock, a day past the month's end is clamped, time units add real milliseconds, a wall-clock
 * time in the spring-forward hole moves forward) with Amsterdam's offset per UTC hour from
 * referral.dates.ts. Inputs of another shape than the service's own (a UTC instant `…Z`, a plain
 * day) still go through luxon; test/machine/deadlines.test.ts holds both equal to luxon over
 * twenty years of instants, every change of summer time and every duration shape.
 */
const UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;
const PLAIN_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

interface ParsedDuration { years: number; months: number; days: number; ms: number }
const durations = new Map<string, ParsedDuration | null>();

/** An ISO duration's calendar part and time part; null for a shape the fast path leaves to luxon. */
function parseDuration(duration: string): ParsedDuration | null {
  let parsed = durations.get(duration);
  if (parsed === undefined) {
    const m = ISO_DURATION.exec(duration);
    const n = (part: string | undefined) => (part === undefined ? 0 : Number(part.slice(0, -1)));
    parsed = m ? {
      years: n(m[1]), months: n(m[2]), days: n(m[3]) * 7 + n(m[4]),
      // As luxon: whole seconds, and milliseconds from the first three digits of a fraction.
      ms: n(m[6]) * 3_600_000 + n(m[7]) * 60_000 + Math.trunc(n(m[8])) * 1000 +
        (m[9] === undefined ? 0 : Math.floor(parseFloat(`0${m[9]}`) * 1000)),
    } : null;
    if (durations.size < 1000) durations.set(duration, parsed);
  }
  return parsed;
}

/**
 * The UTC instant of an Amsterdam wall-clock time (`local`: its components read as if UTC), as
 * luxon's fixOffset: the offset guessed, checked, and in the spring-forward hole the later time.
 */
function fromWallClock(local: number, guess: number): number {
  let utc = local - guess;
  const o2 = offsetAt(utc);
  if (o2 === guess) return utc;
  utc -= o2 - guess;
  const o3 = offsetAt(utc);
  if (o3 === o2) return utc;
  return local - Math.min(o2, o3);
}

const isoOf = (ms: number): string => new Date(ms).toISOString();

/** The end of an Amsterdam calendar day (the first instant of the next): when a review day has passed. */
export function endOfDay(day: string): string {
  const m = PLAIN_DAY.exec(day.slice(0, 10));
  const y = Number(m?.[1]), mo = Number(m?.[2]), d = Number(m?.[3]);
  if (m && y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)) {
    // Midnight is never in Amsterdam's summer-time hole or overlap: one offset fits.
    const local = Date.UTC(y, mo - 1, d + 1);
    return isoOf(fromWallClock(local, offsetAt(local)));
  }
  const end = DateTime.fromISO(day.slice(0, 10), { zone: ZONE }).plus({ days: 1 }).startOf('day');
  if (!end.isValid) throw new Error(`not a day: ${day}`);
  return end.toUTC().toISO({ suppressMilliseconds: false }) as string;
}

/** The ISO instant `duration` after `now`, in Amsterdam calendar time. */
export function dueAfter(now: string, duration: string): string {
  const parsed = parseDuration(duration);
  let start = UTC_INSTANT.test(now) && now >= '1000' ? Date.parse(now) : NaN;
  // A day the month does not have (2026-02-30) is luxon's to refuse.
  if (!Number.isNaN(start) && isoOf(start).slice(0, 19) !== now.slice(0, 19)) start = NaN;
  if (parsed && !Number.isNaN(start)) {
    const offset = offsetAt(start);
    const wall = new Date(start + offset);
    const year = wall.getUTCFullYear() + parsed.years;
    const month = wall.getUTCMonth() + 1 + parsed.months;
    // As luxon: the day clamped to the target month's length, then the days added.
    const targetYear = year + Math.floor((month - 1) / 12);
    const targetMonth = ((month - 1) % 12 + 12) % 12 + 1;
    const day = Math.min(wall.getUTCDate(), daysInMonth(targetYear, targetMonth)) + parsed.days;
    const local = Date.UTC(targetYear, targetMonth - 1, day, wall.getUTCHours(), wall.getUTCMinutes(),
      wall.getUTCSeconds(), wall.getUTCMilliseconds());
    const due = fromWallClock(local, offset) + parsed.ms;
    if (due < Date.UTC(10000, 0, 1)) return isoOf(due);
  }
  const due = DateTime.fromISO(now, { zone: ZONE }).plus(Duration.fromISO(duration));
  if (!due.isValid) throw new Error(`cannot add ${duration} to ${now}`);
  return due.toUTC().toISO({ suppressMilliseconds: false }) as string;
}
