/**
 * Real processes for the crash tests: the service as a child process (`node --import tsx
 * src/server.ts`), the CLI, a free port on 127.0.0.1, SIGKILL, and read-only looks at the
 * database. Every child is tracked, so a test's afterAll can kill whatever is still running.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HOST = '127.0.0.1';
const run = promisify(execFile);

const children = new Set<ChildProcess>();

const t0 = Date.now();
/** With CRASH_TRACE=1, prints a timeline of the scenario (for tuning its time budget). */
export function trace(message: string): void {
  if (process.env.CRASH_TRACE) process.stderr.write(`[crash +${Date.now() - t0} ms] ${message}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A temporary folder for one scenario's database; removed by `dispose`. */
export function tempDatabase(name: string): { path: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), `passend-crash-${name}-`));
  return { path: join(dir, 'passend.db'), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs the CLI against `databasePath` and returns its stdout. */
export async function cli(databasePath: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_PATH: databasePath }, timeout: 20_000,
  });
  return stdout;
}

/** `token create` prints the token alone on its last line. */
export async function createToken(databasePath: string, role: string, org: string, region: string): Promise<string> {
  const out = await cli(databasePath, ['token', 'create', '--role', role, '--org', org, '--region', region,
    '--name', `${role} ${org}`]);
  const token = out.trim().split('\n').at(-1) ?? '';
  if (!/^psd_[\w-]{20,}$/.test(token)) throw new Error(`token create printed no token: ${out}`);
  return token;
}

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  exited: Promise<unknown>;
}

/** Spawns the real service on a free port of 127.0.0.1; `waitHealthy` waits until it serves. */
export async function startService(databasePath: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_PATH: databasePath, PORT: String(port), HOST, LOG_LEVEL: 'warn',
      // The crash tests send a few clients' load at full speed: no per-client limit.
      SCHEDULER_INTERVAL_MS: '50', RATE_LIMIT_PER_CLIENT: '0', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = once(child, 'exit').finally(() => children.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  return { child, url: `http://${HOST}:${port}`, output: () => output, exited };
}

/** Waits until GET /health answers 200; fails at once if the process exits. */
export async function waitHealthy(service: ServiceProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`service exited (${service.child.exitCode ?? service.child.signalCode}): ${service.output()}`);
    }
    try {
      const res = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet, or busy firing a backlog
    }
    await sleep(50);
  }
  throw new Error(`service not healthy within ${timeoutMs} ms: ${service.output()}`);
}

/** kill -9, and wait until the process is gone. */
export async function kill9(service: ServiceProcess): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
  await service.exited;
}

/** For afterAll: SIGKILL every child still running. */
export async function killAll(): Promise<void> {
  await Promise.all([...children].map(async (child) => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await once(child, 'exit').catch(() => undefined);
  }));
}

/** Polls `check` every `everyMs` until it returns true; throws with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000,
  everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A read-only connection to the service's database (it may be running, or killed). */
export function readOnly(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

export function withReadOnly<T>(path: string, read: (db: Database.Database) => T): T {
  const db = readOnly(path);
  try {
    return read(db);
  } finally {
    db.close();
  }
}
