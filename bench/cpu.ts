/**
 * Phase (l): CPU per event of the three ways an event is applied, measured interleaved in blocks
 * (issue 28), so that whatever else runs on the machine hits them alike and their ratios hold:
 *
 * - `sqlite`: `caseEngine(db, systemClock).applyEvent` in this process, one event at a time, on a
 *   copy of the seeded database with the service's pragmas but synchronous NORMAL (WAL frames
 *   written, not fsynced on this thread: the server's group commit also commits with NORMAL and
 *   fsyncs on libuv's pool, src/store/sqlite/group-commit.ts), its checkpointer on its own thread;
 * - `http`: the real server (a child process on another copy) loaded by autocannon with 10
 *   connections, as phase (c): the CPU of the server's main thread (its event loop) alone;
 * - `pg`: `pgCaseEngine(db, systemClock).applyEvent` in this process, 10 requests in flight (as
 *   bench/pg-instance.ts), on a throwaway PostgreSQL cluster: this process's CPU only (the
 *   PostgreSQL server's own work is not counted; SQLite's is, it runs in the process).
 *
 * All three apply the same plan (workload.ts: START_TRIAGE and ADD_NOTE alternating over the
 * cases) with the same actors and bodies. CPU is read from /proc/<pid>/task/<tid>/schedstat (time
 * on a CPU in ns, of one thread): the main thread of this process for `sqlite` and `pg`, the
 * server's main thread for `http`. Block b runs the phases in the order b, b+1, b+2 (mod 3), a
 * forced GC before each. Per block: µs per event of each, and the ratios
 * http/sqlite (`httpLoopToEngineCpu`) and pg/sqlite (`pgToSqliteCpu`); the figures are the
 * median block's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgres, type PgDb } from '../src/store/postgres/client.ts';
import { pgCaseEngine } from '../src/store/postgres/engine.ts';
import { startCheckpointer } from '../src/store/sqlite/checkpointer.ts';
import { systemClock } from '../src/clock.ts';
import { postgresBinaries, startCluster, type Cluster } from '../test/support/pg-cluster.ts';
import { engineApplier, engineRequests, type EngineRequest } from './engine.ts';
import { load, startServer, type ServerChild } from './http.ts';
import { SUBMISSION } from './history.ts';
import { inFlight } from './pg.ts';
import { gc, round } from './stats.ts';
import { CHECKPOINT_INTERVAL_MS, MIX, bodyOf, cloneDatabase, eventsFor, seedClock, type Seeded } from './workload.ts';

/** Cases whose events are timed per phase (the first of the template's timed cases). */
export const CPU_CASES = Number(process.env.BENCH_CPU_CASES || 4_000);
/** Cases whose events warm each phase up, untimed. */
export const CPU_WARM = Number(process.env.BENCH_CPU_WARMUP || 400);
const CPU_BLOCKS = Number(process.env.BENCH_CPU_BLOCKS || 10);
const PG_CONCURRENCY = 10;

/** Nanoseconds a thread has been on a CPU so far (/proc/<pid>/task/<tid>/schedstat, first field). */
export function threadCpuNs(pid: number, tid = pid): number {
  return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
}

export interface CpuFigures {
  /** Median block's ratio: server event-loop CPU per HTTP event / SQLite engine CPU per event. */
  httpLoopToEngineCpu: number;
  /** Median block's ratio: PostgreSQL engine CPU per event (this process) / SQLite engine CPU per event. */
  pgToSqliteCpu: number | null;
  /** Median over blocks of each phase's µs per event. */
  sqliteEngineCpuUs: number;
  httpLoopCpuUs: number;
  pgEngineCpuUsInterleaved: number | null;
  blocks: { sqlite: number; http: number; pg: number | null }[];
  events: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

interface CpuPhase {
  name: 'sqlite' | 'http' | 'pg';
  /** Runs events [from, to) of the plan; returns the CPU ns of the thread that matters. */
  block(from: number, to: number): Promise<number>;
}

/**
 * `template`: a closed seeded database (workload.ts) with at least CPU_WARM warm-up cases and
 * CPU_CASES timed ones; `dir` for the copies. `pgBase`: a PostgreSQL URL to create a database on;
 * undefined starts a throwaway cluster (none when PostgreSQL is not installed: pg is skipped).
 */
export async function benchCpu(template: Omit<Seeded, 'db'>, dir: string, pgBase?: string,
  log: (line: string) => void = console.log): Promise<CpuFigures> {
  // A smaller template (BENCH_CASES below CPU_CASES + CPU_WARM) is shared in the same proportion.
  const available = template.caseIds.length;
  const timedCount = Math.min(CPU_CASES, Math.floor((available * CPU_CASES) / (CPU_CASES + CPU_WARM)));
  const timedIds = template.caseIds.slice(0, timedCount);
  // The warm-up's cases follow the timed ones (phase (c)'s own warm-up cases are another copy's).
  const warmIds = template.caseIds.slice(timedCount, timedCount + CPU_WARM);
  if (timedIds.length < CPU_BLOCKS || warmIds.length === 0) throw new Error(`(l) needs more cases than ${available}`);
  const total = eventsFor(timedIds.length);
  const actors = MIX.map((s) => template.clients[s.as].actor);
  const bodies = MIX.map((_, step) => bodyOf(step));
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    // sqlite: the engine in this process.
    const engineDb = cloneDatabase(template, join(dir, 'cpu-engine.db'));
    engineDb.db.$client.pragma('synchronous = NORMAL');
    cleanups.push(() => { engineDb.db.$client.close(); });
    const ckpt = startCheckpointer(engineDb.path, CHECKPOINT_INTERVAL_MS);
    cleanups.push(() => ckpt.stop());
    const engineApply = engineApplier(engineDb);
    const engineTimed = engineRequests(timedIds);
    for (const r of engineRequests(warmIds)) engineApply(r);

    // http: the server on its own copy.
    const httpDb = cloneDatabase(template, join(dir, 'cpu-http.db'));
    httpDb.db.$client.close();
    const server: ServerChild = await startServer(httpDb.path, process.env.BENCH_CPU_PROF_DIR || undefined);
    cleanups.push(async () => { await server.stop(); });
    const pid = server.child.pid!;
    // The server warms up on both events of the mix for every warm-up case (round two gives each
    // case the other one, valid in either order, workload.ts): with one round its CPU per event
    // still fell block after block on a loaded machine (JIT), in both trees of an A/B run.
    const warmEvents = warmIds.length * MIX.length;
    const warm = await load(server.port, warmIds, template.clients, 0, warmEvents, 120);
    if (warm.ok !== warmEvents) throw new Error(`(l) HTTP warm-up: ${warm.ok} 2xx of ${warm.requests}`);

    // pg: the PostgreSQL engine in this process, on a database seeded with as many cases.
    let pgApply: ((from: number, to: number) => Promise<void>) | undefined;
    let cluster: Cluster | null = null;
    if (pgBase || postgresBinaries()) {
      if (!pgBase) {
        cluster = await startCluster();
        cleanups.push(() => cluster!.stop());
      }
      const base = pgBase ?? cluster!.url;
      const admin = async (statement: string) => {
        const client = new pg.Client({ connectionString: base });
        await client.connect();
        try { await client.query(statement); } finally { await client.end(); }
      };
      await admin('DROP DATABASE IF EXISTS bench_cpu WITH (FORCE)');
      await admin('CREATE DATABASE bench_cpu');
      cleanups.push(() => admin('DROP DATABASE IF EXISTS bench_cpu WITH (FORCE)'));
      const url = new URL(base);
      url.pathname = '/bench_cpu';
      const pgDb: PgDb = await openPostgres(url.toString(), { max: PG_CONCURRENCY });
      cleanups.push(() => pgDb.$client.end());
      const seeding = pgCaseEngine(pgDb, seedClock());
      const seedActor = template.clients.localTeam.actor;
      const pgIds = new Array<string>(warmIds.length + timedIds.length);
      const t = performance.now();
      await inFlight(Array.from(pgIds, (_, i) => i), PG_CONCURRENCY, async (i) => {
        pgIds[i] = (await seeding.submit(seedActor, SUBMISSION)).id;
      });
      log(`  PostgreSQL: seeded ${pgIds.length} cases through pgCaseEngine.submit in ${round((performance.now() - t) / 1000, 1)} s`);
      const engine = pgCaseEngine(pgDb, systemClock);
      const pgWarm = engineRequests(pgIds.slice(0, warmIds.length));
      const pgTimed = engineRequests(pgIds.slice(warmIds.length));
      const apply = async (r: EngineRequest) => {
        const view = await engine.applyEvent(actors[r.step]!, { caseId: r.caseId, body: bodies[r.step] });
        if (view.version !== r.round + 2) throw new Error(`pg engine: case ${r.caseId} at version ${view.version}`);
      };
      await inFlight(pgWarm, PG_CONCURRENCY, apply);
      pgApply = async (from, to) => { await inFlight(pgTimed.slice(from, to), PG_CONCURRENCY, apply); };
    }

    const phases: CpuPhase[] = [
      { name: 'sqlite', block: async (from, to) => {
        const before = threadCpuNs(process.pid);
        for (let i = from; i < to; i++) engineApply(engineTimed[i]!);
        return threadCpuNs(process.pid) - before;
      } },
      { name: 'http', block: async (from, to) => {
        const before = threadCpuNs(pid);
        const r = await load(server.port, timedIds, template.clients, from, to - from, 120);
        if (r.ok !== to - from) throw new Error(`(l) HTTP: ${r.ok} 2xx of ${r.requests} (${JSON.stringify(r.statusCounts)})`);
        return threadCpuNs(pid) - before;
      } },
    ];
    if (pgApply) {
      const run = pgApply;
      phases.push({ name: 'pg', block: async (from, to) => {
        const before = threadCpuNs(process.pid);
        await run(from, to);
        return threadCpuNs(process.pid) - before;
      } });
    }

    // BENCH_CPU_PROF_DIR: a CPU profile of each in-process block after the first (cpu-<phase>-<block>.cpuprofile;
    // the server child writes its own, startServer). The profiler's cost is in those blocks' figures.
    const profDir = process.env.BENCH_CPU_PROF_DIR || undefined;
    const session = profDir ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
    }
    const profiled = async (name: string, b: number, run: () => Promise<number>): Promise<number> => {
      if (!session || b === 0 || name === 'http') return run();
      await session.post('Profiler.start');
      const ns = await run();
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(profDir!, `cpu-${name}-${b}.cpuprofile`), JSON.stringify(profile));
      return ns;
    };

    const blocks: CpuFigures['blocks'] = [];
    log('  block  sqlite µs/event  http loop µs/event  pg µs/event   http/sqlite  pg/sqlite');
    for (let b = 0; b < CPU_BLOCKS; b++) {
      const from = Math.floor((b * total) / CPU_BLOCKS);
      const to = Math.floor(((b + 1) * total) / CPU_BLOCKS);
      const us: Record<string, number> = {};
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[(b + i) % phases.length]!;
        gc();
        us[phase.name] = (await profiled(phase.name, b, () => phase.block(from, to))) / 1000 / (to - from);
      }
      blocks.push({ sqlite: us.sqlite!, http: us.http!, pg: us.pg ?? null });
      log(`  ${String(b + 1).padStart(5)} ${round(us.sqlite!, 0).toString().padStart(16)} ${round(us.http!, 0).toString().padStart(19)} ` +
        `${(us.pg === undefined ? '-' : round(us.pg, 0).toString()).padStart(12)} ${round(us.http! / us.sqlite!, 3).toString().padStart(13)} ` +
        `${(us.pg === undefined ? '-' : round(us.pg / us.sqlite!, 3).toString()).padStart(10)}`);
    }
    const withPg = blocks.every((x) => x.pg !== null);
    return {
      httpLoopToEngineCpu: round(median(blocks.map((x) => x.http / x.sqlite)), 3),
      pgToSqliteCpu: withPg ? round(median(blocks.map((x) => x.pg! / x.sqlite)), 3) : null,
      sqliteEngineCpuUs: round(median(blocks.map((x) => x.sqlite)), 1),
      httpLoopCpuUs: round(median(blocks.map((x) => x.http)), 1),
      pgEngineCpuUsInterleaved: withPg ? round(median(blocks.map((x) => x.pg!)), 1) : null,
      blocks,
      events: total,
    };
  } finally {
    for (const c of cleanups.reverse()) {
      try { await c(); } catch { /* best effort */ }
    }
  }
}
