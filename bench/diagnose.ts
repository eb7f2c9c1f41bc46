/**
 * Diagnostics behind `npm run bench` (not part of it): where does the time of one event go?
 *
 *   node --import tsx --expose-gc bench/diagnose.ts [raw|engine|phases] [FULL|NORMAL|OFF] [ckpt|nockpt|auto] [cases]
 *
 * raw     the raw writes of bench/raw.ts
 * engine  caseEngine.applyEvent
 * profile the same, with a CPU profile of the timed events only (PROFILE_OUT, engine.cpuprofile)
 * phases  the steps of the engine's applyTx, replayed with the same functions and timed one by one
 *
 * ckpt: wal_autocheckpoint 0 + the service's checkpoint worker (messages counted);
 * nockpt: wal_autocheckpoint 0 and no checkpoints at all; auto: SQLite's default autocheckpoint.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EVENT_SCHEMAS } from '../machines/referral.schemas.ts';
import { step, type PersistedReferral } from '../machines/referral.ts';
import { canSee } from '../src/cases/access.ts';
import { caseRepository } from '../src/store/sqlite/reads.ts';
import { caseView } from '../src/cases/case-view.ts';
import { systemClock } from '../src/clock.ts';
import { parseBody } from '../src/validation.ts';
import { engineApplier, engineRequests } from './engine.ts';
import { captureEngineWrites, rawReplayer } from './raw.ts';
import { percentile, round, timeEach, gc } from './stats.ts';
import { MIX, bodyOf, cloneDatabase, memoryCopy, eventsFor, planned, seedDatabase, type Seeded } from './workload.ts';

const [mode = 'engine', sync = 'FULL', ckpt = 'ckpt', casesArg = '5000'] = process.argv.slice(2);
const cases = Number(casesArg);
const post = (session: Session, method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
const dir = mkdtempSync(join(tmpdir(), 'passend-diag-'));
let worker: Worker | undefined;
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

function describe(label: string, sorted: Float64Array, seconds?: number): void {
  const sum = sorted.reduce((a, b) => a + b, 0);
  const slow = sorted.filter((v) => v > 2);
  console.log(`${label.padEnd(22)} mean ${round(sum / sorted.length, 4)} ms  p50 ${round(percentile(sorted, 50), 4)}  ` +
    `p90 ${round(percentile(sorted, 90), 4)}  p99 ${round(percentile(sorted, 99), 4)}  max ${round(sorted[sorted.length - 1]!, 3)}` +
    (seconds ? `  | ${round(sorted.length / seconds, 1)} events/s; ${slow.length} events > 2 ms hold ` +
      `${round(slow.reduce((a, b) => a + b, 0) / 1000, 2)} s of ${round(seconds, 2)} s` : ''));
}

const { db: templateDb, ...template } = seedDatabase(join(dir, 'template.db'), cases, 300);
templateDb.$client.close();
let captured: ReturnType<typeof captureEngineWrites> | undefined;
if (mode === 'raw') {
  const scratch = memoryCopy(template);
  captured = captureEngineWrites(scratch);
  scratch.db.$client.close();
}
const seeded: Seeded = cloneDatabase(template, join(dir, 'diag.db'));
const sqlite = seeded.db.$client;
sqlite.pragma(`synchronous = ${sync}`);
// DIAG_SPLIT=1 (raw, engine, profile): each event's time split into BEGIN, the work inside the
// transaction and COMMIT, by a transaction wrapper of the same shape as better-sqlite3's.
const split = { on: process.env.DIAG_SPLIT === '1', begin: 0, inside: 0, commit: 0 };
if (split.on) {
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  (sqlite as { transaction: unknown }).transaction = (fn: (...args: unknown[]) => unknown) => {
    const wrapped = (...args: unknown[]) => {
      const t0 = performance.now();
      begin.run();
      const t1 = performance.now();
      let result: unknown;
      try {
        result = fn(...args);
      } catch (error) {
        sqlite.exec('ROLLBACK');
        throw error;
      }
      const t2 = performance.now();
      commit.run();
      split.begin += t1 - t0;
      split.inside += t2 - t1;
      split.commit += performance.now() - t2;
      return result;
    };
    return Object.assign(wrapped, { immediate: wrapped });
  };
}
const resetSplit = () => { split.begin = 0; split.inside = 0; split.commit = 0; };
interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** The functions that allocated most, in bytes per event, from a sampling heap profile. */
function allocationsByFunction(profile: { head?: HeapNode } & Partial<HeapNode>, events: number): string {
  const bytes = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode) => {
    const name = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber + 1}`;
    bytes.set(name, (bytes.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk((profile.head ?? profile) as HeapNode);
  const top = [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 12)
    .map(([name, b]) => `${name} ${round(b / events, 0)} B`).join('; ');
  return `${round(total / events, 0)} B per event; ${top}`;
}

const describeSplit = (events: number) => {
  if (!split.on) return;
  const us = (ms: number) => round((ms * 1000) / events, 1);
  console.log(`per event: BEGIN ${us(split.begin)} µs, inside the transaction ${us(split.inside)} µs, COMMIT ${us(split.commit)} µs`);
};
if (ckpt === 'auto') sqlite.pragma('wal_autocheckpoint = 1000');
let checkpoints = 0;
const checkpointMs: number[] = [];
if (ckpt === 'ckpt') {
  worker = new Worker(new URL('../src/store/sqlite/checkpoint-worker.js', import.meta.url),
    { workerData: { path: seeded.path, intervalMs: 1000 } });
  worker.on('message', (m: { type: string }) => { if (m.type === 'checkpoint') checkpoints++; });
}
console.log(`mode ${mode}, synchronous ${sync}, checkpoints ${ckpt}, ${cases} cases, ${eventsFor(cases)} events`);

if (mode === 'raw') {
  const apply = rawReplayer(seeded);
  for (const x of captured!.warmup) apply(x);
  gc();
  resetSplit();
  const run = timeEach(captured!.timed, apply);
  describe('raw event', run.perItemMs, run.seconds);
  describeSplit(captured!.timed.length);
} else if (mode === 'engine' || mode === 'profile') {
  const apply = engineApplier(seeded);
  for (const r of engineRequests(seeded.warmupIds)) apply(r);
  gc();
  const session = mode === 'profile' ? new Session() : undefined;
  if (session) {
    session.connect();
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(session, 'Profiler.start');
    // What the events allocate, sampled every 4 KiB, by function (PROFILE_HEAP_OUT).
    await post(session, 'HeapProfiler.enable');
    await post(session, 'HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true });
  }
  resetSplit();
  const run = timeEach(engineRequests(seeded.caseIds), apply);
  describe('engine event', run.perItemMs, run.seconds);
  describeSplit(run.perItemMs.length);
  if (session) {
    const { profile } = await post(session, 'Profiler.stop') as { profile: unknown };
    const file = process.env.PROFILE_OUT ?? 'engine.cpuprofile';
    writeFileSync(file, JSON.stringify(profile));
    console.log(`profile of the timed events only: ${file} (node --import tsx bench/profile-summary.ts ${file})`);
    const { profile: heap } = await post(session, 'HeapProfiler.stopSampling') as { profile: HeapNode & { head?: HeapNode } };
    const heapFile = process.env.PROFILE_HEAP_OUT ?? 'engine.heapprofile';
    writeFileSync(heapFile, JSON.stringify(heap));
    console.log(`allocations of the timed events, by function: ${allocationsByFunction(heap, run.perItemMs.length)}` +
      ` (whole profile: ${heapFile}, opens in Chrome DevTools)`);
    session.disconnect();
  }
} else {
  // The engine's applyTx, stage by stage, with the same functions (src/store/sqlite/engine.ts).
  const repo = caseRepository(seeded.db);
  const stages = ['find', 'parseBody (zod)', 'JSON.parse snapshot', 'step (XState)', 'JSON.stringify',
    'update', 'appendEvent', 'caseView', 'BEGIN', 'COMMIT (fsync)', 'whole'] as const;
  const times = Object.fromEntries(stages.map((s) => [s, [] as number[]])) as Record<(typeof stages)[number], number[]>;
  const bodies = MIX.map((_, s) => bodyOf(s));
  const actors = MIX.map((s) => seeded.clients[s.as].actor);
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const one = (caseId: string, s: number, record: boolean) => {
    const mark = (stage: (typeof stages)[number], since: number) => {
      const now = performance.now();
      if (record) times[stage].push(now - since);
      return now;
    };
    const t0 = performance.now();
    let t = t0;
    begin.run(); t = mark('BEGIN', t);
    const row = repo.find(caseId)!; t = mark('find', t);
    if (!canSee(actors[s]!, row)) throw new Error('cannot see');
    const type = MIX[s]!.type;
    const { type: _t, ...payload } = parseBody(EVENT_SCHEMAS[type], bodies[s]) as { type: string }; t = mark('parseBody (zod)', t);
    const at = systemClock.now().toISOString();
    const persisted = JSON.parse(row.snapshot) as PersistedReferral; t = mark('JSON.parse snapshot', t);
    const result = step(row.machineVersion, persisted, { type, ...payload, at } as never); t = mark('step (XState)', t);
    if (result.outcome !== 'applied') throw new Error('not applied');
    const version = row.version + 1;
    const next = { ...row, state: result.state, version, updatedAt: at, snapshot: JSON.stringify(result.persisted) };
    t = mark('JSON.stringify', t);
    repo.update({ ...next, expectedVersion: row.version }); t = mark('update', t);
    const a = actors[s]!;
    repo.appendEvent({ caseId, version, type, at, actorRole: a.role, actorOrganisation: a.organisation,
      actorName: a.name, actorClientId: a.clientId, payload: JSON.stringify(payload), state: result.state });
    t = mark('appendEvent', t);
    caseView(next, result.persisted, a.role, at, 0); t = mark('caseView', t);
    commit.run(); mark('COMMIT (fsync)', t);
    mark('whole', t0);
  };
  const run = (ids: string[], record: boolean) => {
    for (let i = 0; i < eventsFor(ids.length); i++) {
      const p = planned(i, ids.length);
      one(ids[p.caseIndex]!, p.step, record);
    }
  };
  run(seeded.warmupIds, false);
  gc();
  const start = performance.now();
  run(seeded.caseIds, true);
  const seconds = (performance.now() - start) / 1000;
  for (const s of stages) describe(s, Float64Array.from(times[s]).sort(), s === 'whole' ? seconds : undefined);
}
if (worker) {
  await new Promise<void>((resolve) => {
    worker!.once('message', () => resolve());
    worker!.postMessage('stop');
  });
  await worker.terminate();
  console.log(`checkpoints run: ${checkpoints}`);
}
void checkpointMs;
sqlite.close();
