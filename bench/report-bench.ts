/**
 * The signalering report over 10,000 and then 100,000 cases (1,000,000 trail entries): the cases
 * are bulk-loaded into a temporary SQLite file as exactly the rows the engine writes (see
 * report-workload.ts), and the report of a national inspector over the whole period is timed
 * (the median of RUNS runs after one warm-up, SQL and assembly, serialised as JSON).
 *
 * The load runs on two worker threads by default (report-load.ts: the statechart steps of one
 * batch are computed while the other batch is written, batches written in order); workers = 1
 * loads in this thread (loadCases). Either way the rows are the engine's case writer's.
 *
 * `benchReport()` is called by bench/run.ts, which also verifies the audit trail of the
 * 100,000-case database (`withLarge`); alone: `node --import tsx bench/report-bench.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Db } from '../src/store/sqlite/client.ts';
import { createClient } from '../src/store/sqlite/clients.ts';
import { ManualClock } from '../src/clock.ts';
import { signaleringService } from '../src/reports/signalering.ts';
import { signaleringReader } from '../src/store/sqlite/signalering.ts';
import { loadCasesParallel } from './report-load.ts';
import { loadCases, REGIONS, WINDOW, type RegionActors } from './report-workload.ts';
import type { Actor } from '../src/auth/actors.ts';

const SMALL = 10_000;
const LARGE = 100_000;
const RUNS = 5;

export interface ReportBench {
  reportMs10k: number;
  reportMs100k: number;
  /** reportMs100k / reportMs10k: 10 means linear in the number of cases. */
  growth: number;
  cases: number;
  events: number;
  /** Seconds the bulk loads took (0 to 10,000 cases; 10,000 to 100,000). */
  loadSeconds10k: number;
  loadSeconds100k: number;
}

export interface ReportBenchOptions {
  /** Worker threads for the bulk load (default 2); 1 loads in this thread. */
  workers?: number;
  /** Called with the 100,000-case database (and its path) once the report is timed, before it is deleted. */
  withLarge?: (db: Db, path: string) => void | Promise<void>;
  /** Where to make the temporary directory (default: the OS temp directory). */
  parentDir?: string;
}

/** One local team and one expert team per region. */
export function actorsOf(db: Db, now: Date): RegionActors[] {
  return Array.from({ length: REGIONS }, (_, r) => {
    const region = `R${String(r + 1).padStart(2, '0')}`;
    const client = (role: Actor['role'], organisation: string) =>
      createClient(db, { role, organisation, region, name: `${role} ${organisation}` }, now).actor;
    return { localTeam: client('local_team', `wt-${region}`), expertTeam: client('expert_team', `ret-${region}`) };
  });
}

/**
 * Median wall time in ms of the national report over the whole window. On this database file the
 * statements run in the service's report thread (src/store/sqlite/signalering.ts), as in the service.
 */
async function timeReport(db: Db, clock: ManualClock): Promise<number> {
  const reader = signaleringReader(db);
  const service = signaleringService(reader, clock);
  const inspector: Actor = { clientId: 'bench', role: 'inspector', organisation: 'igj', region: '*', name: 'IGJ' };
  const once = async (): Promise<number> => {
    const start = performance.now();
    const text = JSON.stringify(await service.report(inspector, WINDOW));
    if (!text.includes('"submitted"')) throw new Error('the report came back empty');
    return performance.now() - start;
  };
  try {
    await once();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await once());
    times.sort((a, b) => a - b);
    return Math.round(times[Math.floor(RUNS / 2)]! * 10) / 10;
  } finally {
    await reader.close();
  }
}

export async function benchReport(options: ReportBenchOptions = {}): Promise<ReportBench> {
  const workers = options.workers ?? 2;
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'passend-report-'));
  const path = join(dir, 'report.db');
  const db = openDatabase(path, { synchronous: 'OFF' });
  try {
    const clock = new ManualClock('2027-01-15T12:00:00Z');
    const actors = actorsOf(db, clock.now());
    const load = async (from: number, to: number): Promise<number> => {
      const start = performance.now();
      if (workers > 1) await loadCasesParallel(path, actors, from, to, workers);
      else loadCases(db, actors, from, to);
      return Math.round((performance.now() - start) / 100) / 10;
    };
    const loadSeconds10k = await load(0, SMALL);
    const reportMs10k = await timeReport(db, clock);
    const loadSeconds100k = await load(SMALL, LARGE);
    const reportMs100k = await timeReport(db, clock);
    const count = (table: string) => (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const result: ReportBench = {
      reportMs10k, reportMs100k, growth: Math.round((reportMs100k / reportMs10k) * 100) / 100,
      cases: count('cases'), events: count('case_events'), loadSeconds10k, loadSeconds100k,
    };
    await options.withLarge?.(db, path);
    return result;
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const workers = Number(process.env.BENCH_REPORT_WORKERS || 2);
  process.stdout.write(`${JSON.stringify(await benchReport({ workers }))}\n`);
}
