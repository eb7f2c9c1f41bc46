/**
 * A worker thread with its own read-only connection to the database file, for the heavy reads
 * (audit verification, reports) that must not hold up the event loop serving requests. Calls are
 * answered in order, one at a time; the thread does not keep the process alive while idle.
 *
 * The worker module (`entry`, an .mjs that registers tsx) handles messages `{ id, request }` and
 * answers `{ id, response }` or `{ id, error }`; `serveReads` below is its side.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openSqlite } from './connection.ts';

export interface ReadThread<Request, Response> {
  call(request: Request): Promise<Response>;
  close(): Promise<void>;
}

export function readThread<Request, Response>(entry: URL, path: string): ReadThread<Request, Response> {
  let worker: Worker | null = null;
  let next = 0;
  const waiting = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void }>();
  const inFlight = new Set<Promise<Response>>();
  const failAll = (error: Error): void => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    worker = null;
  };
  const started = (): Worker => {
    if (worker) return worker;
    const w = new Worker(entry, { workerData: { path } });
    w.on('message', (message: { id: number; response?: Response; error?: string }) => {
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (waiting.size === 0) w.unref();
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.response as Response);
    });
    w.on('error', failAll);
    w.on('exit', () => failAll(new Error('the read thread stopped')));
    worker = w;
    return w;
  };
  return {
    call(request) {
      const w = started();
      w.ref();
      const id = ++next;
      const answer = new Promise<Response>((resolve, reject) => waiting.set(id, { resolve, reject }));
      inFlight.add(answer);
      void answer.then(() => inFlight.delete(answer), () => inFlight.delete(answer));
      w.postMessage({ id, request });
      return answer;
    },
    async close() {
      const w = worker;
      if (!w) return;
      // Let the calls under way finish, then stop the thread.
      await Promise.allSettled([...inFlight]);
      worker = null;
      await w.terminate();
    },
  };
}

/** The worker's side: a read-only connection to the file, and `handle` for every request. */
export function serveReads<Request, Response>(handle: (sqlite: Database.Database) => (request: Request) => Response): void {
  const { path } = workerData as { path: string };
  const sqlite = openSqlite(path, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  const answer = handle(sqlite);
  parentPort?.on('message', ({ id, request }: { id: number; request: Request }) => {
    try {
      parentPort?.postMessage({ id, response: answer(request) });
    } catch (error) {
      parentPort?.postMessage({ id, error: String(error) });
    }
  });
}
