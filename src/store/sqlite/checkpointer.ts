/**
 * Moves WAL checkpoints off the request path. With SQLite's automatic checkpoints, the commit
 * that crosses 1000 WAL pages copies them into the database file and fsyncs it, on the event
 * loop: that was the p99 tail of the prototype. Here a worker thread does it on a timer with a
 * PASSIVE checkpoint, which never blocks writers.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * `onLost` is called if the worker dies: the caller then lets SQLite checkpoint on commit again,
 * so the WAL cannot grow without bound.
 */
export function startCheckpointer(path: string, intervalMs: number, logger?: Logger,
  onLost: () => void = () => {}): Checkpointer {
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
    workerData: { path, intervalMs },
  });
  worker.unref();
  let stopping = false;
  worker.on('message', (message: { type: string; message?: string }) => {
    if (message.type === 'error') logger?.warn({ error: message.message }, 'WAL checkpoint failed');
  });
  worker.on('error', (err) => logger?.error({ err }, 'checkpointer failed'));
  worker.on('exit', () => {
    if (!stopping) {
      logger?.error('checkpointer stopped; SQLite checkpoints on commit again');
      onLost();
    }
  });
  return {
    stop: () => new Promise<void>((resolve) => {
      stopping = true;
      worker.on('message', (message: { type: string }) => {
        if (message.type === 'stopped') void worker.terminate().then(() => resolve());
      });
      worker.once('exit', () => resolve());
      worker.postMessage('stop');
    }),
  };
}
