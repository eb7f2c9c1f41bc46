/**
 * Phase (c): the real server as a child process, started as `npm start` starts it, loaded with
 * autocannon from this process over 127.0.0.1, so the load generator never shares the server's
 * event loop. Every request is POST /api/v1/cases/{id}/events; a shared counter hands each
 * request the next event of the plan, so no two in-flight requests touch the same case.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { MIX, CONNECTIONS, CHECKPOINT_INTERVAL_MS, planned, bodyOf, type Client, type Sender } from './workload.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The node options `npm start` runs the server with (package.json's start script, up to the
 * entry), so the bench measures the service as it is started.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== 'node' || !words.includes('src/server.ts')) throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return words.slice(1, words.indexOf('src/server.ts'));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerChild {
  child: ChildProcess;
  port: number;
  /** Last output of the child, for error messages. */
  output(): string;
  /** SIGTERM (the server closes cleanly and checkpoints), SIGKILL after a grace period. */
  stop(): Promise<number | null>;
}

/** `entry`: the server's entry module, relative to the project (src/server.ts, the service). */
export async function startServer(databasePath: string, cpuProfDir?: string, entry = 'src/server.ts',
  env: Record<string, string> = {}): Promise<ServerChild> {
  const port = await freePort();
  const args = startFlags();
  if (cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  args.push(entry);
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_PATH: databasePath,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SQLITE_SYNCHRONOUS: 'FULL',
      CHECKPOINT_INTERVAL_MS: String(CHECKPOINT_INTERVAL_MS),
      // One client sends the whole load: the bench measures the engine, not the per-client limit.
      RATE_LIMIT_PER_CLIENT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => { running = false; });

  const stop = async (): Promise<number | null> => {
    if (!running) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => { if (running) child.kill('SIGKILL'); }, 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  // Ready when /health answers 200.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!running) throw new Error(`server exited before it was ready:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not ready after 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, output: () => output, stop };
}

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  seconds: number;
  /** 2xx latencies in ms, sorted, at full (sub-ms) resolution. */
  latencies: Float64Array;
  /** autocannon's own (integer-ms histogram) percentiles, for reference. */
  autocannonP50: number;
  autocannonP99: number;
}

/**
 * Sends events [from, from + amount) of the plan over `ids`, each once, with CONNECTIONS
 * connections, and stops by itself (autocannon `amount`, plus a watchdog after `maxSeconds`).
 */
export async function load(port: number, ids: string[], clients: Record<Sender, Client>,
  from: number, amount: number, maxSeconds: number): Promise<LoadResult> {
  const end = from + amount;
  const bodies = MIX.map((_, step) => JSON.stringify(bodyOf(step)));
  const headers = MIX.map((s) => ({
    'content-type': 'application/json',
    authorization: `Bearer ${clients[s.as].token}`,
  }));
  let next = from;
  const latencies = new Float64Array(amount);
  let okCount = 0;
  const statusCounts: Record<string, number> = {};

  let finish!: (err: Error | null, result: autocannon.Result) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (err, result) => (err ? reject(err) : resolve(result));
  });
  const started = performance.now();
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    pipelining: 1,
    amount,
    timeout: 10,
    method: 'POST',
    requests: [{
      method: 'POST',
      setupRequest: (req) => {
        const i = next++;
        // Past the slice (never expected with `amount`): a note, which fits any state.
        const { caseIndex, step } = i < end ? planned(i, ids.length)
          : { caseIndex: i % ids.length, step: MIX.findIndex((m) => m.type === 'ADD_NOTE') };
        return { ...req, method: 'POST', path: `/api/v1/cases/${ids[caseIndex]}/events`,
          headers: headers[step], body: bodies[step] };
      },
    }],
  }, (err, result) => finish(err, result));
  // autocannon notices that all connections are done only on its next one-second tick, so its
  // own duration is rounded up to whole seconds: time the run to its last response instead.
  let lastResponseAt = started;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    lastResponseAt = performance.now();
    statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300 && okCount < amount) latencies[okCount++] = responseTime;
  });
  const watchdog = setTimeout(() => (instance as unknown as { stop(): void }).stop(), maxSeconds * 1000);
  const result = await finished.finally(() => clearTimeout(watchdog));
  const seconds = (lastResponseAt - started) / 1000;

  const sorted = latencies.slice(0, okCount).sort();
  const ok = result['2xx'];
  return {
    requests: Object.values(statusCounts).reduce((a, b) => a + b, 0),
    ok,
    non2xx: result.non2xx,
    statusCounts,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    latencies: sorted,
    autocannonP50: result.latency.p50,
    autocannonP99: result.latency.p99,
  };
}

export interface PacedResult {
  ok: number;
  requests: number;
  statusCounts: Record<string, number>;
  errors: number;
  /** ms from each request's planned send time to its answer, 2xx only, after the first half second, sorted. */
  latencies: Float64Array;
}

/**
 * Open-loop load: sends events [from, from + amount) of the plan at `rate` requests per second,
 * evenly spaced, over at most CONNECTIONS kept-alive connections, whether or not earlier answers
 * are in. Each latency runs from the time the request was planned to be sent, so a request that
 * waited for a free connection counts its wait (no coordinated omission). autocannon's own rate
 * option sends each second's requests in a burst at the start of the second, which is not this.
 */
export async function pacedLoad(port: number, ids: string[], clients: Record<Sender, Client>,
  from: number, amount: number, rate: number, onAnswer?: (at: number, ms: number) => void): Promise<PacedResult> {
  // The first half second opens the connections (a new connection's first answers are slow on
  // either side): sent and checked, not timed.
  const untimed = Math.ceil(rate / 2);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const bodies = MIX.map((_, step) => JSON.stringify(bodyOf(step)));
  const statusCounts: Record<string, number> = {};
  const latencies: number[] = [];
  let errors = 0;
  let ok = 0;
  const send = (i: number, plannedAt: number) => new Promise<void>((resolve) => {
    const { caseIndex, step } = planned(i, ids.length);
    const req = request({
      agent, host: '127.0.0.1', port, method: 'POST', path: `/api/v1/cases/${ids[caseIndex]}/events`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clients[MIX[step]!.as].token}` },
    }, (res) => {
      res.resume();
      // An answer cut off mid-body counts as an error (and the run still ends).
      res.on('error', () => { errors += 1; resolve(); });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        const now = performance.now();
        if (i - from >= untimed) {
          if (status >= 200 && status < 300) latencies.push(now - plannedAt);
          onAnswer?.(now, now - plannedAt);
        }
        if (status >= 200 && status < 300) ok += 1;
        resolve();
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => { errors += 1; resolve(); });
    req.end(bodies[step]);
  });
  const interval = 1000 / rate;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  while (sent < amount) {
    const now = performance.now();
    // Every request whose planned time has come goes now (a late timer sends the ones it owes).
    while (sent < amount && start + sent * interval <= now) {
      inFlight.push(send(from + sent, start + sent * interval));
      sent += 1;
    }
    if (sent < amount) await new Promise((r) => setTimeout(r, Math.max(0, start + sent * interval - performance.now())));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return {
    ok, requests: Object.values(statusCounts).reduce((a, b) => a + b, 0), statusCounts, errors,
    latencies: Float64Array.from(latencies).sort(),
  };
}

/**
 * A Node.js HTTP server as a child process that answers every request at once and does nothing
 * else: the floor of what a client on this machine can see from any server.
 */
export async function startNullServer(): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', "require('node:http').createServer((q, s) => { q.resume(); " +
    `q.on('end', () => s.end('{}')); }).listen(${port}, '127.0.0.1', () => console.log('ready'))`],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout!.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`null server exited ${code}`)));
  });
  return { port, stop: () => void child.kill() };
}
