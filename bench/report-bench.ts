/**
 * The signalering report over 10,000 and then 100,000 cases (1,000,000 trail entries): the cases
 * are bulk-loaded into a temporary SQLite file as exactly the rows the engine writes (see
 * report-workload.ts), and the report of a national inspector over the whole period is timed
 * (the median of RUNS runs after one warm-up, SQL and assembly, serialised as JSON).
 *
 * `benchReport()` is called by bench/run.ts; alone: `node --import tsx bench/report-bench.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Db } from '../db/client.ts';
import { createClient, type Actor } from '../src/auth/api-clients.ts';
import { ManualClock } from '../src/clock.ts';
import { signaleringService } from '../src/reports/signalering.ts';
import { loadCases, REGIONS, WINDOW, type RegionActors } from './report-workload.ts';

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
}

function actorsOf(db: Db, now: Date): RegionActors[] {
  return Array.from({ length: REGIONS }, (_, r) => {
    const region = `R${String(r + 1).padStart(2, '0')}`;
    const client = (role: Actor['role'], organisation: string) =>
      createClient(db, { role, organisation, region, name: `${role} ${organisation}` }, now).actor;
    return { localTeam: client('local_team', `wt-${region}`), expertTeam: client('expert_team', `ret-${region}`) };
  });
}

/** Median wall time in ms of the national report over the whole window. */
function timeReport(db: Db, clock: ManualClock): number {
  const service = signaleringService(db, clock);
  const inspector: Actor = { clientId: 'bench', role: 'inspector', organisation: 'igj', region: '*', name: 'IGJ' };
  const once = (): number => {
    const start = performance.now();
    JSON.stringify(service.report(inspector, WINDOW));
    return performance.now() - start;
  };
  once();
  const times = Array.from({ length: RUNS }, once).sort((a, b) => a - b);
  return Math.round(times[Math.floor(RUNS / 2)]! * 10) / 10;
}

export async function benchReport(): Promise<ReportBench> {
  const dir = mkdtempSync(join(tmpdir(), 'passend-report-'));
  const db = openDatabase(join(dir, 'report.db'), { synchronous: 'OFF' });
  try {
    const clock = new ManualClock('2027-01-15T12:00:00Z');
    const actors = actorsOf(db, clock.now());
    loadCases(db, actors, 0, SMALL);
    const reportMs10k = timeReport(db, clock);
    loadCases(db, actors, SMALL, LARGE);
    const reportMs100k = timeReport(db, clock);
    const count = (table: string) => (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      reportMs10k, reportMs100k, growth: Math.round((reportMs100k / reportMs10k) * 100) / 100,
      cases: count('cases'), events: count('case_events'),
    };
  } finally {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await benchReport())}\n`);
}
