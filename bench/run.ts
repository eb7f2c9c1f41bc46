/**
 * `npm run bench`: three measurements of applying events to cases, in one run, each on its own
 * fresh database file in a temp directory, with the service's pragmas (WAL, synchronous FULL,
 * wal_autocheckpoint 0) and its background checkpointer (src/db/checkpointer.ts, every 1000 ms;
 * the server child starts its own, as in production):
 *
 *   (a) raw better-sqlite3: the engine's own statements and rows, one BEGIN IMMEDIATE per event;
 *   (b) the engine in process: caseEngine(db, clock).applyEvent;
 *   (c) HTTP: the real server as a child process, autocannon with 10 connections.
 *
 * The disk of a shared VM is noisy and drifts over tens of seconds, so the timed events of each
 * phase are split into blocks that run interleaved (a b c, then c b a, ...): all three phases
 * see the same disk weather, and the ratios compare like with like. Each phase still applies
 * every event of its plan exactly once; its rate is its events over the sum of its block times.
 *
 * The last line of output is one JSON object with the figures.
 *
 * Environment (all optional): BENCH_CASES (default 10000), BENCH_WARMUP_CASES (400),
 * BENCH_ROUNDS (1: one event per case; 2: two), BENCH_BLOCKS (10),
 * BENCH_CPU_PROF_DIR (run the server child with --cpu-prof, profiles there),
 * BENCH_SERVER_ENTRY (default src/server.ts; bench/group-commit-server.ts is an experiment).
 */
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/client.ts';
import { startCheckpointer, type Checkpointer } from '../src/db/checkpointer.ts';
import { engineApplier, engineRequests } from './engine.ts';
import { load, startServer, type LoadResult, type ServerChild } from './http.ts';
import { captureEngineWrites, rawReplayer, statementsOf } from './raw.ts';
import { describePressure, fmtMs, fmtRate, gc, percentile, pressureTotals, round, timeEach } from './stats.ts';
import {
  CASES, CHECKPOINT_INTERVAL_MS, CONNECTIONS, MIX, MIX_LABEL, WARMUP_CASES, eventsFor,
  assertServicePragmas, cloneDatabase, memoryCopy, seedDatabase, writtenVolume, type Seeded,
} from './workload.ts';

const BLOCKS = Number(process.env.BENCH_BLOCKS || 10);
const benchStart = performance.now();
const log = (line: string): void => console.log(line);
const secondsSince = (t: number): number => round((performance.now() - t) / 1000, 1);

// --- cleanup, whatever happens -----------------------------------------------------------------
const tempDir = mkdtempSync(join(tmpdir(), 'passend-bench-'));
let server: ServerChild | undefined;
const openSeeds = new Set<Seeded>();
const checkpointers = new Set<Checkpointer>();

function cleanupSync(): void {
  if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  for (const s of openSeeds) { try { s.db.$client.close(); } catch { /* already closed */ } }
  openSeeds.clear();
  rmSync(tempDir, { recursive: true, force: true });
}
async function cleanup(): Promise<void> {
  if (server) await server.stop();
  server = undefined;
  for (const c of checkpointers) await c.stop();
  checkpointers.clear();
  cleanupSync();
}
process.once('exit', cleanupSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void cleanup().finally(() => process.exit(130)); });
}

function clone(template: Omit<Seeded, 'db'>, name: string): Seeded {
  const seeded = cloneDatabase(template, join(tempDir, `${name}.db`));
  openSeeds.add(seeded);
  return seeded;
}
function closeSeed(seeded: Seeded): void {
  seeded.db.$client.close();
  openSeeds.delete(seeded);
}
function checkpointer(seeded: Seeded): Checkpointer {
  const c = startCheckpointer(seeded.path, CHECKPOINT_INTERVAL_MS);
  checkpointers.add(c);
  return c;
}
async function stopCheckpointer(c: Checkpointer): Promise<void> {
  await c.stop();
  checkpointers.delete(c);
}

/** [from, to) of block b when `total` events are cut into BLOCKS blocks. */
const blockRange = (b: number, total: number): [number, number] =>
  [Math.floor((b * total) / BLOCKS), Math.floor(((b + 1) * total) / BLOCKS)];

// --- the phases -----------------------------------------------------------------------------------
interface Phase {
  name: 'raw' | 'engine' | 'http';
  /** Runs events [from, to) of the timed plan; returns seconds and per-event ms. */
  block(from: number, to: number): Promise<{ seconds: number; perEventMs: Float64Array }>;
  seconds: number;
  events: number;
  perEventMs: Float64Array[];
  blockRates: number[];
}

function inProcessPhase<T>(name: 'raw' | 'engine', items: readonly T[], apply: (item: T) => void): Phase {
  return {
    name, seconds: 0, events: 0, perEventMs: [], blockRates: [],
    block: async (from, to) => {
      const run = timeEach(items.slice(from, to), apply);
      return { seconds: run.seconds, perEventMs: run.perItemMs };
    },
  };
}

const merged = (parts: Float64Array[]): Float64Array => {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out.sort();
};

// --- main -------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const fs = statfsSync(tempDir);
  const total = eventsFor(CASES);
  log(`passend bench: ${CASES} cases (+${WARMUP_CASES} warm-up cases) per phase, ${total} timed events per phase; ` +
    `mix: ${MIX_LABEL}`);
  log(`temp dir ${tempDir} (fs type 0x${fs.type.toString(16)}); every database: journal_mode=WAL ` +
    `synchronous=FULL wal_autocheckpoint=0 + background checkpointer every ${CHECKPOINT_INTERVAL_MS} ms (as the server)`);

  // Seed once through the engine; each phase gets a fresh, fsynced file copy of it.
  let t = performance.now();
  const { db: templateDb, ...template } = seedDatabase(join(tempDir, 'template.db'), CASES, WARMUP_CASES);
  templateDb.$client.close();
  log(`seeded template.db through caseEngine.submit: ${CASES + WARMUP_CASES} cases in ${secondsSince(t)} s`);

  // (a) needs the engine's own statements and rows: capture them on an in-memory copy.
  t = performance.now();
  const scratch = memoryCopy(template);
  const captured = captureEngineWrites(scratch);
  scratch.db.$client.close();
  const calls = captured.timed.reduce((n, e) => n + e.calls.length, 0);
  log(`captured the statements of ${captured.timed.length + captured.warmup.length} engine events in ` +
    `${secondsSince(t)} s (${round(calls / captured.timed.length, 2)} per event), replayed by (a):`);
  for (const line of statementsOf(captured.timed)) log(`  ${line.length > 140 ? `${line.slice(0, 137)}...` : line}`);

  const rawDb = clone(template, 'raw');
  const engineDb = clone(template, 'engine');
  const httpDb = clone(template, 'http');
  const { path: httpPath, clients, caseIds, warmupIds } = httpDb;
  closeSeed(httpDb);

  const rawApply = rawReplayer(rawDb);
  const raw = inProcessPhase('raw', captured.timed, rawApply);
  const engineApply = engineApplier(engineDb);
  const engine = inProcessPhase('engine', engineRequests(engineDb.caseIds), engineApply);
  const cpuProfDir = process.env.BENCH_CPU_PROF_DIR || undefined;
  const entry = process.env.BENCH_SERVER_ENTRY || 'src/server.ts';
  server = await startServer(httpPath, cpuProfDir, entry);
  const port = server.port;
  log(`server child pid ${server.child.pid} on 127.0.0.1:${port} (node --import tsx ${entry}, LOG_LEVEL=warn)` +
    (entry === 'src/server.ts' ? '' : ' -- EXPERIMENT, not the service') +
    (cpuProfDir ? `, CPU profile to ${cpuProfDir}` : ''));
  const httpRuns: LoadResult[] = [];
  const http: Phase = {
    name: 'http', seconds: 0, events: 0, perEventMs: [], blockRates: [],
    block: async (from, to) => {
      const r = await load(port, caseIds, clients, from, to - from, 120);
      httpRuns.push(r);
      return { seconds: r.seconds, perEventMs: r.latencies };
    },
  };

  // Warm up every phase on its own cases.
  t = performance.now();
  const rawCheckpointer = checkpointer(rawDb);
  const engineCheckpointer = checkpointer(engineDb);
  for (const e of captured.warmup) rawApply(e);
  for (const r of engineRequests(engineDb.warmupIds)) engineApply(r);
  const warmup = await load(port, warmupIds, clients, 0, eventsFor(warmupIds.length), 60);
  log(`warm-up: ${eventsFor(WARMUP_CASES)} events per phase in ${secondsSince(t)} s ` +
    `(HTTP: ${warmup.ok} 2xx of ${warmup.requests})`);

  // Timed blocks, interleaved.
  const pressureBefore = pressureTotals();
  const timedStart = performance.now();
  log(`\ntimed: ${BLOCKS} blocks per phase, interleaved; events/s per block:`);
  log('  block      (a) raw   (b) engine     (c) http');
  for (let b = 0; b < BLOCKS; b++) {
    const [from, to] = blockRange(b, total);
    const order = b % 2 === 0 ? [raw, engine, http] : [http, engine, raw];
    for (const phase of order) {
      gc();
      const r = await phase.block(from, to);
      phase.seconds += r.seconds;
      phase.events += to - from;
      phase.perEventMs.push(r.perEventMs);
      phase.blockRates[b] = (to - from) / r.seconds;
    }
    log(`  ${String(b + 1).padStart(5)} ${[raw, engine, http].map((p) => round(p.blockRates[b]!, 0).toString().padStart(12)).join('')}`);
  }

  log(`  machine during the timed blocks: ${describePressure(pressureBefore, pressureTotals(), (performance.now() - timedStart) / 1000)}`);
  log('  (anything else on these cores or this disk moves the figures; interleaving makes it move all three alike)');

  await stopCheckpointer(rawCheckpointer);
  await stopCheckpointer(engineCheckpointer);
  const serverOutput = server.output;
  const serverExit = await server.stop();
  server = undefined;
  if (serverOutput().trim()) log(`  server output:\n${serverOutput().trim().split('\n').map((l) => `    ${l}`).join('\n')}`);
  const rawVolume = writtenVolume(rawDb.db);
  const engineVolume = writtenVolume(engineDb.db);
  closeSeed(rawDb);
  closeSeed(engineDb);
  const httpCheck = openDatabase(httpPath, { synchronous: 'FULL', walAutocheckpoint: 0 });
  assertServicePragmas(httpCheck);
  const httpStored = writtenVolume(httpCheck).events;
  httpCheck.$client.close();

  // --- figures ---
  const describe = (p: Phase) => {
    const all = merged(p.perEventMs);
    return { perSec: p.events / p.seconds, p50: percentile(all, 50), p99: percentile(all, 99), max: all[all.length - 1]! };
  };
  const a = describe(raw);
  const bb = describe(engine);
  const c = describe(http);
  const httpOk = httpRuns.reduce((n, r) => n + r.ok, 0);
  const sum = (f: (r: LoadResult) => number) => httpRuns.reduce((n, r) => n + f(r), 0) + f(warmup);
  const non2xx = sum((r) => r.non2xx);
  const errors = sum((r) => r.errors);
  const timeouts = sum((r) => r.timeouts);
  const statuses: Record<string, number> = {};
  for (const r of [warmup, ...httpRuns]) for (const [k, v] of Object.entries(r.statusCounts)) statuses[k] = (statuses[k] ?? 0) + v;
  const httpEventsPerSec = httpOk / http.seconds;
  const engineToRaw = bb.perSec / a.perSec;
  const httpToEngine = httpEventsPerSec / bb.perSec;
  const sameVolume = JSON.stringify(rawVolume) === JSON.stringify(engineVolume);
  // Per-block ratios: robust to the disk's slow spells, which stretch all three phases alike and
  // dominate the totals (a block at 400 events/s weighs ten times one at 4000).
  const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]!; };
  const blockEngineToRaw = median(engine.blockRates.map((r, i) => r / raw.blockRates[i]!));
  const blockHttpToEngine = median(http.blockRates.map((r, i) => r / engine.blockRates[i]!));

  log('\nchecks');
  log(`  written by (a): ${JSON.stringify(rawVolume)}`);
  log(`  written by (b): ${JSON.stringify(engineVolume)}`);
  log(`  ${sameVolume ? 'same rows and bytes: (a) wrote exactly what the engine writes' : 'MISMATCH: (a) and (b) wrote different volumes'}`);
  log(`  HTTP statuses (warm-up + timed) ${JSON.stringify(statuses)}; non-2xx ${non2xx}, errors ${errors}, ` +
    `timeouts ${timeouts}; events stored by the server ${httpStored}; server exit code ${serverExit}`);

  log('\nresults');
  log(`  (a) rawWritesPerSec    ${fmtRate(a.perSec)}   per event p50 ${fmtMs(a.p50)}, p99 ${fmtMs(a.p99)}, max ${fmtMs(a.max)}`);
  log(`  (b) engineEventsPerSec ${fmtRate(bb.perSec)}   per event p50 ${fmtMs(bb.p50)}, p99 ${fmtMs(bb.p99)}, max ${fmtMs(bb.max)}`);
  log(`  (c) httpEventsPerSec   ${fmtRate(httpEventsPerSec)}   (${httpOk} 2xx in ${round(http.seconds, 2)} s; non-2xx ${non2xx})`);
  log(`      httpP50Ms ${fmtMs(c.p50)}, httpP99Ms ${fmtMs(c.p99)}, max ${fmtMs(c.max)} at ${CONNECTIONS} connections ` +
    `(autocannon's integer-ms histogram, last block: p50 ${httpRuns.at(-1)!.autocannonP50} ms, p99 ${httpRuns.at(-1)!.autocannonP99} ms)`);
  log(`  engineToRaw  = b/a = ${round(engineToRaw, 3)}  (aim >= 0.6: ${engineToRaw >= 0.6 ? 'met' : 'NOT met'})`);
  log(`  httpToEngine = c/b = ${round(httpToEngine, 3)}  (aim >= 0.7: ${httpToEngine >= 0.7 ? 'met' : 'NOT met'})`);
  log(`  median over blocks: b/a ${round(blockEngineToRaw, 3)}, c/b ${round(blockHttpToEngine, 3)}; fastest block: ` +
    `(a) ${round(Math.max(...raw.blockRates), 0)}, (b) ${round(Math.max(...engine.blockRates), 0)}, (c) ${round(Math.max(...http.blockRates), 0)} events/s`);
  log(`  httpP99Ms < 5 ms at ${CONNECTIONS} connections: ${c.p99 < 5 ? 'met' : 'NOT met'}`);
  log(`  total bench time ${secondsSince(benchStart)} s`);

  const failures: string[] = [];
  if (non2xx > 0 || errors > 0 || timeouts > 0) {
    failures.push(`HTTP: ${non2xx} non-2xx, ${errors} errors, ${timeouts} timeouts (statuses ${JSON.stringify(statuses)})`);
  }
  if (httpOk !== total) failures.push(`HTTP: ${httpOk} 2xx in the timed blocks, expected ${total}`);
  const expectedStored = total + eventsFor(WARMUP_CASES);
  if (httpStored !== expectedStored) failures.push(`the server stored ${httpStored} events, expected ${expectedStored}`);
  if (!sameVolume) failures.push('(a) and (b) wrote different volumes');
  if (raw.events !== total || engine.events !== total) failures.push('a phase did not apply every event');
  if (failures.length > 0) {
    for (const f of failures) console.error(`BENCH FAILED: ${f}`);
    process.exitCode = 1;
    return;
  }

  console.log(JSON.stringify({
    rawWritesPerSec: round(a.perSec, 1),
    engineEventsPerSec: round(bb.perSec, 1),
    httpEventsPerSec: round(httpEventsPerSec, 1),
    httpP50Ms: round(c.p50, 3),
    httpP99Ms: round(c.p99, 3),
    engineToRaw: round(engineToRaw, 3),
    httpToEngine: round(httpToEngine, 3),
    cases: CASES,
    eventsPerPhase: total,
    mix: MIX.map((s) => s.type),
    rawP50Ms: round(a.p50, 3),
    rawP99Ms: round(a.p99, 3),
    engineP50Ms: round(bb.p50, 3),
    engineP99Ms: round(bb.p99, 3),
    engineToRawMedianBlock: round(blockEngineToRaw, 3),
    httpToEngineMedianBlock: round(blockHttpToEngine, 3),
    httpNon2xx: non2xx,
    benchSeconds: secondsSince(benchStart),
  }));
}

try {
  await main();
} catch (err) {
  console.error('BENCH FAILED:', err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
