/**
 * Diagnostics (not part of `npm run bench`): does CPU work inside the transaction make the
 * commit (WAL write + fdatasync) itself slower, or the work slower after an fsync wait?
 *
 *   node --import tsx --expose-gc bench/commit-cost.ts [cases=3000] [spins=0,50,100,200]
 *
 * Runs the raw writes of bench/raw.ts with a busy-wait of S µs inside each transaction (standing
 * in for the engine's CPU work) and times the statements and the COMMIT separately, with
 * synchronous FULL and the service's checkpoint worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { captureEngineWrites } from './raw.ts';
import { gc, percentile, round } from './stats.ts';
import { cloneDatabase, memoryCopy, seedDatabase } from './workload.ts';

const cases = Number(process.argv[2] ?? 3000);
const spins = (process.argv[3] ?? '0,50,100,200').split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'passend-commit-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

// SPIN=memory: the busy-wait allocates and walks fresh objects (as the engine's JavaScript does)
// instead of only reading the clock.
const memorySpin = process.env.SPIN === 'memory';
let sink = 0;
const spin = (us: number) => {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    if (memorySpin) sink += JSON.stringify(JSON.parse(`{"a":[${'1,'.repeat(200)}2],"b":"${sink}"}`)).length;
  }
};

const { db: templateDb, ...template } = seedDatabase(join(dir, 'template.db'), cases, 1);
templateDb.$client.close();
const scratch = memoryCopy(template);
const captured = captureEngineWrites(scratch).timed;
scratch.db.$client.close();

for (const s of spins) {
  const seeded = cloneDatabase(template, join(dir, `c${s}.db`));
  const sqlite = seeded.db.$client;
  const worker = new Worker(new URL('../src/store/sqlite/checkpoint-worker.js', import.meta.url),
    { workerData: { path: seeded.path, intervalMs: 1000 } });
  const prepared = new Map<string, ReturnType<typeof sqlite.prepare>>();
  const stmt = (sql: string, raw: boolean) => {
    let p = prepared.get(sql);
    if (!p) { p = sqlite.prepare(sql); if (raw) p.raw(true); prepared.set(sql, p); }
    return p;
  };
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const stmtMs: number[] = [];
  const commitMs: number[] = [];
  gc();
  const t0 = performance.now();
  for (const e of captured) {
    const a = performance.now();
    begin.run();
    const [first, ...rest] = e.calls;
    (stmt(first!.sql, first!.raw)[first!.method as 'get'] as (...a: unknown[]) => unknown)(...first!.params);
    spin(s);
    const b = performance.now();
    for (const c of rest) (stmt(c.sql, c.raw)[c.method as 'run'] as (...a: unknown[]) => unknown)(...c.params);
    const c2 = performance.now();
    commit.run();
    const d = performance.now();
    stmtMs.push(c2 - b + (b - a) - s / 1000);
    commitMs.push(d - c2);
  }
  const seconds = (performance.now() - t0) / 1000;
  const sorted = (x: number[]) => Float64Array.from(x).sort();
  const st1 = sorted(stmtMs); const cm = sorted(commitMs);
  console.log(`spin ${String(s).padStart(3)} µs: ${round(captured.length / seconds, 0)} events/s; statements p50 ` +
    `${round(percentile(st1, 50) * 1000, 0)} µs; COMMIT p50 ${round(percentile(cm, 50) * 1000, 0)} µs, ` +
    `p90 ${round(percentile(cm, 90) * 1000, 0)} µs, p99 ${round(percentile(cm, 99) * 1000, 0)} µs`);
  await new Promise<void>((resolve) => { worker.once('message', () => resolve()); worker.postMessage('stop'); });
  await worker.terminate();
  sqlite.close();
}
