/**
 * A real webhook receiver on 127.0.0.1 for the notification tests: records every request it gets
 * (headers and raw body), answers 200 or 500 as told, and can be closed and reopened on the same
 * port so that the sender meets a refused connection in between.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as it arrived. */
  body: string;
  /** What the receiver answered; 0 when it hung. */
  status: number;
}

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** The status every request is answered with. */
  status = 200;
  /** When true, requests are recorded but never answered (a receiver that hangs). */
  hang = false;
  #port = 0;
  readonly #server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = this.hang ? 0 : this.status;
      this.requests.push({
        method: req.method ?? '', path: req.url ?? '', headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'), status,
      });
      if (this.hang) return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver is broken');
    });
  });

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hooks/passend`;
  }

  get listening(): boolean {
    return this.#server.listening;
  }

  /** Listens on a random port the first time, on the same port after `close`. */
  async open(): Promise<void> {
    this.#server.listen(this.#port, '127.0.0.1');
    await once(this.#server, 'listening');
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('receiver has no port');
    this.#port = address.port;
  }

  /** Stops listening and drops open connections: the sender now gets connection refused. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = once(this.#server, 'close');
    this.#server.close();
    this.#server.closeAllConnections();
    await closed;
  }

  /** The requests whose Passend-Notification-Id is `id`. */
  for(id: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.headers['passend-notification-id'] === id);
  }

  /** How many requests each notification id got. */
  countsById(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.requests) {
      const id = String(r.headers['passend-notification-id']);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  /** The parsed bodies of the requests answered with 200. */
  delivered(): Record<string, unknown>[] {
    return this.requests.filter((r) => r.status === 200).map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }
}
