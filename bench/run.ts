/**
 * `npm run bench`: measurements of applying events to cases, in one run, each on its own
 * fresh database file in a temp directory, with the service's pragmas (WAL, synchronous FULL,
 * wal_autocheckpoint 0) and its background checkpointer (src/store/sqlite/checkpointer.ts, every 1000 ms;
 * the server child starts its own, as in production):
 *
 *   (a) raw better-sqlite3: the engine's own statements and rows, one BEGIN IMMEDIATE per event;
 *   (a-) the same replay without the audit statements (audit_log), to price the audit (issue 4);
 *   (b) the engine in process: caseEngine(db, clock).applyEvent;
 *   (c) HTTP: the real server as a child process, autocannon with 10 connections;
 *   (d) the scheduler delivering due deadline timers (timers.ts, issue 3).
 *
 * The disk of a shared VM is noisy and drifts over tens of seconds, so the timed events of each
 * phase are split into blocks that run interleaved: all phases see the same disk weather, and
 * the ratios compare like with like. Block b starts one phase later than block b - 1 (a a- b c d,
 * then a- b c d a, ...), so every phase takes every position equally often and never runs twice
 * in a row. (The former palindrome, a b c then c b a, ran the phases at both ends twice in a
 * row in every other block; such a block ran a quarter to a third slower, most likely because
 * its own checkpointer was still copying the previous block's WAL into the database file, which
 * biased the ratios of the end phases.)
 * Each phase still applies every event of its plan exactly once; its rate is its events over
 * the sum of its block times.
 *
 * Then, not interleaved (they do not fsync per event): (f) the audit's in-process cost with
 * synchronous=OFF (audit.ts); (g) the signalering report over 10,000 and 100,000 cases
 * (report-bench.ts, issue 5) and (e) the verification of that database's audit trail, about
 * 1,000,000 entries (audit.ts, issue 4).
 *
 * The last line of output is one JSON object with the figures.
 *
 * Environment (all optional): BENCH_CASES (default 10000), BENCH_WARMUP_CASES (400),
 * BENCH_ROUNDS (1: one event per case; 2: two), BENCH_BLOCKS (10),
 * BENCH_PEER (1; 0 skips (j), the same lifecycle on bpmn-engine),
 * BENCH_PG (1; 0 skips (k), the engine on PostgreSQL: one and two instances against the raw rate of
 * its statements, on a throwaway cluster, or on BENCH_PG_URL; BENCH_PG_CASES (4000),
 * BENCH_PG_CONCURRENCY (10)),
 * BENCH_HISTORY (1; 0 skips (i), one event on a short and on a long case),
 * BENCH_HEAVY (1; 0 skips (h), /health during a verification and reports on the report's database),
 * BENCH_REPORT (1; 0 skips the report bench, and the verify bench builds its own smaller
 * database), BENCH_VERIFY (1; 0 skips it), BENCH_VERIFY_CASES (10000: cases of that smaller
 * database, 10 entries each), BENCH_AUDIT_CPU (1; 0 skips the synchronous=OFF measurements),
 * BENCH_REPORT_WORKERS (2: threads of the report's bulk load),
 * BENCH_CPU_PROF_DIR (run the server child with --cpu-prof, profiles there),
 * BENCH_GROUP_COMMIT (on; off: the server commits each event on its own, to compare),
 * BENCH_PACED_EVENTS (3000; 0 skips (c'), the server paced at half the rate (c) reached),
 * BENCH_SERVER_ENTRY (default src/server.ts),
 * BENCH_CPU (1; 0 skips (l), CPU per event of the SQLite engine, the server's event loop and the
 * PostgreSQL engine, interleaved in blocks: bench/cpu.ts; BENCH_CPU_CASES (4000), BENCH_CPU_WARMUP (400),
 * BENCH_CPU_BLOCKS (10)), BENCH_ONLY=cpu (run (l) alone, on a database of its own).
 */
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/sqlite/client.ts';
import { startCheckpointer, type Checkpointer } from '../src/store/sqlite/checkpointer.ts';
import { auditTrail } from '../src/store/sqlite/audit.ts';
import { auditCpu, verifyAudit, verifyOwnDatabase, type AuditCpu, type VerifyFigures } from './audit.ts';
import { engineApplier, engineRequests } from './engine.ts';
import { benchHeavyReads, type HeavyReads } from './heavy-reads.ts';
import { benchHistory, type HistoryCost } from './history.ts';
import { benchBpmnPeer, type PeerFigures } from './bpmn-peer.ts';
import { benchPostgres, type PgFigures } from './pg.ts';
import { benchCpu, CPU_CASES, CPU_WARM, type CpuFigures } from './cpu.ts';
import { postgresBinaries, startCluster, type Cluster } from '../test/support/pg-cluster.ts';
import { load, pacedLoad, startFlags, startNullServer, startServer, type LoadResult, type PacedResult, type ServerChild } from './http.ts';
import { callsByTable, captureEngineWrites, rawReplayer, statementsOf, withoutAudit } from './raw.ts';
import { benchReport, type ReportBench } from './report-bench.ts';
import { timerFirer, timerVolume } from './timers.ts';
import { describePressure, fmtMs, fmtRate, gc, percentile, pressureTotals, mainThreadCpuSeconds, processCpuSeconds, round, timeEach } from './stats.ts';
import {
  CASES, CHECKPOINT_INTERVAL_MS, CONNECTIONS, MIX, MIX_LABEL, ROUNDS, WARMUP_CASES, eventsFor,
  assertServicePragmas, cloneDatabase, memoryCopy, seedDatabase, writtenVolume, type Seeded,
} from './workload.ts';

const BLOCKS = Number(process.env.BENCH_BLOCKS || 10);
const on = (name: string): boolean => process.env[name] !== '0';
const REPORT = on('BENCH_REPORT');
const VERIFY = on('BENCH_VERIFY');
const HEAVY = on('BENCH_HEAVY');
const HISTORY = on('BENCH_HISTORY');
const PEER = on('BENCH_PEER');
const PG = on('BENCH_PG');
const AUDIT_CPU = on('BENCH_AUDIT_CPU');
const VERIFY_CASES = Number(process.env.BENCH_VERIFY_CASES || 10_000);
/** Events of (c'), the server paced at half of (c)'s rate; 0 skips it. */
const PACED_EVENTS = Number(process.env.BENCH_PACED_EVENTS ?? 3_000);
const REPORT_WORKERS = Number(process.env.BENCH_REPORT_WORKERS || 2);
/** (l), CPU per event of the SQLite engine, the server's event loop and the PostgreSQL engine, interleaved. */
const CPU = on('BENCH_CPU');
/** `cpu`: run (l) alone, on a template of its own, and print its figures as the last line. */
const ONLY = process.env.BENCH_ONLY || undefined;
const benchStart = performance.now();
const log = (line: string): void => console.log(line);
const secondsSince = (t: number): number => round((performance.now() - t) / 1000, 1);

// --- cleanup, whatever happens -----------------------------------------------------------------
const tempDir = mkdtempSync(join(tmpdir(), 'passend-bench-'));
let server: ServerChild | undefined;
let cluster: Cluster | undefined;
const openSeeds = new Set<Seeded>();
const checkpointers = new Set<Checkpointer>();

function cleanupSync(): void {
  cluster?.stop();
  cluster = undefined;
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
  name: 'raw' | 'rawNoAudit' | 'engine' | 'http' | 'timers';
  /** Runs events [from, to) of the timed plan; returns seconds and per-event ms (none for timers). */
  block(from: number, to: number): Promise<{ seconds: number; perEventMs: Float64Array }>;
  seconds: number;
  events: number;
  perEventMs: Float64Array[];
  blockRates: number[];
}

function inProcessPhase<T>(name: 'raw' | 'rawNoAudit' | 'engine', items: readonly T[], apply: (item: T) => void): Phase {
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
  if (ONLY === 'cpu') return cpuOnly();
  if (ONLY) throw new Error(`BENCH_ONLY=${ONLY}: only cpu is known`);
  const fs = statfsSync(tempDir);
  const total = eventsFor(CASES);
  log(`passend bench: ${CASES} cases (+${WARMUP_CASES} warm-up cases) per phase, ${total} timed events per phase; ` +
    `mix: ${MIX_LABEL}`);
  log(`temp dir ${tempDir} (fs type 0x${fs.type.toString(16)}); every database: journal_mode=WAL ` +
    `synchronous=FULL wal_autocheckpoint=0 + background checkpointer every ${CHECKPOINT_INTERVAL_MS} ms (as the server)`);
  log(`machine at the start: load average ${loadavg().map((l) => round(l, 2)).join(' ')} on ${availableParallelism()} cores`);

  // Seed once through the engine; each phase gets a fresh, fsynced file copy of it.
  let t = performance.now();
  const { db: templateDb, ...template } = seedDatabase(join(tempDir, 'template.db'), CASES, WARMUP_CASES);
  templateDb.$client.close();
  log(`seeded template.db through caseEngine.submit: ${CASES + WARMUP_CASES} cases in ${secondsSince(t)} s ` +
    '(each armed its triage deadline, P5D: the timers of (d))');

  // (a) needs the engine's own statements and rows: capture them on an in-memory copy.
  t = performance.now();
  const scratch = memoryCopy(template);
  const captured = captureEngineWrites(scratch);
  scratch.db.$client.close();
  const calls = captured.timed.reduce((n, e) => n + e.calls.length, 0);
  const timedNoAudit = withoutAudit(captured.timed);
  const callsNoAudit = timedNoAudit.reduce((n, e) => n + e.calls.length, 0);
  log(`captured the statements of ${captured.timed.length + captured.warmup.length} engine events in ` +
    `${secondsSince(t)} s (${round(calls / captured.timed.length, 2)} per event), replayed by (a):`);
  for (const line of statementsOf(captured.timed)) log(`  ${line.length > 140 ? `${line.slice(0, 137)}...` : line}`);
  log(`  per event by table: ${callsByTable(captured.timed)}`);
  log(`  (a-) replays the same without the audit_log statements: ${round(callsNoAudit / timedNoAudit.length, 2)} per event`);

  const rawDb = clone(template, 'raw');
  const rawNoAuditDb = clone(template, 'raw-no-audit');
  const engineDb = clone(template, 'engine');
  const timersDb = clone(template, 'timers');
  const httpDb = clone(template, 'http');
  const { path: httpPath, clients, caseIds, warmupIds } = httpDb;
  closeSeed(httpDb);

  const rawApply = rawReplayer(rawDb);
  const raw = inProcessPhase('raw', captured.timed, rawApply);
  const rawNoAuditApply = rawReplayer(rawNoAuditDb);
  const rawNoAudit = inProcessPhase('rawNoAudit', timedNoAudit, rawNoAuditApply);
  const engineApply = engineApplier(engineDb);
  const engine = inProcessPhase('engine', engineRequests(engineDb.caseIds), engineApply);
  const firer = timerFirer(timersDb);
  const timers: Phase = {
    name: 'timers', seconds: 0, events: 0, perEventMs: [], blockRates: [],
    block: async (from, to) => ({ seconds: (await firer.block(from, to)).seconds, perEventMs: new Float64Array(0) }),
  };
  const cpuProfDir = process.env.BENCH_CPU_PROF_DIR || undefined;
  const entry = process.env.BENCH_SERVER_ENTRY || 'src/server.ts';
  const groupCommitMode = process.env.BENCH_GROUP_COMMIT === 'off' ? 'off' : 'on';
  server = await startServer(httpPath, cpuProfDir, entry, { GROUP_COMMIT: groupCommitMode });
  const port = server.port;
  log(`server child pid ${server.child.pid} on 127.0.0.1:${port} (node ${startFlags().join(' ')} ${entry}, LOG_LEVEL=warn, ` +
    `GROUP_COMMIT=${groupCommitMode})` +
    (entry === 'src/server.ts' ? '' : ' -- EXPERIMENT, not the service') +
    (cpuProfDir ? `, CPU profile to ${cpuProfDir}` : ''));
  const httpRuns: LoadResult[] = [];
  // CPU seconds of the server (all its threads) and of this process (autocannon) during (c).
  const httpCpu = { server: 0, serverMain: 0, client: 0 };
  const http: Phase = {
    name: 'http', seconds: 0, events: 0, perEventMs: [], blockRates: [],
    block: async (from, to) => {
      const serverBefore = processCpuSeconds(server!.child.pid!);
      const mainBefore = mainThreadCpuSeconds(server!.child.pid!);
      const clientBefore = process.cpuUsage();
      const r = await load(port, caseIds, clients, from, to - from, 120);
      const client = process.cpuUsage(clientBefore);
      httpCpu.server += processCpuSeconds(server!.child.pid!) - serverBefore;
      httpCpu.serverMain += mainThreadCpuSeconds(server!.child.pid!) - mainBefore;
      httpCpu.client += (client.user + client.system) / 1e6;
      httpRuns.push(r);
      return { seconds: r.seconds, perEventMs: r.latencies };
    },
  };

  // Warm up every phase on its own cases.
  t = performance.now();
  const phaseCheckpointers = [rawDb, rawNoAuditDb, engineDb, timersDb].map(checkpointer);
  for (const e of captured.warmup) rawApply(e);
  for (const e of withoutAudit(captured.warmup)) rawNoAuditApply(e);
  for (const r of engineRequests(engineDb.warmupIds)) engineApply(r);
  const warmup = await load(port, warmupIds, clients, 0, eventsFor(warmupIds.length), 60);
  const warmupTimers = await firer.warmup();
  log(`warm-up: ${eventsFor(WARMUP_CASES)} events per phase, ${warmupTimers} timers, in ${secondsSince(t)} s ` +
    `(HTTP: ${warmup.ok} 2xx of ${warmup.requests})`);

  // Timed blocks, interleaved.
  const phases = [raw, rawNoAudit, engine, http, timers];
  const pressureBefore = pressureTotals();
  const timedStart = performance.now();
  log(`\ntimed: ${BLOCKS} blocks per phase, interleaved (block b starts with phase b, mod ${phases.length}); ` +
    'events (d: timers) per second per block:');
  log('  block      (a) raw  (a-) no audit   (b) engine     (c) http   (d) timers');
  for (let b = 0; b < BLOCKS; b++) {
    const [from, to] = blockRange(b, total);
    // Rotate: block b starts with phase b (mod 5); no phase runs twice in a row.
    const order = phases.map((_, i) => phases[(b + i) % phases.length]!);
    for (const phase of order) {
      gc();
      const r = await phase.block(from, to);
      phase.seconds += r.seconds;
      phase.events += to - from;
      phase.perEventMs.push(r.perEventMs);
      phase.blockRates[b] = (to - from) / r.seconds;
    }
    log(`  ${String(b + 1).padStart(5)} ${phases.map((p) => round(p.blockRates[b]!, 0).toString().padStart(13)).join('')}`);
  }

  log(`  machine during the timed blocks: ${describePressure(pressureBefore, pressureTotals(), (performance.now() - timedStart) / 1000)}`);
  log('  (anything else on these cores or this disk moves the figures; interleaving makes it move all phases alike)');

  // (c') The same server paced at half the rate (c) reached: the latency a region sees when the
  // service is not saturated. With 10 connections each sending its next request as soon as its
  // answer is in, (c) keeps the server busy all the time, so its p50 is at least 10 / rate
  // (Little's law) whatever one request costs. Round two of the plan (the other event of the mix
  // on the first cases) keeps every request valid; only with BENCH_ROUNDS=1.
  let paced: { rate: number; amount: number; result: PacedResult } | undefined;
  let pacedFloor: PacedResult | undefined;
  if (ROUNDS === 1 && PACED_EVENTS > 0) {
    const rate = Math.max(1, Math.round((http.events / http.seconds) / 2));
    const amount = Math.min(PACED_EVENTS, caseIds.length);
    paced = { rate, amount, result: await pacedLoad(port, caseIds, clients, eventsFor(caseIds.length), amount, rate) };
    const l = paced.result.latencies;
    log(`  (c') the server paced at ${rate} requests/s (half of (c)), evenly spaced, ${amount} events over at most ` +
      `${CONNECTIONS} connections: p50 ${fmtMs(percentile(l, 50))}, p99 ${fmtMs(percentile(l, 99))}, max ${fmtMs(l[l.length - 1] ?? NaN)} ` +
      '(from each request\'s planned send time; the first half second, which opens the connections, not timed)');
    // The same client, paced alike, against a server that does nothing: this machine's floor.
    const nullServer = await startNullServer();
    try {
      pacedFloor = await pacedLoad(nullServer.port, caseIds, clients, eventsFor(caseIds.length), amount, rate);
    } finally {
      nullServer.stop();
    }
    const f = pacedFloor.latencies;
    log('      the floor, the same paced client against a Node.js server that answers at once and does nothing: ' +
      `p50 ${fmtMs(percentile(f, 50))}, p99 ${fmtMs(percentile(f, 99))}, max ${fmtMs(f[f.length - 1] ?? NaN)}`);
  }

  for (const c of phaseCheckpointers) await stopCheckpointer(c);
  const serverOutput = server.output;
  const serverExit = await server.stop();
  server = undefined;
  if (serverOutput().trim()) log(`  server output:\n${serverOutput().trim().split('\n').map((l) => `    ${l}`).join('\n')}`);
  const rawVolume = writtenVolume(rawDb.db);
  const rawNoAuditVolume = writtenVolume(rawNoAuditDb.db);
  const engineVolume = writtenVolume(engineDb.db);
  const auditRows = (s: Seeded) => (s.db.$client.prepare('SELECT count(*) n FROM audit_log').get() as { n: number }).n;
  const auditRowsOmitted = auditRows(rawDb) - auditRows(rawNoAuditDb);
  const timerVol = timerVolume(timersDb.db);
  // Every trail written with the audit must verify (the (a-) one cannot: it has no audit entries).
  const verified = Object.fromEntries([['raw', rawDb.db], ['engine', engineDb.db], ['timers', timersDb.db]]
    .map(([name, db]) => [name as string, auditTrail(db as Seeded['db']).verify()]));
  for (const s of [rawDb, rawNoAuditDb, engineDb, timersDb]) closeSeed(s);
  const httpCheck = openDatabase(httpPath, { synchronous: 'FULL', walAutocheckpoint: 0 });
  assertServicePragmas(httpCheck);
  const httpStored = writtenVolume(httpCheck).events;
  verified.http = auditTrail(httpCheck).verify();
  httpCheck.$client.close();

  // --- (f) the audit's in-process cost, synchronous=OFF ---
  let cpu: AuditCpu | undefined;
  if (AUDIT_CPU) {
    t = performance.now();
    cpu = auditCpu(template, captured, tempDir, (s) => openSeeds.add(s), closeSeed);
    log(`\n(f) audit cost in process, synchronous=OFF, ${cpu.events} events each (${secondsSince(t)} s):`);
    log(`  replay (a) with audit ${round(cpu.rawOffWithAuditUs, 1)} µs/event, without ${round(cpu.rawOffWithoutAuditUs, 1)} µs/event; ` +
      `WAL pages per event ${round(cpu.walPagesPerEventWithAudit, 2)} vs ${round(cpu.walPagesPerEventWithoutAudit, 2)}`);
    log(`  engine applyEvent ${round(cpu.engineOffUs, 1)} µs/event; auditTrail.append ${round(cpu.auditAppendUs, 1)} µs ` +
      `(of which chain(), the SHA-256 hashing, ${round(cpu.auditHashUs, 1)} µs)`);
  }

  // --- (i) one event on a short and on a long case ---
  let history: HistoryCost | undefined;
  if (HISTORY) {
    t = performance.now();
    history = benchHistory(tempDir);
    log(`\n(i) one engine event (synchronous=OFF) on a case with about 10 trail entries: ${history.eventUsAt10} µs; ` +
      `with 1,000: ${history.eventUsAt1000} µs (x${history.growth}; ${secondsSince(t)} s)`);
  }

  // --- (j) the same lifecycle on a peer: bpmn-engine with its state in SQLite ---
  let peer: PeerFigures | undefined;
  if (PEER) {
    t = performance.now();
    peer = await benchBpmnPeer(tempDir);
    log(`\n(j) lifecycle submission to follow-up, synchronous=OFF: passend ${peer.passendLifecyclesPerSec}/s; ` +
      'bpmn-engine recovered from its state in SQLite for every step and saving it after, as a service runs it, ' +
      `${peer.bpmnLifecyclesPerSec}/s: passendToBpmnEngine ${peer.passendToBpmnEngine}; one live bpmn-engine per ` +
      `lifecycle, its state only saved after each step, ${peer.bpmnLiveLifecyclesPerSec}/s: ` +
      `passendToBpmnEngineLive ${peer.passendToBpmnEngineLive} (${secondsSince(t)} s)`);
  }

  // --- (k) the engine on PostgreSQL, one and two instances ---
  let postgres: PgFigures | null = null;
  if (PG) {
    t = performance.now();
    postgres = await benchPostgres(await pgBase());
    log(postgres
      ? `\n(k) PostgreSQL: raw replay of the engine's statements ${postgres.pgRawPerSec}/s, engine (one instance) ` +
        `${postgres.pgEnginePerSec}/s (${postgres.pgEngineCpuUs} µs CPU per event in the instance, ` +
        `${postgres.pgStatementsPerEvent} statements per event besides BEGIN and COMMIT), two instances ` +
        `${postgres.pgTwoInstancesPerSec}/s: pgEngineToRaw ${postgres.pgEngineToRaw}, pgTwoInstancesToOne ` +
        `${postgres.pgTwoInstancesToOne} (${secondsSince(t)} s)`
      : '\n(k) PostgreSQL: no server found (apt-get install postgresql, or BENCH_PG_URL): skipped');
  }

  // --- (l) CPU per event, interleaved: SQLite engine, the server's event loop, PostgreSQL engine ---
  let cpuFigures: CpuFigures | undefined;
  if (CPU) {
    t = performance.now();
    log(`\n(l) CPU per event, interleaved in blocks (up to ${CPU_CASES} events per phase, after up to ${CPU_WARM} cases to warm up):`);
    cpuFigures = await benchCpu(template, tempDir, PG ? await pgBase() : undefined, log);
    logCpu(cpuFigures, t);
  }

  // --- (g) the report over 10,000 and 100,000 cases, and (e) verify on its database ---
  let report: ReportBench | undefined;
  let verify: (VerifyFigures & { source: string }) | undefined;
  let heavy: HeavyReads | undefined;
  if (REPORT) {
    t = performance.now();
    const pressureReport = pressureTotals();
    report = await benchReport({
      workers: REPORT_WORKERS, parentDir: tempDir,
      withLarge: async (db, path) => {
        if (VERIFY) verify = { ...verifyAudit(db), source: 'the report bench\'s 100,000-case database' };
        if (HEAVY) heavy = await benchHeavyReads(db, path);
      },
    });
    log(`\n(g) report bench (${secondsSince(t)} s; bulk load on ${REPORT_WORKERS} threads: ${report.loadSeconds10k} s to 10,000 cases, ` +
      `${report.loadSeconds100k} s more to 100,000): ${report.cases} cases, ${report.events} events`);
    log(`  national report, median of 5: ${report.reportMs10k} ms at 10,000 cases, ${report.reportMs100k} ms at 100,000 ` +
      `(x${report.growth}; 10 = linear)`);
    log(`  machine: ${describePressure(pressureReport, pressureTotals(), (performance.now() - t) / 1000)}`);
  } else if (VERIFY) {
    const own = await verifyOwnDatabase(tempDir, VERIFY_CASES);
    verify = { ...own, source: `its own ${VERIFY_CASES}-case database (BENCH_REPORT=0; loaded in ${round(own.loadSeconds, 1)} s)` };
  }
  if (verify) {
    log(`\n(e) audit verify: ${verify.entries} entries in ${round(verify.seconds, 2)} s = ` +
      `${round(verify.perSec, 0)} entries/s (${round(1e6 / verify.perSec, 1)} µs each), on ${verify.source}`);
  }
  if (heavy) {
    log('\n(h) GET /health (2 connections) while the server verifies the audit and makes national reports, ' +
      `on the report bench's database: p99 ${heavy.healthP99IdleMs} ms idle, ${heavy.healthP99DuringVerifyMs} ms during ` +
      `a full verification (${heavy.verifySeconds} s), ${heavy.healthP99DuringReportMs} ms during five reports ` +
      `(${heavy.reportsSeconds} s); ${heavy.healthRequests} requests, ${heavy.healthNon2xx} not 2xx`);
  }

  // --- figures ---
  const describe = (p: Phase) => {
    const all = merged(p.perEventMs);
    return { perSec: p.events / p.seconds, p50: percentile(all, 50), p99: percentile(all, 99), max: all[all.length - 1]! };
  };
  const a = describe(raw);
  const aNoAudit = describe(rawNoAudit);
  const bb = describe(engine);
  const c = describe(http);
  const timersPerSec = timers.events / timers.seconds;
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
  const timersToEvents = timersPerSec / bb.perSec;
  // Time per event with the audit over time per event without it: 1.25 means the audit adds 25%.
  const auditCostRatio = aNoAudit.perSec / a.perSec;
  const auditAddedMs = 1000 / a.perSec - 1000 / aNoAudit.perSec;
  const sameVolume = JSON.stringify(rawVolume) === JSON.stringify(engineVolume);
  const sameVolumeNoAudit = JSON.stringify(rawNoAuditVolume) === JSON.stringify(rawVolume);
  const expectedTimers = total + warmupIds.length;
  // Per-block ratios: robust to the disk's slow spells, which stretch all phases alike and
  // dominate the totals (a block at 400 events/s weighs ten times one at 4000).
  const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]!; };
  const blockRatio = (p: Phase, q: Phase) => median(p.blockRates.map((r, i) => r / q.blockRates[i]!));
  const blockEngineToRaw = blockRatio(engine, raw);
  const blockHttpToEngine = blockRatio(http, engine);
  const blockTimersToEvents = blockRatio(timers, engine);
  const blockAuditCost = blockRatio(rawNoAudit, raw);

  log('\nchecks');
  log(`  written by (a): ${JSON.stringify(rawVolume)}`);
  log(`  written by (b): ${JSON.stringify(engineVolume)}`);
  log(`  ${sameVolume ? 'same rows and bytes: (a) wrote exactly what the engine writes' : 'MISMATCH: (a) and (b) wrote different volumes'}`);
  log(`  written by (a-): ${sameVolumeNoAudit ? 'the same' : `MISMATCH ${JSON.stringify(rawNoAuditVolume)}`}, ` +
    `and ${auditRowsOmitted} audit entries fewer than (a) (one per event: ${total + eventsFor(WARMUP_CASES)})`);
  log(`  left by (d): ${JSON.stringify(timerVol)} (expected ${expectedTimers} fired, passed and notified, 0 pending)`);
  log(`  audit verify of the trails of (a), (b), (c), (d): ${Object.entries(verified)
    .map(([k, v]) => `${k} ${v.ok ? `ok (${v.checked})` : `BROKEN ${JSON.stringify(v.firstBroken)}`}`).join(', ')}`);
  log(`  HTTP statuses (warm-up + timed) ${JSON.stringify(statuses)}; non-2xx ${non2xx}, errors ${errors}, ` +
    `timeouts ${timeouts}; events stored by the server ${httpStored}; server exit code ${serverExit}`);

  log('\nresults');
  log(`  (a) rawWritesPerSec    ${fmtRate(a.perSec)}   per event p50 ${fmtMs(a.p50)}, p99 ${fmtMs(a.p99)}, max ${fmtMs(a.max)}`);
  log(`  (b) engineEventsPerSec ${fmtRate(bb.perSec)}   per event p50 ${fmtMs(bb.p50)}, p99 ${fmtMs(bb.p99)}, max ${fmtMs(bb.max)}`);
  log(`  (c) httpEventsPerSec   ${fmtRate(httpEventsPerSec)}   (${httpOk} 2xx in ${round(http.seconds, 2)} s; non-2xx ${non2xx})`);
  log(`      httpP50Ms ${fmtMs(c.p50)}, httpP99Ms ${fmtMs(c.p99)}, max ${fmtMs(c.max)} at ${CONNECTIONS} connections ` +
    `(autocannon's integer-ms histogram, last block: p50 ${httpRuns.at(-1)!.autocannonP50} ms, p99 ${httpRuns.at(-1)!.autocannonP99} ms)`);
  const httpServerCpuUs = (httpCpu.server / http.events) * 1e6;
  const httpClientCpuUs = (httpCpu.client / http.events) * 1e6;
  const httpServerMainCpuUs = (httpCpu.serverMain / http.events) * 1e6;
  log(`      CPU per request: server ${round(httpServerCpuUs, 0)} µs (all its threads; its event loop ` +
    `${round(httpServerMainCpuUs, 0)} µs, busy ${round((httpCpu.serverMain / http.seconds) * 100, 0)}% of (c)), autocannon in this process ` +
    `${round(httpClientCpuUs, 0)} µs; together ${round(((httpCpu.server + httpCpu.client) / http.seconds) * 100, 0)}% ` +
    `of one core during (c), on ${availableParallelism()} cores`);
  log(`  engineToRaw  = b/a = ${round(engineToRaw, 3)}  (aim >= 0.6: ${engineToRaw >= 0.6 ? 'met' : 'NOT met'})`);
  log(`  httpToEngine = c/b = ${round(httpToEngine, 3)}  (aim >= 0.7: ${httpToEngine >= 0.7 ? 'met' : 'NOT met'})`);
  log(`  median over blocks: b/a ${round(blockEngineToRaw, 3)}, c/b ${round(blockHttpToEngine, 3)}; fastest block: ` +
    `(a) ${round(Math.max(...raw.blockRates), 0)}, (b) ${round(Math.max(...engine.blockRates), 0)}, (c) ${round(Math.max(...http.blockRates), 0)} events/s`);
  // Little's law: (c) keeps CONNECTIONS requests in the server, whose event loop serves one at a
  // time, so their mean latency is at least CONNECTIONS × the event loop's CPU per request.
  const httpMeanFloorMs = (CONNECTIONS * httpServerMainCpuUs) / 1000;
  log(`  httpP99Ms < 5 ms at ${CONNECTIONS} connections: ${c.p99 < 5 ? 'met' : 'NOT met'}; with ${CONNECTIONS} requests ` +
    `always in the server, their mean latency is at least ${CONNECTIONS} × its event loop's CPU per request = ` +
    `${round(httpMeanFloorMs, 2)} ms (Little's law: httpMeanFloorMs), whatever the disk does`);
  log(`  (d) timersPerSec       ${round(timersPerSec, 1)} timers/s   (${timers.events} due timers through scheduler.runOnce, ` +
    `${round(timers.seconds, 2)} s); timersToEvents = d/b = ${round(timersToEvents, 3)} (median over blocks ${round(blockTimersToEvents, 3)})`);
  log(`  (f) audit per event, same run: (a) with ${fmtRate(a.perSec)}, (a-) without ${fmtRate(aNoAudit.perSec)} ` +
    `(p50 ${fmtMs(aNoAudit.p50)}, p99 ${fmtMs(aNoAudit.p99)}); auditCostRatio = time with / without = ${round(auditCostRatio, 3)} ` +
    `(median over blocks ${round(blockAuditCost, 3)}), +${fmtMs(auditAddedMs)} per event`);
  if (cpu) {
    log(`      in process (synchronous=OFF): auditAppendUs ${round(cpu.auditAppendUs, 1)} µs = ` +
      `${round((100 * cpu.auditAppendUs) / cpu.engineOffUs, 1)}% of an engine event's ${round(cpu.engineOffUs, 1)} µs`);
  }
  if (verify) log(`  (e) verifyEntriesPerSec ${round(verify.perSec, 0)} entries/s over ${verify.entries} entries`);
  else log('  (e) verify skipped (BENCH_VERIFY=0)');
  if (report) log(`  (g) reportMs10k ${report.reportMs10k} ms, reportMs100k ${report.reportMs100k} ms, reportGrowth x${report.growth}`);
  else log('  (g) report skipped (BENCH_REPORT=0)');
  log(`  total bench time ${secondsSince(benchStart)} s`);

  const failures: string[] = [];
  if (non2xx > 0 || errors > 0 || timeouts > 0) {
    failures.push(`HTTP: ${non2xx} non-2xx, ${errors} errors, ${timeouts} timeouts (statuses ${JSON.stringify(statuses)})`);
  }
  if (httpOk !== total) failures.push(`HTTP: ${httpOk} 2xx in the timed blocks, expected ${total}`);
  const expectedStored = total + eventsFor(WARMUP_CASES);
  const pacedOk = paced ? paced.result.ok : 0;
  if (paced && (paced.result.ok !== paced.amount || paced.result.errors > 0)) {
    failures.push(`(c') paced: ${paced.result.ok} 2xx of ${paced.result.requests} (statuses ${JSON.stringify(paced.result.statusCounts)})`);
  }
  if (httpStored !== expectedStored + pacedOk) failures.push(`the server stored ${httpStored} events, expected ${expectedStored + pacedOk}`);
  if (!sameVolume) failures.push('(a) and (b) wrote different volumes');
  if (!sameVolumeNoAudit) failures.push('(a-) did not write what (a) wrote besides the audit');
  if (auditRowsOmitted !== expectedStored) failures.push(`(a-) left out ${auditRowsOmitted} audit entries, expected ${expectedStored}`);
  if (phases.some((p) => p.events !== total)) failures.push('a phase did not apply every event');
  if (timerVol.pending !== 0 || timerVol.fired !== expectedTimers || timerVol.deadlinesPassed !== expectedTimers ||
    timerVol.notifications !== expectedTimers) failures.push(`(d) left ${JSON.stringify(timerVol)}, expected ${expectedTimers} fired`);
  for (const [name, v] of Object.entries(verified)) if (!v.ok) failures.push(`the audit trail of ${name} does not verify`);
  if (report && report.events < 1_000_000) failures.push(`the report bench has ${report.events} events, expected 1,000,000`);
  if (heavy && heavy.healthNon2xx > 0) failures.push(`${heavy.healthNon2xx} /health requests failed during the heavy reads`);
  if (verify && verify.entries < 100_000) failures.push(`verify checked ${verify.entries} entries, expected at least 100,000`);
  if (failures.length > 0) {
    for (const f of failures) console.error(`BENCH FAILED: ${f}`);
    process.exitCode = 1;
    return;
  }

  const opt = (v: number | undefined, digits: number) => (v === undefined ? null : round(v, digits));
  console.log(JSON.stringify({
    rawWritesPerSec: round(a.perSec, 1),
    engineEventsPerSec: round(bb.perSec, 1),
    httpEventsPerSec: round(httpEventsPerSec, 1),
    httpP50Ms: round(c.p50, 3),
    httpP99Ms: round(c.p99, 3),
    httpPacedRate: paced?.rate ?? null,
    httpPacedP50Ms: paced ? round(percentile(paced.result.latencies, 50), 3) : null,
    httpPacedP99Ms: paced ? round(percentile(paced.result.latencies, 99), 3) : null,
    httpPacedFloorP99Ms: pacedFloor ? round(percentile(pacedFloor.latencies, 99), 3) : null,
    groupCommit: groupCommitMode,
    engineToRaw: round(engineToRaw, 3),
    httpToEngine: round(httpToEngine, 3),
    timersPerSec: round(timersPerSec, 1),
    timersToEvents: round(timersToEvents, 3),
    verifyEntriesPerSec: opt(verify?.perSec, 0),
    verifyEntries: verify?.entries ?? null,
    rawWithAuditPerSec: round(a.perSec, 1),
    rawWithoutAuditPerSec: round(aNoAudit.perSec, 1),
    auditCostRatio: round(auditCostRatio, 3),
    auditAppendUs: opt(cpu?.auditAppendUs, 1),
    reportMs10k: report?.reportMs10k ?? null,
    reportMs100k: report?.reportMs100k ?? null,
    reportGrowth: report?.growth ?? null,
    engineCpuUs: opt(cpu?.engineOffUs, 1),
    rawCpuUs: opt(cpu?.rawOffWithAuditUs, 1),
    passendToBpmnEngine: peer?.passendToBpmnEngine ?? null,
    passendToBpmnEngineLive: peer?.passendToBpmnEngineLive ?? null,
    pgEngineToRaw: postgres?.pgEngineToRaw ?? null,
    pgTwoInstancesToOne: postgres?.pgTwoInstancesToOne ?? null,
    pgEnginePerSec: postgres?.pgEnginePerSec ?? null,
    pgRawPerSec: postgres?.pgRawPerSec ?? null,
    pgEngineCpuUs: postgres?.pgEngineCpuUs ?? null,
    pgStatementsPerEvent: postgres?.pgStatementsPerEvent ?? null,
    httpLoopToEngineCpu: cpuFigures?.httpLoopToEngineCpu ?? null,
    pgToSqliteCpu: cpuFigures?.pgToSqliteCpu ?? null,
    cpuSqliteEngineUs: cpuFigures?.sqliteEngineCpuUs ?? null,
    cpuHttpLoopUs: cpuFigures?.httpLoopCpuUs ?? null,
    cpuPgEngineUs: cpuFigures?.pgEngineCpuUsInterleaved ?? null,
    eventUsAt10: history?.eventUsAt10 ?? null,
    eventUsAt1000: history?.eventUsAt1000 ?? null,
    healthP99DuringVerifyMs: heavy?.healthP99DuringVerifyMs ?? null,
    healthP99DuringReportMs: heavy?.healthP99DuringReportMs ?? null,
    healthP99IdleMs: heavy?.healthP99IdleMs ?? null,
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
    httpServerCpuUs: round(httpServerCpuUs, 0),
    httpClientCpuUs: round(httpClientCpuUs, 0),
    httpServerMainCpuUs: round(httpServerMainCpuUs, 0),
    httpMeanFloorMs: round(httpMeanFloorMs, 2),
    timers: timers.events,
    timersToEventsMedianBlock: round(blockTimersToEvents, 3),
    rawWithoutAuditP50Ms: round(aNoAudit.p50, 3),
    rawWithoutAuditP99Ms: round(aNoAudit.p99, 3),
    auditCostRatioMedianBlock: round(blockAuditCost, 3),
    auditAddedMsPerEvent: round(auditAddedMs, 4),
    auditHashUs: opt(cpu?.auditHashUs, 1),
    engineOffUsPerEvent: opt(cpu?.engineOffUs, 1),
    rawOffWithAuditUsPerEvent: opt(cpu?.rawOffWithAuditUs, 1),
    rawOffWithoutAuditUsPerEvent: opt(cpu?.rawOffWithoutAuditUs, 1),
    walPagesPerEventWithAudit: opt(cpu?.walPagesPerEventWithAudit, 2),
    walPagesPerEventWithoutAudit: opt(cpu?.walPagesPerEventWithoutAudit, 2),
    verifySeconds: opt(verify?.seconds, 2),
    reportCases: report?.cases ?? null,
    reportEvents: report?.events ?? null,
    reportLoadSeconds: report ? round(report.loadSeconds10k + report.loadSeconds100k, 1) : null,
    benchSeconds: secondsSince(benchStart),
  }));
}

/** The PostgreSQL server of (k) and (l): BENCH_PG_URL, else one throwaway cluster for both; undefined when none. */
async function pgBase(): Promise<string | undefined> {
  if (process.env.BENCH_PG_URL) return process.env.BENCH_PG_URL;
  if (!cluster && postgresBinaries()) cluster = await startCluster();
  return cluster?.url;
}

function logCpu(f: CpuFigures, since: number): void {
  log(`  median block: SQLite engine ${f.sqliteEngineCpuUs} µs, the server's event loop ${f.httpLoopCpuUs} µs per HTTP event, ` +
    `PostgreSQL engine ${f.pgEngineCpuUsInterleaved ?? '-'} µs (this process only); httpLoopToEngineCpu ${f.httpLoopToEngineCpu} ` +
    `(aim <= 1.25), pgToSqliteCpu ${f.pgToSqliteCpu ?? '-'} (aim <= 1.5) (${secondsSince(since)} s)`);
}

/** BENCH_ONLY=cpu: phase (l) alone, on a template of its own. */
async function cpuOnly(): Promise<void> {
  log(`passend bench, (l) alone: CPU per event, interleaved; machine: load average ${loadavg().map((l) => round(l, 2)).join(' ')} ` +
    `on ${availableParallelism()} cores`);
  const t = performance.now();
  const { db, ...template } = seedDatabase(join(tempDir, 'template.db'), CPU_CASES + CPU_WARM, 1);
  db.$client.close();
  const figures = await benchCpu(template, tempDir, PG ? await pgBase() : undefined, log);
  logCpu(figures, t);
  const { blocks: _, ...rest } = figures;
  console.log(JSON.stringify({ ...rest, benchSeconds: secondsSince(benchStart) }));
}

try {
  await main();
} catch (err) {
  console.error('BENCH FAILED:', err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
