/**
 * Housekeeping on SQLite (the policy: src/housekeeping.ts). Deletes go in batches of a thousand
 * rows, each its own short transaction, so a large backlog never holds the write lock for long.
 */
import { DateTime, Duration } from 'luxon';
import type { Db } from './client.ts';
import { DEFAULT_HOUSEKEEPING, type Pruned } from '../../housekeeping.ts';
import type { Clock } from '../../clock.ts';
import { IDEMPOTENCY_WINDOW_MS } from '../../cases/idempotency.ts';

const BATCH = 1_000;

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
