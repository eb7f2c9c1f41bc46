/**
 * The deadlines of a referral (DESIGN §3, DOMAIN R3): what they are called, how long they run by
 * default, and calendar arithmetic on ISO 8601 durations. Pure: "now" is always an argument.
 *
 * Durations are added in Europe/Amsterdam calendar time, so P5D is five calendar days at the same
 * local time across a change to or from summer time, and P3M ends on the same day of the month
 * (or the month's last day).
 */
import { DateTime, Duration } from 'luxon';

export const DEADLINE_NAMES = ['triage', 'overleg', 'checkpoint', 'reassessment', 'bridging_review', 'escalation'] as const;
export type DeadlineName = (typeof DEADLINE_NAMES)[number];

export interface DeadlineSettings {
  /** Triage decision after submission. */
  triage: string;
  /** Triage decision after submission when the case is urgent. */
  triageUrgent: string;
  /** Overleg held after acceptance (from entering planning_overleg). */
  overleg: string;
  /** A follow-up checkpoint: a progress report is due this long after follow-up starts or the last report. */
  checkpoint: string;
  /** Help not started this long after the advice: the case is due for reassessment. */
  reassessment: string;
  /** An escalation unanswered this long after it was sent (§5.3). */
  escalation: string;
}

/** Deadlines with a duration setting; bridging_review is due on the day the plan names. */
export type TimedDeadline = Exclude<DeadlineName, 'bridging_review'>;

export const DEFAULT_DEADLINES: DeadlineSettings = {
  triage: 'P5D',
  triageUrgent: 'P1D',
  overleg: 'P14D',
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

export const ZONE = 'Europe/Amsterdam';

/** The end of an Amsterdam calendar day (the first instant of the next): when a review day has passed. */
export function endOfDay(day: string): string {
  const end = DateTime.fromISO(day.slice(0, 10), { zone: ZONE }).plus({ days: 1 }).startOf('day');
  if (!end.isValid) throw new Error(`not a day: ${day}`);
  return end.toUTC().toISO({ suppressMilliseconds: false }) as string;
}

/** The ISO instant `duration` after `now`, in Amsterdam calendar time. */
export function dueAfter(now: string, duration: string): string {
  const due = DateTime.fromISO(now, { zone: ZONE }).plus(Duration.fromISO(duration));
  if (!due.isValid) throw new Error(`cannot add ${duration} to ${now}`);
  return due.toUTC().toISO({ suppressMilliseconds: false }) as string;
}
