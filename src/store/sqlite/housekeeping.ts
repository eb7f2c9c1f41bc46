/**
 * Housekeeping: what the service keeps only for a while is pruned, so that the database does not
 * grow without bound under a steady load. Per region (setting `housekeeping`, default P30D):
 * timers that fired or were cancelled, and notifications delivered or skipped, once settled that
 * long ago. Idempotency keys after their 24 hours (DESIGN §5.6); console sessions idle a day (longer
 * than any idle limit) and sign-in links past their 15 minutes. Pending timers, notifications
 * still to deliver or failed (an operator may retry them), the trail and the audit stay.
 *
 * Deletes go in batches of a thousand rows, each its own short transaction, so a large backlog
 * never holds the write lock for long.
 */
import { DateTime, Duration } from 'luxon';
import type { Db } from './client.ts';
import { isCalendarPeriod } from '../../../machines/referral.deadlines.ts';
import type { Clock } from '../../clock.ts';
import { IDEMPOTENCY_WINDOW_MS } from './idempotency.ts';

export const DEFAULT_HOUSEKEEPING = 'P30D';
const BATCH = 1_000;

/** A housekeeping period: whole days, months or years, at least one day. */
export const isHousekeepingPeriod = (value: string): boolean => isCalendarPeriod(value, 1);

export interface Pruned {
  timers: number;
  notifications: number;
  idempotencyKeys: number;
  sessions: number;
  signInLinks: number;
}

const DAY_MS = 86_400_000;

export function housekeeping(db: Db, clock: Clock) {
  const sqlite = db.$client;
  const regionsOf = sqlite.prepare(`SELECT id, housekeeping FROM regions
    UNION SELECT DISTINCT region, NULL FROM cases WHERE region NOT IN (SELECT id FROM regions)`);
  const timers = sqlite.prepare(`DELETE FROM timers WHERE seq IN (SELECT t.seq FROM timers t
    JOIN cases c ON c.id = t.case_id WHERE c.region = ? AND t.status <> 'pending' AND t.settled_at < ? LIMIT ${BATCH})`);
  const notifications = sqlite.prepare(`DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox
    WHERE region = ? AND status IN ('delivered', 'skipped') AND coalesce(delivered_at, created_at) < ? LIMIT ${BATCH})`);
  const keys = sqlite.prepare(`DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys
    WHERE created_at < ? LIMIT ${BATCH})`);

  const sessions = sqlite.prepare(`DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions
    WHERE last_seen_at < ? LIMIT ${BATCH})`);
  const links = sqlite.prepare(`DELETE FROM sign_in_links WHERE rowid IN (SELECT rowid FROM sign_in_links
    WHERE expires_at < ? LIMIT ${BATCH})`);
  const drain = (statement: { run: (...args: unknown[]) => { changes: number } }, ...args: unknown[]): number => {
    let total = 0;
    for (let n = statement.run(...args).changes; n > 0; n = n === BATCH ? statement.run(...args).changes : 0) total += n;
    return total;
  };

  return {
    run(): Pruned {
      const now = DateTime.fromJSDate(clock.now(), { zone: 'utc' });
      const pruned: Pruned = { timers: 0, notifications: 0, idempotencyKeys: 0, sessions: 0, signInLinks: 0 };
      for (const r of regionsOf.all() as { id: string; housekeeping: string | null }[]) {
        const before = now.minus(Duration.fromISO(r.housekeeping ?? DEFAULT_HOUSEKEEPING)).toISO();
        pruned.timers += drain(timers, r.id, before);
        pruned.notifications += drain(notifications, r.id, before);
      }
      pruned.idempotencyKeys = drain(keys, now.minus(IDEMPOTENCY_WINDOW_MS).toISO());
      pruned.sessions = drain(sessions, now.minus(DAY_MS).toISO());
      pruned.signInLinks = drain(links, now.toISO());
      return pruned;
    },
  };
}
