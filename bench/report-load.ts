/**
 * The report bench's bulk load on both cores: `workers` worker threads (report-load-worker.ts)
 * each take every `workers`-th batch of BATCH cases, compute it (the statechart steps, pure:
 * planCase) outside any transaction, then wait for their turn and write it through the engine's
 * own case writer (writePlan) in one transaction on their own connection. Batches are written
 * strictly in order (a turn counter in shared memory), so the database holds exactly what the
 * single-threaded loadCases writes, in the same order; only the computing overlaps the writing.
 */
import { Worker } from 'node:worker_threads';
import type { RegionActors } from './report-workload.ts';

export const BATCH = 1000;

export interface LoadJob {
  path: string;
  actors: RegionActors[];
  from: number;
  to: number;
  worker: number;
  workers: number;
  /** Int32Array over it: [0] the index of the batch whose turn it is to write; -1 aborts. */
  turn: SharedArrayBuffer;
}

/** Loads cases [from, to) into the database file at `path` (already migrated, WAL). */
export async function loadCasesParallel(path: string, actors: RegionActors[], from: number, to: number,
  workers = 2): Promise<void> {
  const turn = new SharedArrayBuffer(4);
  const flag = new Int32Array(turn);
  const threads = Array.from({ length: workers }, (_, worker) => new Worker(
    new URL('./report-load-worker.mjs', import.meta.url),
    { workerData: { path, actors, from, to, worker, workers, turn } satisfies LoadJob },
  ));
  const abort = (): void => { Atomics.store(flag, 0, -1); Atomics.notify(flag, 0); };
  try {
    await Promise.all(threads.map((t) => new Promise<void>((resolve, reject) => {
      t.once('error', (err) => { abort(); reject(err); });
      t.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`report loader exited with ${code}`))));
    })));
  } finally {
    abort();
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
