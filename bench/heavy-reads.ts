/**
 * Phase (h): does a heavy read hold up the service? The real server (a child process) on the
 * report bench's 100,000-case database (about a million audit entries): autocannon sends GET
 * /health on 2 connections while (1) nothing else runs, (2) a national inspector's full audit
 * verification runs (GET /audit/verify), (3) a national signalering report over the whole window
 * runs, five times in a row. The p99 of /health during (2) and (3) against (1) says whether the
 * event loop stayed free (issue 12: both below 50 ms). The server runs without its background
 * loops (SCHEDULER_INTERVAL_MS=0), so that nothing else moves the figures.
 */
import autocannon from 'autocannon';
import type { Db } from '../src/store/sqlite/client.ts';
import { createClient } from '../src/store/sqlite/clients.ts';
import { startServer } from './http.ts';
import { WINDOW } from './report-workload.ts';

export interface HeavyReads {
  healthP99IdleMs: number;
  healthP99DuringVerifyMs: number;
  healthP99DuringReportMs: number;
  /** How long the verification and the five reports took, seen from the client. */
  verifySeconds: number;
  reportsSeconds: number;
  healthRequests: number;
  healthNon2xx: number;
}

/** /health under autocannon until `during` settles (at least `minMs`); its p99 latency in ms. */
async function healthWhile(port: number, during: () => Promise<unknown>, minMs = 2_000) {
  let finished!: (result: autocannon.Result) => void;
  let failed!: (error: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => { finished = resolve; failed = reject; });
  const instance = autocannon({ url: `http://127.0.0.1:${port}/health`, connections: 2, duration: 600 },
    (error, result) => (error ? failed(error) : finished(result)));
  const started = performance.now();
  try {
    await Promise.all([during(), new Promise((r) => setTimeout(r, minMs))]);
  } finally {
    instance.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const result = await done;
  return { p99: result.latency.p99, requests: result.requests.total, non2xx: result.non2xx, seconds };
}

export async function benchHeavyReads(db: Db, path: string): Promise<HeavyReads> {
  const { token } = createClient(db, { role: 'inspector', organisation: 'igj', region: '*', name: 'IGJ bench' }, new Date());
  // No background loops: the report database holds years of deadlines due, whose firing would be
  // the load measured instead of the heavy reads.
  const server = await startServer(path, undefined, undefined, { SCHEDULER_INTERVAL_MS: '0' });
  try {
    const get = async (url: string) => {
      const res = await fetch(`http://127.0.0.1:${server.port}/api/v1${url}`, {
        headers: { authorization: `Bearer ${token}`, 'x-purpose': 'bench' },
      });
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    // Let the start-up verification (in its own thread) finish first.
    for (let i = 0; i < 600; i++) {
      const health = await (await fetch(`http://127.0.0.1:${server.port}/health`)).json() as { audit: string };
      if (health.audit !== 'verifying') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const idle = await healthWhile(server.port, async () => {});
    const verify = await healthWhile(server.port, async () => {
      const result = await get('/audit/verify?full=true');
      if (result.ok !== true) throw new Error(`the audit does not verify: ${JSON.stringify(result)}`);
    });
    const reports = await healthWhile(server.port, async () => {
      for (let i = 0; i < 5; i++) await get(`/reports/signalering?from=${WINDOW.from}&to=${WINDOW.to}`);
    });
    return {
      healthP99IdleMs: idle.p99, healthP99DuringVerifyMs: verify.p99, healthP99DuringReportMs: reports.p99,
      verifySeconds: Math.round(verify.seconds * 10) / 10, reportsSeconds: Math.round(reports.seconds * 10) / 10,
      healthRequests: idle.requests + verify.requests + reports.requests,
      healthNon2xx: idle.non2xx + verify.non2xx + reports.non2xx,
    };
  } finally {
    await server.stop();
  }
}
