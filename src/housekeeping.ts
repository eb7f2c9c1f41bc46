/**
 * Housekeeping, the policy both stores keep: what the service keeps only for a while is pruned, so
 * that the database does not grow without bound under a steady load. Per region (setting
 * `housekeeping`, default P30D): timers that fired or were cancelled, and notifications delivered
 * or skipped, once settled that long ago. Idempotency keys after their 24 hours (DESIGN §5.6);
 * console sessions idle a day (longer than any idle limit) and sign-in links past their 15
 * minutes. Pending timers, notifications still to deliver or failed (an operator may retry them),
 * the trail and the audit stay.
 */
import { isCalendarPeriod } from '../machines/referral.deadlines.ts';

export const DEFAULT_HOUSEKEEPING = 'P30D';

/** A housekeeping period: whole days, months or years, at least one day. */
export const isHousekeepingPeriod = (value: string): boolean => isCalendarPeriod(value, 1);

export interface Pruned {
  timers: number;
  notifications: number;
  idempotencyKeys: number;
  sessions: number;
  signInLinks: number;
}
