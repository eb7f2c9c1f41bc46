/**
 * The background loops of the service: fire due timers through the engine, and deliver the
 * outbox. Both are driven by the injected clock, so tests call `runOnce` after moving time
 * instead of waiting. At start-up the first round fires the timers that fell due while the
 * service was down.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { CaseEngine } from './cases/case-engine.ts';
import type { WebhookDeliverer } from './notifications/webhook-deliverer.ts';

export interface Scheduler {
  runOnce(): Promise<{ timersFired: number }>;
  stop(): Promise<void>;
}

export function createScheduler(
  engine: CaseEngine, deliverer: WebhookDeliverer, intervalMs: number, logger?: Logger,
): Scheduler {
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  async function runOnce(): Promise<{ timersFired: number }> {
    let timersFired = 0;
    // Fire in batches until nothing is due, so a backlog after downtime clears in one round.
    for (let batch = engine.fireDueTimers(); batch.settled > 0; batch = engine.fireDueTimers()) {
      timersFired += batch.fired;
    }
    if (timersFired > 0) logger?.info({ timersFired }, 'deadlines passed');
    await deliverer.deliverDue();
    return { timersFired };
  }

  function tick(): void {
    running = runOnce()
      .catch((err: unknown) => logger?.error({ err }, 'scheduler round failed'))
      .finally(() => {
        if (timer !== undefined) timer = setTimeout(tick, intervalMs).unref();
      });
  }

  if (intervalMs > 0) {
    timer = setTimeout(tick, 0).unref();
  }

  return {
    runOnce,
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
