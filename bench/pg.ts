/**
 * Phase (k): the engine on PostgreSQL (issue 11, DESIGN §5.5), on a throwaway cluster started for
 * the bench (test/support/pg-cluster.ts; BENCH_PG_URL names a server to use instead).
 *
 * One seeded database (BENCH_PG_CASES cases, submitted through the engine) is copied with
 * `CREATE DATABASE … TEMPLATE`, so every run starts from the same rows:
 *
 * - capture: the engine applies the plan (per case START_TRIAGE, then ADD_NOTE) one event at a
 *   time, and each statement it sends is recorded as it reaches the connection (name, text and
 *   parameters);
 * - raw: those statements replayed with `pg` alone, under the same names (so prepared once per
 *   connection as in the engine), one BEGIN … COMMIT per event, the same concurrency as the
 *   engine: the rate of the engine's own writes without the engine;
 * - one instance: a child process running pgCaseEngine over the plan with BENCH_PG_CONCURRENCY
 *   requests in flight;
 * - two instances: two such child processes on one database, each with half the cases and the
 *   same concurrency each, started together.
 *
 * The events of the first quarter of the cases warm up raw and each instance, untimed.
 *
 * `pgEngineToRaw` = engine rate / raw rate; `pgTwoInstancesToOne` = the two instances' combined
 * rate / one instance's rate. All processes share this machine's cores with the server.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openPostgres } from '../src/store/postgres/client.ts';
import { ManualClock } from '../src/clock.ts';
import { pgCaseEngine } from '../src/store/postgres/engine.ts';
import { postgresBinaries, startCluster, type Cluster } from '../test/support/pg-cluster.ts';
import { SUBMISSION } from './history.ts';
import { round } from './stats.ts';
import type { Actor } from '../src/auth/actors.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CASES = Number(process.env.BENCH_PG_CASES || 4_000);
const CONCURRENCY = Number(process.env.BENCH_PG_CONCURRENCY || 10);
/** Cases whose events warm up raw and each instance, untimed (a quarter: without, JIT warm-up filled the figures). */
const WARM = Math.floor(CASES / 4);
export const PG_START = '2026-03-02T09:00:00.000Z';

export const LOCAL: Actor = { clientId: 'bench-local', role: 'local_team', organisation: 'wt-noord', region: 'R01', name: 'Wijkteam' };
export const EXPERT: Actor = { clientId: 'bench-expert', role: 'expert_team', organisation: 'ret-r01', region: 'R01', name: 'Expertteam' };
/** The plan of one case: two events. */
export const PLAN = [
  { type: 'START_TRIAGE', coordinator: 'Procesregisseur A' },
  { type: 'ADD_NOTE', text: 'Gesprek met de school gehad over de terugkeer na de vakantie; volgende week verder.' },
] as const;

export interface PgFigures {
  pgRawPerSec: number;
  pgEnginePerSec: number;
  pgTwoInstancesPerSec: number;
  pgEngineToRaw: number;
  pgTwoInstancesToOne: number;
  /** CPU time of the instance process per event (the server's is not counted). */
  pgEngineCpuUs: number;
  /** Statements the engine sends per event, BEGIN and COMMIT not counted: each is a round trip. */
  pgStatementsPerEvent: number;
}

interface Captured { name: string | undefined; sql: string; params: unknown[] }

/** Runs `work` over `items` with `concurrency` in flight; returns events per second. */
export async function inFlight<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
  return items.length / ((performance.now() - start) / 1000);
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try { await client.query(statement); } finally { await client.end(); }
}

const databaseUrl = (base: string, name: string): string => {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
};

/** One instance as its own process (bench/pg-instance.ts); resolves with its events per second. */
function instance(url: string, ids: string[], startAt: number, warm: number): Promise<{ perSec: number; events: number; cpuUs: number }> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF_DIR (as for the server in (c)): a CPU profile of each instance.
    const prof = process.env.BENCH_CPU_PROF_DIR;
    const flags = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'bench/pg-instance.ts', url, String(CONCURRENCY), String(startAt), String(warm)],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`instance exited ${code}`))));
    child.stdin.end(JSON.stringify(ids));
  });
}

/** `baseUrl`: a server to use (run.ts shares its cluster with phase (l)); else BENCH_PG_URL, else a throwaway cluster. */
export async function benchPostgres(baseUrl?: string): Promise<PgFigures | null> {
  const given = baseUrl ?? process.env.BENCH_PG_URL;
  if (!given && !postgresBinaries()) return null;
  const cluster: Cluster | null = given ? null : await startCluster();
  const base = given ?? cluster!.url;
  try {
    // The seeded database: CASES cases, then copied per run.
    await admin(base, 'DROP DATABASE IF EXISTS bench_seed');
    await admin(base, 'CREATE DATABASE bench_seed');
    const seed = await openPostgres(databaseUrl(base, 'bench_seed'));
    const clock = new ManualClock(PG_START);
    const seeding = pgCaseEngine(seed, clock);
    const ids: string[] = [];
    for (let i = 0; i < CASES; i++) ids.push((await seeding.submit(LOCAL, SUBMISSION)).id);
    await seed.$client.end();
    const copy = async (name: string) => {
      await admin(base, `DROP DATABASE IF EXISTS ${name}`);
      await admin(base, `CREATE DATABASE ${name} TEMPLATE bench_seed`);
      return databaseUrl(base, name);
    };
    const events = PLAN.flatMap((body) => ids.map((caseId) => ({ caseId, body })));

    // Capture each event's statements (one at a time, so they can be told apart), as they reach
    // the connection: drizzle's and the engine's named ones alike, without BEGIN and COMMIT.
    const captured: Captured[][] = [];
    let sink: Captured[] = [];
    const capDb = await openPostgres(await copy('bench_capture'), { migrate: false });
    capDb.$client.on('connect', (client) => {
      const send = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (config: string | pg.QueryConfig, values?: unknown[], ...rest: unknown[]) => {
        const sql = typeof config === 'string' ? config : config.text;
        if (!/^(begin|commit|rollback)$/i.test(sql.trim())) {
          sink.push({ name: typeof config === 'string' ? undefined : config.name, sql,
            params: Array.isArray(values) ? values : (typeof config === 'string' ? [] : config.values ?? []) });
        }
        return send(config, values, ...rest);
      };
    });
    const capture = pgCaseEngine(capDb, new ManualClock(PG_START));
    for (const e of events) {
      sink = [];
      await capture.applyEvent(EXPERT, e);
      captured.push(sink);
    }
    await capDb.$client.end();

    // Raw: the same statements, one transaction per event, the same concurrency; the events of the
    // warm-up cases first, untimed, as the instances do.
    const rawPool = new pg.Pool({ connectionString: await copy('bench_raw'), max: CONCURRENCY });
    const isWarm = (_: unknown, k: number) => k % ids.length < WARM;
    const replay = async (statements: Captured[]) => {
      const client = await rawPool.connect();
      try {
        await client.query('BEGIN');
        // Named as the engine named them: prepared once per connection, as there.
        for (const s of statements) await client.query({ name: s.name, text: s.sql, values: s.params });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    await inFlight(captured.filter(isWarm), CONCURRENCY, replay);
    const rawPerSec = await inFlight(captured.filter((c, k) => !isWarm(c, k)), CONCURRENCY, replay);
    await rawPool.end();

    const one = await instance(await copy('bench_one'), ids, Date.parse(PG_START), WARM);
    const twoUrl = await copy('bench_two');
    const half = Math.floor(ids.length / 2);
    const two = await Promise.all([instance(twoUrl, ids.slice(0, half), Date.parse(PG_START), Math.floor(WARM / 2)),
      instance(twoUrl, ids.slice(half), Date.parse(PG_START), Math.floor(WARM / 2))]);
    // Together: all their events over the longer of the two runs.
    const twoSeconds = Math.max(...two.map((r) => r.events / r.perSec));
    const twoPerSec = (two[0]!.events + two[1]!.events) / twoSeconds;
    for (const name of ['bench_seed', 'bench_capture', 'bench_raw', 'bench_one', 'bench_two']) {
      await admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    return {
      pgRawPerSec: round(rawPerSec, 1),
      pgEnginePerSec: round(one.perSec, 1),
      pgTwoInstancesPerSec: round(twoPerSec, 1),
      pgEngineToRaw: round(one.perSec / rawPerSec, 3),
      pgTwoInstancesToOne: round(twoPerSec / one.perSec, 3),
      pgEngineCpuUs: round(one.cpuUs, 1),
      pgStatementsPerEvent: round(captured.reduce((n, e) => n + e.length, 0) / captured.length, 2),
    };
  } finally {
    cluster?.stop();
  }
}
