/** Housekeeping on PostgreSQL (the policy: src/housekeeping.ts). */
import { DateTime, Duration } from 'luxon';
import { IDEMPOTENCY_WINDOW_MS } from '../../cases/idempotency.ts';
import type { Clock } from '../../clock.ts';
import { DEFAULT_HOUSEKEEPING, type Pruned } from '../../housekeeping.ts';
import type { PgDb } from './client.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Housekeeping as on SQLite (src/housekeeping.ts): settled timers, sent notifications, old keys, sessions, links. */
export function pgHousekeeping(db: PgDb, clock: Clock) {
  const q = async (text: string, values: unknown[]): Promise<number> => (await db.$client.query(text, values)).rowCount ?? 0;
  return {
    async run(): Promise<Pruned> {
      const now = DateTime.fromJSDate(clock.now(), { zone: 'utc' });
      const pruned: Pruned = { timers: 0, notifications: 0, idempotencyKeys: 0, sessions: 0, signInLinks: 0 };
      const { rows } = await db.$client.query(`SELECT id, housekeeping FROM regions
        UNION SELECT DISTINCT region, NULL FROM cases WHERE region NOT IN (SELECT id FROM regions)`);
      for (const r of rows as { id: string; housekeeping: string | null }[]) {
        const before = now.minus(Duration.fromISO(r.housekeeping ?? DEFAULT_HOUSEKEEPING)).toISO();
        pruned.timers += await q(`DELETE FROM timers t USING cases c WHERE c.id = t.case_id AND c.region = $1
          AND t.status <> 'pending' AND t.settled_at < $2`, [r.id, before]);
        pruned.notifications += await q(`DELETE FROM outbox WHERE region = $1 AND status IN ('delivered', 'skipped')
          AND coalesce(delivered_at, created_at) < $2`, [r.id, before]);
      }
      pruned.idempotencyKeys = await q('DELETE FROM idempotency_keys WHERE created_at < $1', [now.minus(IDEMPOTENCY_WINDOW_MS).toISO()]);
      pruned.sessions = await q('DELETE FROM sessions WHERE last_seen_at < $1', [now.minus(DAY_MS).toISO()]);
      pruned.signInLinks = await q('DELETE FROM sign_in_links WHERE expires_at < $1', [now.toISO()]);
      return pruned;
    },
  };
}
