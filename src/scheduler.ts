/**
 * The background loops of the service, driven by the injected clock:
 * - timers: fire the due deadlines through the engine, in batches that yield to the event loop,
 *   so a backlog after downtime clears without blocking requests;
 * - delivery: send the outbox to the webhooks and the e-mail notices to people. It runs on its own, so a slow or hanging receiver
 *   never holds up deadlines, and regions are delivered side by side.
 * - housekeeping: prunes settled timers, delivered notifications and old idempotency keys
 *   (src/housekeeping.ts) every ten minutes.
 * Tests call `runOnce` after moving the clock instead of waiting. At start-up the first round
 * fires the timers that fell due while the service was down.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { CaseEngine as Engine } from './store/port.ts';
import type { DeliveryRound, WebhookDeliverer } from './notifications/webhook-deliverer.ts';
import type { Pruned } from './housekeeping.ts';

export interface Scheduler {
  /** One round of the timers and the delivery loops. */
  runOnce(): Promise<{ timersFired: number; delivery: DeliveryRound }>;
  /** One round of housekeeping (its loop runs every ten minutes). */
  housekeep(): Promise<Pruned>;
  stop(): Promise<void>;
}

const BATCH = 100;
const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A loop that runs `round` every `intervalMs`, never two rounds at once. */
function loop(round: () => Promise<unknown>, intervalMs: number, logger: Logger | undefined, name: string) {
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    current = round()
      .catch((err: unknown) => logger?.error({ err, loop: name }, 'scheduler round failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs).unref();
      });
  };
  timer = setTimeout(tick, 0).unref();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await current;
  };
}

export function createScheduler(
  engine: Pick<Engine, 'fireDueTimers'>, deliverer: WebhookDeliverer, intervalMs: number, logger?: Logger,
  prune: () => Promise<Pruned> = async () => ({ timers: 0, notifications: 0, idempotencyKeys: 0, sessions: 0, signInLinks: 0 }),
): Scheduler {
  const housekeep = async (): Promise<Pruned> => {
    const pruned = await prune();
    if (Object.values(pruned).some((n) => n > 0)) logger?.info({ pruned }, 'housekeeping');
    return pruned;
  };
  async function fireDue(): Promise<number> {
    let fired = 0;
    const failed = (seq: number, err: unknown) => logger?.error({ err, timer: seq }, 'deadline timer failed');
    // A round ends when a batch settles nothing: then only failing timers (if any) are left.
    for (let batch = await engine.fireDueTimers(BATCH, failed); batch.settled > 0;
      batch = await engine.fireDueTimers(BATCH, failed)) {
      fired += batch.fired;
      await yieldToRequests();
    }
    if (fired > 0) logger?.info({ timersFired: fired }, 'deadlines passed');
    return fired;
  }

  // The delivery loop starts a round and goes on: a region still busy sits the next rounds out.
  const startDelivery = async () => {
    deliverer.deliverDue().catch((err: unknown) => logger?.error({ err }, 'notification delivery failed'));
  };
  const stops = intervalMs > 0
    ? [loop(fireDue, intervalMs, logger, 'timers'), loop(startDelivery, intervalMs, logger, 'delivery'),
      loop(housekeep, Math.max(intervalMs, HOUSEKEEPING_INTERVAL_MS), logger, 'housekeeping')]
    : [];

  return {
    async runOnce() {
      const timersFired = await fireDue();
      return { timersFired, delivery: await deliverer.deliverDue() };
    },
    housekeep,
    async stop() {
      await Promise.all(stops.map((stop) => stop()));
      await deliverer.idle();
    },
  };
}
