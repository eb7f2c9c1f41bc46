/**
 * Diagnostics behind (c) and (c') of `npm run bench` (not part of it): where do the slow answers
 * of the HTTP phase come from? Seeds the bench's cases, starts the server as (c) does (extra
 * environment from the command line), warms it up, then sends the plan's events either paced
 * (open loop, evenly spaced) or as fast as 10 connections go, and prints the percentiles and when
 * the answers slower than the p99 came, by 100 ms of the run. Paced, it also prints this machine's
 * floor: the same client paced the same way against a Node.js HTTP server that answers every
 * request at once without doing anything.
 *
 *   node --import tsx bench/latency.ts <rate|closed> [events] [NAME=value ...]
 *   e.g. node --import tsx bench/latency.ts 600 3000 CHECKPOINT_INTERVAL_MS=5000
 *
 * BENCH_CPU_PROF_DIR=dir profiles the server (--cpu-prof). With LOG_LEVEL=info among the pairs
 * the server logs every request (dearer) and, when it stops, how many WAL syncs its batches took
 * and how long they took, printed here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, pacedLoad, startNullServer, startServer } from './http.ts';
import { percentile, round } from './stats.ts';
import { cloneDatabase, eventsFor, seedDatabase } from './workload.ts';

const [mode = 'closed', eventsArg = '3000', ...pairs] = process.argv.slice(2);
const env = Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
const events = Number(eventsArg);
const dir = mkdtempSync(join(tmpdir(), 'passend-latency-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

const { db, ...template } = seedDatabase(join(dir, 'template.db'), Math.max(events, 1000), 400);
db.$client.close();
const seeded = cloneDatabase(template, join(dir, 'http.db'));
seeded.db.$client.close();
const server = await startServer(seeded.path, process.env.BENCH_CPU_PROF_DIR, 'src/server.ts', env);
try {
  await load(server.port, seeded.warmupIds, seeded.clients, 0, eventsFor(seeded.warmupIds.length), 60);
  const started = performance.now();
  const timeline: [at: number, ms: number][] = [];
  let latencies: Float64Array;
  if (mode === 'closed') {
    const r = await load(server.port, seeded.caseIds, seeded.clients, 0, events, 120);
    latencies = r.latencies;
  } else {
    const r = await pacedLoad(server.port, seeded.caseIds, seeded.clients, 0, events, Number(mode),
      (at, ms) => timeline.push([at - started, ms]));
    latencies = r.latencies;
  }
  const p99 = percentile(latencies, 99);
  console.log(`${mode === 'closed' ? 'closed loop, 10 connections' : `paced ${mode}/s`} ${JSON.stringify(env)}: ` +
    `${latencies.length} 2xx in ${round((performance.now() - started) / 1000, 2)} s; p50 ${round(percentile(latencies, 50), 2)} ` +
    `p90 ${round(percentile(latencies, 90), 2)} p99 ${round(p99, 2)} max ${round(latencies[latencies.length - 1]!, 1)} ms`);
  if (timeline.length > 0) {
    const buckets = new Map<number, number>();
    for (const [at, ms] of timeline) if (ms > p99) buckets.set(Math.floor(at / 100), (buckets.get(Math.floor(at / 100)) ?? 0) + 1);
    console.log('answers slower than p99, by 100 ms of the run:', [...buckets].map(([b, n]) => `${b / 10}s:${n}`).join(' '));
  }
} finally {
  await server.stop();
  // With LOG_LEVEL=info among the pairs, the server logs its WAL syncs when it stops (app.ts).
  // (The output kept is its last 8,000 characters: a line cut at its start does not parse.)
  const commits = server.output().split('\n').find((line) => line.includes('"msg":"group commit"'));
  try {
    if (commits) {
      const { batches, writes, syncs, syncMs } = JSON.parse(commits) as Record<string, unknown>;
      console.log(`server's group commit: ${JSON.stringify({ batches, writes, syncs, syncMs })}`);
    }
  } catch {
    console.log('server\'s group commit line was cut off');
  }
}

if (mode !== 'closed') {
  // The floor: a server that does nothing, paced alike (it answers 200 to every path).
  const nullServer = await startNullServer();
  try {
    const r = await pacedLoad(nullServer.port, seeded.caseIds, seeded.clients, 0, events, Number(mode));
    console.log(`floor, a server that does nothing, paced ${mode}/s: p50 ${round(percentile(r.latencies, 50), 2)} ` +
      `p90 ${round(percentile(r.latencies, 90), 2)} p99 ${round(percentile(r.latencies, 99), 2)} ms`);
  } finally {
    nullServer.stop();
  }
}
