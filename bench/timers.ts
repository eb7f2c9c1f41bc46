/**
 * Phase (d): the scheduler delivering due deadline timers, on its own fresh copy of the seeded
 * database (the service's pragmas, its background checkpointer).
 *
 * Every seeded submission armed its triage deadline (P5D after the submission; the seed clock
 * gives each case its own millisecond, so the due times are distinct and in submission order).
 * The phase drives the real scheduler (src/scheduler.ts createScheduler(...).runOnce(): the
 * engine's fireDueTimers in batches of 100, yielding to the event loop between batches) with a
 * ManualClock from src/clock.ts: to run block [from, to) it moves the clock to the due time of
 * the block's last timer, so exactly that block's timers are due, and each is delivered through
 * the engine's fireTimer path (one BEGIN IMMEDIATE per timer: settle the timer, step the
 * statechart, update the case, the case_events and audit entries, the outbox notification).
 * The outbox is not delivered here (an idle deliverer): only the timers are timed.
 */
import type { Db } from '../src/store/sqlite/client.ts';
import { caseEngine } from '../src/store/sqlite/engine.ts';
import { ManualClock } from '../src/clock.ts';
import type { WebhookDeliverer } from '../src/notifications/webhook-deliverer.ts';
import { createScheduler } from '../src/scheduler.ts';
import { asAsync } from '../src/store/sqlite/store.ts';
import type { Seeded } from './workload.ts';

const idleDeliverer = {
  deliverDue: async () => ({ delivered: 0, retried: 0, failed: 0, skipped: 0 }),
} as unknown as WebhookDeliverer;

export interface TimerFirer {
  /** Fires the triage timers of the warm-up cases. */
  warmup(): Promise<number>;
  /** Fires the timers of timed cases [from, to); throws unless exactly those fire. */
  block(from: number, to: number): Promise<{ seconds: number; fired: number }>;
}

export function timerFirer(seeded: Seeded): TimerFirer {
  const sqlite = seeded.db.$client;
  const rows = sqlite.prepare("SELECT case_id AS caseId, due_at AS dueAt FROM timers WHERE status = 'pending'")
    .all() as { caseId: string; dueAt: string }[];
  const dueOf = new Map(rows.map((r) => [r.caseId, r.dueAt]));
  const order = [...seeded.warmupIds, ...seeded.caseIds];
  if (rows.length !== order.length || order.some((id) => !dueOf.has(id))) {
    throw new Error(`timers: expected one pending timer per seeded case, found ${rows.length} for ${order.length} cases`);
  }
  for (let i = 1; i < order.length; i++) {
    if (!(dueOf.get(order[i]!)! > dueOf.get(order[i - 1]!)!)) {
      throw new Error('timers: the seeded due times are not strictly increasing in submission order');
    }
  }

  const clock = new ManualClock(dueOf.get(order[0]!)!);
  const scheduler = createScheduler(asAsync(caseEngine(seeded.db, clock)), idleDeliverer, 0);
  const fireUntil = async (caseId: string): Promise<{ seconds: number; fired: number }> => {
    clock.set(dueOf.get(caseId)!);
    const start = performance.now();
    const { timersFired } = await scheduler.runOnce();
    return { seconds: (performance.now() - start) / 1000, fired: timersFired };
  };

  return {
    async warmup() {
      if (seeded.warmupIds.length === 0) return 0;
      const { fired } = await fireUntil(seeded.warmupIds.at(-1)!);
      if (fired !== seeded.warmupIds.length) throw new Error(`timers: warm-up fired ${fired} of ${seeded.warmupIds.length}`);
      return fired;
    },
    async block(from, to) {
      const r = await fireUntil(seeded.caseIds[to - 1]!);
      if (r.fired !== to - from) throw new Error(`timers: block [${from}, ${to}) fired ${r.fired} timers, expected ${to - from}`);
      return r;
    },
  };
}

/** What the timers phase left: passed deadlines in the trail, and timers still pending. */
export function timerVolume(db: Db): { deadlinesPassed: number; pending: number; fired: number; notifications: number } {
  const one = (sql: string) => (db.$client.prepare(sql).get() as { n: number }).n;
  return {
    deadlinesPassed: one("SELECT count(*) n FROM case_events WHERE type = 'DEADLINE_PASSED'"),
    pending: one("SELECT count(*) n FROM timers WHERE status = 'pending'"),
    fired: one("SELECT count(*) n FROM timers WHERE status = 'fired'"),
    notifications: one("SELECT count(*) n FROM outbox WHERE kind = 'deadline_passed'"),
  };
}
